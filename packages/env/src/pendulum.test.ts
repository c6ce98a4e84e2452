import { describe, expect, it } from 'vitest';
import { PendulumEnv, angleNormalize } from './pendulum.js';

describe('PendulumEnv', () => {
  it('angleNormalize maps into [−π, π) with Python’s modulo', () => {
    expect(angleNormalize(0)).toBe(0);
    expect(angleNormalize(3 * Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 14);
    expect(angleNormalize(-3 * Math.PI / 2)).toBeCloseTo(Math.PI / 2, 14);
    expect(angleNormalize(-7)).toBeCloseTo(-7 + 2 * Math.PI, 14);
    // the fast paths give exactly what Python's ((x + π) % 2π) − π gives (fmod-based)
    const pyMod = (a: number, b: number): number => {
      let r = a % b;
      if (r !== 0 && r < 0) r += b;
      return r;
    };
    for (let k = -2000; k <= 2000; k++) {
      const x = k * 0.01237 + 1e-9 * k;
      expect(angleNormalize(x)).toBe(pyMod(x + Math.PI, 2 * Math.PI) - Math.PI);
    }
  });

  it('rewards the state before the step, with the clipped torque', () => {
    const env = new PendulumEnv();
    env.state = [1, 2];
    const r = env.step([3]); // clipped to 2
    // 0.001·u² is a float32 operation in Gymnasium (NumPy 2): 0.001 is rounded to float32 first
    expect(r.reward).toBe(-(1 + 0.1 * 4 + Math.fround(Math.fround(0.001) * 4)));
    const env2 = new PendulumEnv();
    env2.state = [1, 2];
    env2.step([2]);
    expect(Array.from(env.state)).toEqual(Array.from(env2.state));
    expect(r.terminated).toBe(false);
  });

  it('observes [cos θ, sin θ, θ̇] and bounds θ̇ at 8', () => {
    const env = new PendulumEnv();
    env.state = [0.5, 7.99];
    const { obs } = env.step([2]);
    const [th, thd] = env.state;
    expect(thd).toBe(8);
    expect(Array.from(obs)).toEqual([Math.cos(th!), Math.sin(th!), 8].map(Math.fround));
  });

  it('reset options x_init / y_init bound the start', () => {
    const env = new PendulumEnv();
    for (let seed = 0; seed < 10; seed++) {
      env.reset({ seed, options: { x_init: 0.1, y_init: 0.2 } });
      expect(Math.abs(env.state[0]!)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(env.state[1]!)).toBeLessThanOrEqual(0.2);
    }
    expect(() => env.reset({ options: { low: 0 } })).toThrow(/unknown reset option "low" \(known: x_init, y_init\)/);
  });

  it('rejects bad Box actions', () => {
    const env = new PendulumEnv();
    env.reset({ seed: 0 });
    expect(() => env.step([Number.NaN])).toThrow(/Pendulum-v1: action \[NaN\]/);
    expect(() => env.step([-Infinity])).toThrow(RangeError);
    expect(() => env.step([])).toThrow(/has length 0/);
  });
});
