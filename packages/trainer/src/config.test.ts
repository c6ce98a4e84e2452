import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('fills every default', () => {
    const c = resolveConfig({ lr: 3e-3 });
    expect(c.lr).toBe(3e-3);
    expect(c.gamma).toBe(DEFAULT_CONFIG.gamma);
    expect(c.hidden).toEqual([64, 64]);
    expect(c.logLevel).toBe('silent'); // from RL_LOG_LEVEL, set by vitest.config.ts
  });

  it('reports every bad field at once with its allowed range', () => {
    let err: unknown;
    try {
      resolveConfig({ gamma: 1.5, numEnvs: 0, stepsPerIter: -3, baseline: 'median', lr: -1, env: 'Nope-v0', bogus: 1 } as Record<string, unknown>, {
        envIds: ['CartPole-v1', 'Pendulum-v1'],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    const fields = e.issues.map((i) => i.field).sort();
    expect(fields).toEqual(['baseline', 'bogus', 'env', 'gamma', 'lr', 'numEnvs', 'stepsPerIter']);
    expect(e.message).toMatch(/gamma = 1\.5: must be in \[0, 1\]/);
    expect(e.message).toMatch(/numEnvs = 0: must be an integer ≥ 1/);
    expect(e.message).toMatch(/stepsPerIter = -3: must be an integer ≥ 1/);
    expect(e.message).toMatch(/baseline = "median": must be one of "none", "mean", "ema", "value", "gae"/);
    expect(e.message).toMatch(/lr = -1: must be > 0/);
    expect(e.message).toMatch(/env = "Nope-v0": unknown env id; registered: CartPole-v1, Pendulum-v1/);
    expect(e.message).toMatch(/bogus = 1: unknown field/);
  });

  it('names a bad element of an array field', () => {
    expect(() => resolveConfig({ hidden: [64, 0] })).toThrow(/hidden\.1 = 0: must be an integer ≥ 1/);
  });

  it('shows non-finite values as they are (not JSON null) and says why a huge integer is refused', () => {
    expect(() => resolveConfig({ lr: Infinity })).toThrow(/lr = Infinity: must be a finite number > 0/);
    expect(() => resolveConfig({ gamma: NaN, hidden: [64, -Infinity] })).toThrow(/gamma = NaN: .*\n.*hidden\.1 = -Infinity/s);
    expect(() => resolveConfig({ numEnvs: 1e20 })).toThrow(/numEnvs = 100000000000000000000: must be an integer ≥ 1 and at most 9007199254740991 \(2\^53 − 1\)/);
  });
});
