import { describe, expect, it } from 'vitest';
import { CartPoleEnv, cartPoleDefaultParams } from './cartpole.js';

describe('CartPoleEnv', () => {
  it('has Gymnasium’s spaces', () => {
    const env = new CartPoleEnv();
    expect(env.actionSpace.toJSON()).toEqual({ type: 'Discrete', n: 2, start: 0 });
    expect(Array.from(env.observationSpace.high)).toEqual([Math.fround(4.8), Infinity, Math.fround(0.41887903), Infinity]);
    expect(Array.from(env.observationSpace.low)).toEqual([-Math.fround(4.8), -Infinity, -Math.fround(0.41887903), -Infinity]);
  });

  it('starts every value in [−0.05, 0.05]; same seed same start, different seeds different starts', () => {
    const env = new CartPoleEnv();
    const a = env.reset({ seed: 5 });
    const s = env.state;
    for (const v of s) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    expect(Array.from(a.obs)).toEqual(Array.from(s, Math.fround));
    expect(Array.from(env.reset({ seed: 5 }).obs)).toEqual(Array.from(a.obs));
    expect(Array.from(env.reset({ seed: 6 }).obs)).not.toEqual(Array.from(a.obs));
    // unseeded resets continue the stream: a new start each episode
    const b = env.reset().obs;
    expect(Array.from(b)).not.toEqual(Array.from(env.reset().obs));
  });

  it('reset options { low, high } set the start range and are checked', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0, options: { low: 0.2, high: 0.3 } });
    for (const v of env.state) expect(v >= 0.2 && v < 0.3).toBe(true);
    expect(() => env.reset({ options: { low: 1, high: 0 } })).toThrow(/low \(1\) must not exceed high \(0\)/);
    expect(() => env.reset({ options: { lo: 1 } })).toThrow(/unknown reset option "lo"/);
  });

  it('state is a copy both ways', () => {
    const env = new CartPoleEnv();
    const v = new Float64Array([0.01, 0.02, 0.03, 0.04]);
    env.state = v;
    v[0] = 99;
    const got = env.state;
    expect(Array.from(got)).toEqual([0.01, 0.02, 0.03, 0.04]);
    got[1] = 99;
    expect(env.state[1]).toBe(0.02);
    expect(() => {
      env.state = new Float64Array(3);
    }).toThrow(/4 values \[x, x_dot, theta, theta_dot\]/);
    expect(() => {
      env.state = [0, Number.NaN, 0, 0];
    }).toThrow(/x_dot must be a finite number, got NaN/);
  });

  it('pushes right with action 1 and left with action 0 (one Euler step)', () => {
    const env = new CartPoleEnv();
    env.state = [0, 0, 0, 0];
    const r = env.step(1);
    // from rest, θ = 0: ẍ = F/(m_c + m_p)·(1 + m_p·l·(…)) > 0; x changes only on the next step
    expect(env.state[0]).toBe(0);
    expect(env.state[1]).toBeGreaterThan(0);
    expect(env.state[3]).toBeLessThan(0);
    expect(r.reward).toBe(1);
    env.state = [0, 0, 0, 0];
    env.step(0);
    expect(env.state[1]).toBeLessThan(0);
  });

  it('terminates beyond |x| > 2.4 or |θ| > 12°, with reward 1 on that step; then refuses to step', () => {
    const env = new CartPoleEnv();
    env.state = [2.39, 1, 0, 0];
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    expect(r.reward).toBe(1);
    expect(() => env.step(1)).toThrow(/after the episode terminated; call reset\(\)/);
    env.state = [0, 0, cartPoleDefaultParams.theta_threshold_radians, 1];
    expect(env.step(0).terminated).toBe(true);
  });

  it('refuses to step before reset', () => {
    expect(() => new CartPoleEnv().step(0)).toThrow(/CartPole-v1: step\(\) called before reset\(\)/);
  });

  it('rejects actions outside Discrete(2) with a RangeError naming the env and the value', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    const before = env.state;
    for (const bad of [2, -1, 0.5, Number.NaN, Infinity, '1', null, [1]]) {
      expect(() => env.step(bad as number)).toThrow(RangeError);
    }
    expect(() => env.step(2)).toThrow(/CartPole-v1: action 2 is not in Discrete\(2\)/);
    expect(() => env.step(Number.NaN)).toThrow(/action NaN/);
    expect(() => env.step(0.5)).toThrow(/action 0.5/);
    // nothing changed
    expect(Array.from(env.state)).toEqual(Array.from(before));
  });

  it('takes physical constants by name and rejects unknown ones', () => {
    const heavy = new CartPoleEnv({ gravity: 20 });
    const normal = new CartPoleEnv();
    heavy.state = [0, 0, 0.1, 0];
    normal.state = [0, 0, 0.1, 0];
    heavy.step(0);
    normal.step(0);
    expect(heavy.state[3]).toBeGreaterThan(normal.state[3]!);
    expect(() => new CartPoleEnv({ gravty: 1 } as never)).toThrow(/unknown option "gravty" \(known: gravity, masscart/);
  });
});
