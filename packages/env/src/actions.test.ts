import { describe, expect, it } from 'vitest';
import { checkActionBatch, checkBoxAction, checkDiscreteAction } from './actions.js';
import { Box, Discrete } from './spaces.js';

describe('action checks', () => {
  const d3 = new Discrete(3);
  const box = new Box([-1, -1], [1, 1]);

  it('accept valid actions unchanged (Box values outside the bounds are the dynamics’ business)', () => {
    expect(checkDiscreteAction('E', d3, 2)).toBe(2);
    const a = [5, -7];
    expect(checkBoxAction('E', box, a)).toBe(a);
    expect(() => checkActionBatch('E', d3, 3, new Int32Array([0, 1, 2]))).not.toThrow();
    expect(() => checkActionBatch('E', box, 2, [0.5, 9, -9, 0])).not.toThrow();
  });

  it('name the env, batch index and value', () => {
    expect(() => checkDiscreteAction('E', d3, 3, 7)).toThrow('E [batch index 7]: action 3 is not in Discrete(3); expected an integer in [0, 2]');
    expect(() => checkActionBatch('E', d3, 4, [0, 1, 2.5, 0])).toThrow(/E \[batch index 2\]: action 2.5/);
    expect(() => checkActionBatch('E', d3, 4, [0, 1, 2, Number.NaN])).toThrow(/\[batch index 3\]: action NaN/);
    expect(() => checkActionBatch('E', d3, 2, [-1, 0])).toThrow(/\[batch index 0\]: action -1/);
    expect(() => checkActionBatch('E', box, 2, [0, 0, 0, Infinity])).toThrow(/E \[batch index 1\]: action \[0, Infinity\] holds Infinity/);
    expect(() => checkActionBatch('E', box, 2, new Float32Array([0, Number.NaN, 0, 0]))).toThrow(/\[batch index 0\]: action \[0, NaN\]/);
  });

  it('give both sizes for a batch of the wrong size', () => {
    expect(() => checkActionBatch('E', d3, 4, [0, 1, 2])).toThrow('E: action batch has 3 values, expected 4 (4 envs × 1 per action)');
    expect(() => checkActionBatch('E', box, 3, [0, 0])).toThrow(/has 2 values, expected 6 \(3 envs × 2 per action\)/);
  });

  it('reject non-numbers in a batch', () => {
    expect(() => checkActionBatch('E', d3, 2, ['1', 0] as unknown as number[])).toThrow(RangeError);
    expect(() => checkActionBatch('E', box, 1, ['1', 0] as unknown as number[])).toThrow(RangeError);
    expect(() => checkActionBatch('E', d3, 2, 5 as unknown as number[])).toThrow(TypeError);
  });
});
