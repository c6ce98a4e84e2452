import { describe, expect, it } from 'vitest';
import { checkEnv } from './env_checker.js';
import { make, registeredIds } from './registry.js';
import { Rng, type RngState } from './rng.js';
import { Box, Discrete } from './spaces.js';
import type { Env, ResetOptions, ResetResult, StepResult } from './types.js';
import { ClipAction } from './wrappers/clip_action.js';
import { NormalizeObservation } from './wrappers/normalize_observation.js';
import { RecordEpisodeStatistics } from './wrappers/record_episode_statistics.js';
import { TimeLimit } from './wrappers/time_limit.js';

/** A small env that keeps the contract but cannot save its state: a 1-D random walk. */
class BareWalk implements Env {
  readonly id: string = 'Walk';
  observationSpace = new Box([-10], [10]);
  actionSpace: Box | Discrete = new Discrete(2);
  protected x = 0;
  protected rng = new Rng(0);
  get unwrapped(): Env {
    return this;
  }
  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.x = this.rng.uniform(-1, 1);
    return { obs: Float32Array.of(this.x), info: {} };
  }
  step(action: unknown): StepResult {
    if (action !== 0 && action !== 1) throw new RangeError(`Walk: action ${String(action)} is not in Discrete(2)`);
    this.x += action === 1 ? 0.5 : -0.5;
    const terminated = Math.abs(this.x) >= 9;
    return { obs: Float32Array.of(this.x), reward: -Math.abs(this.x), terminated, truncated: false, info: {} };
  }
  close(): void {}
}

/** The walk with `getState` / `setState`: a small, correct env; deliberately broken variants override one thing. */
class Walk extends BareWalk {
  getState(): { x: number; rng: RngState } {
    return { x: this.x, rng: this.rng.getState() };
  }
  setState(s: { x: number; rng: RngState }): void {
    this.x = s.x;
    this.rng = Rng.fromState(s.rng);
  }
}

const checks = (env: Env): string[] => checkEnv(env).map((f) => f.check);

