import { describe, expect, it } from 'vitest';
import { AcrobotEnv, bound, wrap } from './acrobot.js';

describe('AcrobotEnv', () => {
  it('wrap and bound as Gymnasium’s helpers', () => {
    expect(wrap(Math.PI + 0.5, -Math.PI, Math.PI)).toBeCloseTo(-Math.PI + 0.5, 14);
    expect(wrap(-7, -Math.PI, Math.PI)).toBeCloseTo(-7 + 2 * Math.PI, 14);
    expect(wrap(1, -Math.PI, Math.PI)).toBe(1);
    expect(bound(5, -1, 1)).toBe(1);
    expect(bound(-5, -1, 1)).toBe(-1);
  });

  it('spaces and observation', () => {
    const env = new AcrobotEnv();
    expect(env.actionSpace.toString()).toBe('Discrete(3)');
    expect(Array.from(env.observationSpace.high)).toEqual([1, 1, 1, 1, Math.fround(4 * Math.PI), Math.fround(9 * Math.PI)]);
    const { obs } = env.reset({ seed: 3 });
    const [t1, t2, d1, d2] = env.state;
    expect(Array.from(obs)).toEqual([Math.cos(t1!), Math.sin(t1!), Math.cos(t2!), Math.sin(t2!), d1!, d2!].map(Math.fround));
    for (const v of env.state) expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
  });

  it('torque = action − 1 drives the second joint', () => {
    const run = (a: number): number => {
      const env = new AcrobotEnv();
      env.state = [0, 0, 0, 0];
      env.step(a);
      return env.state[3]!;
    };
    expect(run(1)).toBeCloseTo(0, 15); // hanging at rest, no torque: stays (up to cos(−π/2) ≠ 0 in floating point)
    expect(run(2)).toBeGreaterThan(0);
    expect(run(0)).toBeLessThan(0);
    expect(run(0)).toBeCloseTo(-run(2), 14);
  });

  it('terminates with reward 0 when the tip is above the bar, −1 otherwise', () => {
    const env = new AcrobotEnv();
    env.state = [Math.PI - 0.05, 0, 0, 0];
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(0);
    env.state = [0, 0, 0, 0];
    expect(env.step(1).reward).toBe(-1);
  });

  it('bounds the velocities after the step', () => {
    const env = new AcrobotEnv();
    env.state = [0, 0, 4 * Math.PI, -9 * Math.PI];
    env.step(2);
    expect(Math.abs(env.state[2]!)).toBeLessThanOrEqual(4 * Math.PI);
    expect(Math.abs(env.state[3]!)).toBeLessThanOrEqual(9 * Math.PI);
  });

  it('checks the dynamics option', () => {
    expect(() => new AcrobotEnv({ book_or_nips: 'paper' as 'book' })).toThrow(/book_or_nips must be "book" or "nips", got "paper"/);
    const nips = new AcrobotEnv({ book_or_nips: 'nips' });
    const book = new AcrobotEnv();
    nips.state = [0.5, 0.5, 1, 1];
    book.state = [0.5, 0.5, 1, 1];
    nips.step(1);
    book.step(1);
    expect(nips.state[3]).not.toBe(book.state[3]);
  });

  it('rejects −1 (which Gymnasium silently accepts) and 3', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    expect(() => env.step(-1)).toThrow(/Acrobot-v1: action -1 is not in Discrete\(3\)/);
    expect(() => env.step(3)).toThrow(RangeError);
  });
});
