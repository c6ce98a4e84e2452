import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from './cartpole.js';
import { PendulumEnv } from './pendulum.js';

describe('ClassicControlEnv contract', () => {
  it('returns fresh observation arrays (keeping one is safe) and is its own unwrapped', () => {
    const env = new PendulumEnv();
    expect(env.unwrapped).toBe(env);
    const a = env.reset({ seed: 0 }).obs;
    const keep = a.slice();
    const b = env.step([1]).obs;
    expect(b).not.toBe(a);
    expect(Array.from(a)).toEqual(Array.from(keep));
  });

  it('an unseeded first reset draws its seed from the platform entropy (two envs differ)', () => {
    const a = new CartPoleEnv().reset().obs;
    const b = new CartPoleEnv().reset().obs;
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('a bad reset option leaves the env as it was', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 3 });
    const s = env.state;
    expect(() => env.reset({ seed: 4, options: { low: 2, high: 1 } })).toThrow(RangeError);
    expect(Array.from(env.state)).toEqual(Array.from(s));
    expect(env.getRngState()).toBeDefined();
  });
});
