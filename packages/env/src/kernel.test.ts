import { describe, expect, it } from 'vitest';
import { checkSeed, entropySeed, mergeParams, parseResetBounds } from './kernel.js';

describe('kernel helpers', () => {
  it('parseResetBounds: defaults, overrides, and errors naming the option', () => {
    expect(parseResetBounds('E', undefined, -1, 1)).toEqual({ low: -1, high: 1 });
    expect(parseResetBounds('E', { high: 2 }, -1, 1)).toEqual({ low: -1, high: 2 });
    expect(() => parseResetBounds('E', { low: 'a' }, -1, 1)).toThrow('E: reset option low must be a finite number, got a');
    expect(() => parseResetBounds('E', { low: 3 }, -1, 1)).toThrow('E: reset option low (3) must not exceed high (1)');
    expect(() => parseResetBounds('E', { width: 3 }, -1, 1)).toThrow(/unknown reset option "width" \(known: low, high\)/);
  });

  it('mergeParams: known names only, numbers stay numbers, result frozen', () => {
    const d = Object.freeze({ a: 1, b: 2, kind: 'x' });
    expect(mergeParams('E', d, undefined)).toBe(d);
    const m = mergeParams('E', d, { b: 5 });
    expect(m).toEqual({ a: 1, b: 5, kind: 'x' });
    expect(Object.isFrozen(m)).toBe(true);
    expect(() => mergeParams('E', d, { c: 1 })).toThrow('E: unknown option "c" (known: a, b, kind)');
    expect(() => mergeParams('E', d, { a: '1' })).toThrow('E: option a must be a number, got 1');
    expect(() => mergeParams('E', d, { a: Number.NaN })).toThrow(/option a must be a number, got NaN/);
    expect(() => mergeParams('E', d, { kind: 3 })).toThrow(/option kind must be a string/);
  });

  it('checkSeed and entropySeed', () => {
    expect(checkSeed('E', 3)).toBe(3);
    expect(() => checkSeed('E', '3')).toThrow('E: seed must be an integer, got 3');
    const s = entropySeed();
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
  });
});
