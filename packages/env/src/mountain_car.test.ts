import { describe, expect, it } from 'vitest';
import { MountainCarEnv } from './mountain_car.js';

describe('MountainCarEnv', () => {
  it('starts at rest with position in [−0.6, −0.4]', () => {
    const env = new MountainCarEnv();
    for (let seed = 0; seed < 20; seed++) {
      env.reset({ seed });
      const [p, v] = env.state;
      expect(p! >= -0.6 && p! < -0.4).toBe(true);
      expect(v).toBe(0);
    }
  });

  it('stops at the left wall and terminates at the flag', () => {
    const env = new MountainCarEnv();
    env.state = [-1.19, -0.05];
    const r = env.step(0);
    expect(env.state[0]).toBe(-1.2);
    expect(env.state[1]).toBe(0);
    expect(r.reward).toBe(-1);
    expect(r.terminated).toBe(false);
    env.state = [0.49, 0.02];
    const g = env.step(2);
    expect(g.terminated).toBe(true);
    expect(g.reward).toBe(-1);
  });

  it('clips the speed to ±0.07', () => {
    const env = new MountainCarEnv();
    env.state = [-0.5, 0.0699];
    env.step(2);
    expect(env.state[1]).toBe(0.07);
  });

  it('rejects actions outside Discrete(3)', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 0 });
    expect(() => env.step(3)).toThrow(/MountainCar-v0: action 3/);
    expect(() => env.step(1.5)).toThrow(RangeError);
  });
});
