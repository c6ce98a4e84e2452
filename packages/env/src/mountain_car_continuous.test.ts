import { describe, expect, it } from 'vitest';
import { MountainCarContinuousEnv } from './mountain_car_continuous.js';

describe('MountainCarContinuousEnv', () => {
  it('clips the force to ±1 but charges the unclipped action', () => {
    const a = new MountainCarContinuousEnv();
    const b = new MountainCarContinuousEnv();
    a.state = [-0.5, 0.01];
    b.state = [-0.5, 0.01];
    const ra = a.step([1]);
    const rb = b.step([5]);
    expect(Array.from(b.state)).toEqual(Array.from(a.state));
    expect(ra.reward).toBeCloseTo(-0.1, 15);
    expect(rb.reward).toBeCloseTo(-2.5, 15);
  });

  it('pays +100 (minus the action cost) at the goal', () => {
    const env = new MountainCarContinuousEnv();
    env.state = [0.44, 0.02];
    const r = env.step([0.5]);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBeCloseTo(100 - 0.1 * 0.25, 12);
  });

  it('keeps Gymnasium’s float32 state after a step', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ seed: 1 });
    env.step([0.3]);
    for (const v of env.state) expect(Math.fround(v)).toBe(v);
  });

  it('rejects NaN, Infinity, wrong length and non-arrays with a RangeError naming the value', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ seed: 0 });
    expect(() => env.step([Number.NaN])).toThrow(/MountainCarContinuous-v0: action \[NaN\] holds NaN/);
    expect(() => env.step([Infinity])).toThrow(/holds Infinity/);
    expect(() => env.step([0.1, 0.2])).toThrow(/has length 2, .* needs 1/);
    expect(() => env.step(0.5)).toThrow(/is not an array/);
    expect(() => env.step(new Float32Array(0))).toThrow(RangeError);
  });
});