describe('checkEnv', () => {
  it('finds nothing wrong with our envs, bare, made and wrapped', () => {
    for (const id of registeredIds().slice(0, 5)) {
      expect(checkEnv(make(id)), id).toEqual([]);
      expect(checkEnv(new RecordEpisodeStatistics(make(id))), id).toEqual([]);
    }
    expect(checkEnv(new Walk())).toEqual([]);
    expect(checkEnv(new ClipAction(make('Pendulum-v1')))).toEqual([]);
  });

  it('finds a Float64Array observation', () => {
    class F64 extends Walk {
      override reset(o?: ResetOptions): ResetResult {
        const r = super.reset(o);
        return { obs: Float64Array.from(r.obs) as unknown as Float32Array, info: {} };
      }
    }
    const f = checkEnv(new F64());
    expect(f.map((x) => x.check)).toContain('reset-obs-type');
    expect(f[0]!.problem).toMatch(/Float64Array/);
    expect(f[0]!.fix).toMatch(/Float32Array/);
  });

  it('finds observations outside the space and of the wrong length', () => {
    class Out extends Walk {
      override observationSpace = new Box([5], [10]);
    }
    expect(checks(new Out())).toContain('reset-obs-bounds');
    class Long extends Walk {
      override observationSpace = new Box([-10, -10], [10, 10]);
    }
    expect(checks(new Long())).toContain('reset-obs-shape');
  });

  it('finds unseeded randomness, ignored seeds, and nondeterministic steps', () => {
    let global = 0;
    class Unseeded extends Walk {
      override reset(): ResetResult {
        this.x = (global++ % 7) / 10;
        return { obs: Float32Array.of(this.x), info: {} };
      }
    }
    expect(checks(new Unseeded())).toContain('reset-seed-determinism');
    class Fixed extends Walk {
      override reset(): ResetResult {
        this.x = 0;
        return { obs: Float32Array.of(0), info: {} };
      }
    }
    expect(checks(new Fixed())).toContain('reset-seed-ignored');
    let noise = 0;
    class Noisy extends Walk {
      override step(a: unknown): StepResult {
        const r = super.step(a);
        return { ...r, reward: r.reward + (noise++ % 3) };
      }
    }
    expect(checks(new Noisy())).toContain('step-determinism');
  });

  it('finds a NaN reward, numeric flags, a missing info and a merged done', () => {
    class NanReward extends Walk {
      override step(a: unknown): StepResult {
        return { ...super.step(a), reward: Number.NaN };
      }
    }
    expect(checks(new NanReward())).toContain('step-reward');
    class NumFlags extends Walk {
      override step(a: unknown): StepResult {
        const r = super.step(a);
        return { ...r, terminated: 0 as unknown as boolean };
      }
    }
    const f = checkEnv(new NumFlags());
    expect(f.map((x) => x.check)).toContain('step-flags');
    expect(f.find((x) => x.check === 'step-flags')!.fix).toMatch(/booleans/);
    class NoInfo extends Walk {
      override step(a: unknown): StepResult {
        return { ...super.step(a), info: null as unknown as Record<string, unknown> };
      }
    }
    expect(checks(new NoInfo())).toContain('step-info');
  });

  it('finds an env that accepts an action outside its space, or refuses with the wrong error', () => {
    class Lenient extends Walk {
      override step(a: unknown): StepResult {
        return super.step(a === 1 ? 1 : 0);
      }
    }
    expect(checks(new Lenient())).toContain('bad-action');
    class WrongError extends Walk {
      override step(a: unknown): StepResult {
        if (a !== 0 && a !== 1) throw new Error('bad');
        return super.step(a);
      }
    }
    expect(checks(new WrongError())).toContain('bad-action-error');
  });

  it('finds malformed spaces and a reset that returns a tuple', () => {
    class BadSpace extends Walk {
      override observationSpace = [0, 1] as unknown as Box;
    }
    expect(checks(new BadSpace())).toEqual(['observation-space']);
    class StringSpace extends Walk {
      override actionSpace = 'Discrete(2)' as unknown as Discrete;
    }
    expect(checks(new StringSpace())).toEqual(['action-space']);
    class Tuple extends Walk {
      override reset(): ResetResult {
        return [Float32Array.of(0), {}] as unknown as ResetResult;
      }
    }
    expect(checks(new Tuple())).toContain('reset-return');
  });

  it('a missing getState/setState is a warning that says what it costs; wrappers do not pretend to have them', () => {
    const f = checkEnv(new BareWalk());
    expect(f.map((x) => [x.check, x.severity])).toEqual([['state-missing', 'warning']]);
    expect(f[0]!.problem).toMatch(/no getState\(\) and setState\(\): a resumed training run .* restarts the envs' episodes .* instead of continuing them bit-identically/);
    const wrapped = new TimeLimit(new BareWalk(), 50);
    expect('getState' in wrapped || 'setState' in wrapped).toBe(false);
    expect(checkEnv(wrapped).map((x) => [x.check, x.severity])).toEqual([['state-missing', 'warning']]);
    expect('getState' in new TimeLimit(new Walk(), 50)).toBe(true);
    class HalfWalk extends BareWalk {
      getState(): number {
        return this.x;
      }
    }
    expect(checkEnv(new HalfWalk())[0]!.problem).toMatch(/^env has no setState\(\)/);
  });

  it('finds a saved state that misses what the next steps depend on, or that a checkpoint cannot hold', () => {
    /** A walk whose steps draw from its Rng, so the Rng state matters. */
    class NoisyWalk extends Walk {
      override step(a: unknown): StepResult {
        const r = super.step(a);
        this.x += this.rng.uniform(-0.1, 0.1);
        return { ...r, obs: Float32Array.of(this.x) };
      }
    }
    expect(checkEnv(new NoisyWalk())).toEqual([]);
    class Forgetful extends NoisyWalk {
      override setState(s: { x: number; rng: RngState }): void {
        this.x = s.x; // the Rng state is not restored
      }
    }
    expect(checks(new Forgetful())).toEqual(['state-roundtrip']);
    class Unclonable extends Walk {
      override getState(): { x: number; rng: RngState } {
        return { ...super.getState(), f: () => 0 } as { x: number; rng: RngState };
      }
    }
    expect(checks(new Unclonable())).toEqual(['state-clone']);
  });

  it('checks NormalizeObservation-wrapped envs with frozen statistics (updating ones are non-stationary by design)', () => {
    expect(checkEnv(new NormalizeObservation(make('CartPole-v1'), { update: false }))).toEqual([]);
    expect(checks(new NormalizeObservation(make('CartPole-v1')))).toContain('step-determinism');
  });
});
