import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from '../cartpole.js';
import { make, makeVec } from '../registry.js';
import { Box, Discrete } from '../spaces.js';
import type { Env, ResetResult, StatefulEnv, StepResult } from '../types.js';
import { ClipAction } from './clip_action.js';
import { NormalizeObservation, NormalizeObservationVector } from './normalize_observation.js';
import { RecordEpisodeStatistics, RecordEpisodeStatisticsVector } from './record_episode_statistics.js';
import { TimeLimit } from './time_limit.js';
import { TransformReward } from './transform_reward.js';
import { hasState } from './wrapper.js';

describe('TimeLimit', () => {
  it('truncates at the limit, may report terminated on the same step, refuses a further step', () => {
    const env = new TimeLimit(new CartPoleEnv(), 2);
    env.reset({ seed: 0 });
    expect(env.step(0).truncated).toBe(false);
    expect(env.elapsedSteps).toBe(1);
    const r = env.step(0);
    expect(r.truncated).toBe(true);
    expect(r.terminated).toBe(false);
    expect(() => env.step(0)).toThrow(/truncated at 2 steps; call reset\(\)/);
    env.reset();
    expect(env.elapsedSteps).toBe(0);
    (env.unwrapped as StatefulEnv).state = new Float64Array([2.37, 1, 0, 0]);
    expect(env.step(1).terminated).toBe(false);
    const both = env.step(1);
    expect(both.terminated).toBe(true);
    expect(both.truncated).toBe(true);
    expect(() => new TimeLimit(new CartPoleEnv(), 0)).toThrow(/positive integer/);
  });
});

describe('RecordEpisodeStatistics', () => {
  it('puts { r, l, t } in the last step’s info and keeps the recent episodes', () => {
    const env = new RecordEpisodeStatistics(make('CartPole-v1'), 2);
    for (let ep = 0; ep < 3; ep++) {
      env.reset({ seed: ep });
      let r = env.step(1);
      let sum = r.reward;
      let len = 1;
      while (!r.terminated && !r.truncated) {
        expect(r.info.episode).toBeUndefined();
        r = env.step(1);
        sum += r.reward;
        len++;
      }
      const e = r.info.episode as { r: number; l: number; t: number };
      expect(e.r).toBe(sum);
      expect(e.l).toBe(len);
      expect(e.t).toBeGreaterThanOrEqual(0);
    }
    expect(env.returnQueue.length).toBe(2);
    expect(env.episodeCount).toBe(3);
    expect(env.popEpisodes().lengths.length).toBe(3);
    expect(env.popEpisodes().lengths.length).toBe(0);
  });

  it('vector form: per-env returns and lengths in finalInfo, as many episodes as ended', () => {
    const venv = new RecordEpisodeStatisticsVector(makeVec('CartPole-v1', 4, { seed: 3 }));
    venv.reset();
    const sums = [0, 0, 0, 0];
    let ended = 0;
    for (let t = 0; t < 200; t++) {
      const r = venv.step([1, 0, 1, 0]);
      for (let i = 0; i < 4; i++) {
        sums[i]! += r.rewards[i]!;
        if (r.terminated[i] || r.truncated[i]) {
          const e = r.finalInfo[i]!.episode as { r: number; l: number };
          expect(e.r).toBe(sums[i]);
          expect(e.l).toBe(sums[i]); // CartPole: reward 1 per step
          sums[i] = 0;
          ended++;
        }
      }
    }
    expect(ended).toBeGreaterThan(10);
    const { returns, lengths } = venv.popEpisodes();
    expect(returns.length).toBe(ended);
    expect(lengths).toEqual(returns);
  });
});

describe('ClipAction', () => {
  it('clips into the bounds explicitly (Infinity too), still refuses NaN and a wrong length', () => {
    const clipped = new ClipAction(make('Pendulum-v1'));
    const plain = make('Pendulum-v1');
    expect(clipped.actionSpace.toString()).toContain('Infinity');
    clipped.reset({ seed: 4 });
    plain.reset({ seed: 4 });
    const a = clipped.step([Infinity]);
    const b = plain.step([2]);
    expect(Array.from(a.obs)).toEqual(Array.from(b.obs));
    expect(a.reward).toBe(b.reward);
    expect(() => clipped.step([Number.NaN])).toThrow(/NaN cannot be clipped/);
    expect(() => clipped.step([1, 2])).toThrow(/array of 1 number/);
    expect(() => new ClipAction(make('CartPole-v1'))).toThrow(/needs a Box action space, got Discrete\(2\)/);
  });
});

describe('TransformReward', () => {
  it('maps rewards and nothing else', () => {
    const env = new TransformReward(make('CartPole-v1'), (r) => r * 0.5);
    env.reset({ seed: 0 });
    expect(env.step(0).reward).toBe(0.5);
    const bad = new TransformReward(make('CartPole-v1'), () => Number.NaN);
    bad.reset({ seed: 0 });
    expect(() => bad.step(0)).toThrow(/fn returned NaN/);
  });
});

describe('NormalizeObservation', () => {
  it('normalises with running statistics; stats round-trip through getStats / setStats', () => {
    const env = new NormalizeObservation(make('Pendulum-v1'));
    env.reset({ seed: 0 });
    let last = env.step([1]).obs;
    for (let t = 0; t < 150; t++) last = env.step([1]).obs;
    const s = env.getStats();
    expect(s.count).toBeCloseTo(152 + 1e-4, 8);
    expect(s.mean).toBeInstanceOf(Float32Array);
    // a frozen copy with the same statistics normalises the same observation the same way
    const copy = new NormalizeObservation(make('Pendulum-v1'), { update: false });
    copy.setStats(s);
    const raw = (env.unwrapped as StatefulEnv).state;
    (copy.unwrapped as StatefulEnv).state = raw;
    const o1 = copy.step([1]).obs;
    const expected = new Float32Array(3);
    const base = make('Pendulum-v1', { maxEpisodeSteps: null }) as StatefulEnv;
    base.state = raw;
    const ob = base.step([1]).obs;
    for (let k = 0; k < 3; k++) expected[k] = (ob[k]! - s.mean[k]!) / Math.sqrt(s.var[k]! + s.epsilon);
    for (let k = 0; k < 3; k++) expect(o1[k]).toBeCloseTo(expected[k]!, 5);
    expect(copy.getStats().count).toBe(s.count); // frozen
    expect(last.length).toBe(3);
    expect(() => copy.setStats({ ...s, mean: new Float32Array(2) })).toThrow(/mean of length 2 .* observation has 3/);
    expect(() => copy.setStats({ ...s, var: Float32Array.from([1, -1, 1]) })).toThrow(/stats element 1 is invalid/);
    expect(copy.getStats().mean).toEqual(s.mean); // unchanged by the rejected calls
    expect(hasState(env.unwrapped)).toBe(true);
  });

  it('vector form normalises the batch and the final observations of ended envs', () => {
    const venv = new NormalizeObservationVector(makeVec('CartPole-v1', 8, { seed: 1 }), { clip: 5 });
    venv.reset();
    let sawEnd = false;
    for (let t = 0; t < 100; t++) {
      const r = venv.step([1, 1, 1, 1, 0, 0, 0, 0]);
      for (const v of r.obs) expect(Math.abs(v)).toBeLessThanOrEqual(5);
      for (let i = 0; i < 8; i++) {
        if (r.terminated[i]) {
          sawEnd = true;
          const row = r.finalObs.subarray(i * 4, i * 4 + 4);
          for (const v of row) expect(Math.abs(v)).toBeLessThanOrEqual(5);
        }
      }
    }
    expect(sawEnd).toBe(true);
    const s = venv.getStats();
    expect(s.count).toBeCloseTo(8 * 101 + 1e-4, 6);
    expect(s.clip).toBe(5);
  });
});

describe('getState / setState through wrappers', () => {
  /** Steps `env` with alternating actions until `n` steps or an episode end; the transitions. */
  const play = (env: ReturnType<typeof make>, n: number, action: (t: number) => number | number[]): unknown[] => {
    const out: unknown[] = [];
    for (let t = 0; t < n; t++) {
      const r = env.step(action(t));
      out.push([...r.obs, r.reward, r.terminated, r.truncated, (r.info.episode as { l?: number } | undefined)?.l]);
      if (r.terminated || r.truncated) break;
    }
    return out;
  };

  it('a fresh stack of wrappers set to a saved state continues exactly (own state included)', () => {
    const build = () => new RecordEpisodeStatistics(new NormalizeObservation(new TransformReward(make('Pendulum-v1', { maxEpisodeSteps: 30 }), (r) => r / 16)));
    const a = build();
    a.reset({ seed: 4 });
    play(a, 17, (t) => [Math.sin(t)]);
    const saved = structuredClone(a.getState!());
    expect(saved).toMatchObject({ kind: 'recordEpisodeStatistics', len: 17, env: { kind: 'normalizeObservation', env: { kind: 'wrapper', env: { kind: 'timeLimit', elapsed: 17 } } } });
    const expected = play(a, 20, (t) => [Math.cos(t)]);
    const b = build();
    b.reset({ seed: 99 });
    b.setState!(saved as never);
    expect(play(b, 20, (t) => [Math.cos(t)])).toEqual(expected); // truncated at 30 = 17 + 13, episode length 30 in info
    expect(expected).toHaveLength(13);
  });

  it('are there exactly when the wrapped env has both, and refuse a state of another wrapper without changing anything', () => {
    /** A contract-keeping env without getState / setState: counts its steps. */
    class Counter implements Env {
      readonly id = 'Counter';
      readonly observationSpace = new Box([0], [100]);
      readonly actionSpace = new Discrete(1);
      private n = 0;
      get unwrapped(): Env {
        return this;
      }
      reset(): ResetResult {
        this.n = 0;
        return { obs: Float32Array.of(0), info: {} };
      }
      step(): StepResult {
        return { obs: Float32Array.of(++this.n), reward: 1, terminated: false, truncated: false, info: {} };
      }
      close(): void {}
    }
    const noState = new Counter();
    for (const w of [new TimeLimit(noState, 5), new ClipAction(make('Pendulum-v1', { maxEpisodeSteps: null }) as never), new RecordEpisodeStatistics(noState)]) {
      const inner = (w as { env: object }).env;
      expect('getState' in w, w.constructor.name).toBe('getState' in inner);
      expect('setState' in w, w.constructor.name).toBe('setState' in inner);
    }
    const env = make('CartPole-v1', { maxEpisodeSteps: 10 });
    env.reset({ seed: 1 });
    env.step(1);
    const before = structuredClone(env.getState!()) as Record<string, unknown>;
    expect(() => env.setState!({ kind: 'normalizeObservation', env: null } as never)).toThrow(/TimeLimit\(CartPole-v1\).setState: not a timeLimit state \(kind normalizeObservation\)/);
    expect(() => env.setState!({ ...before, elapsed: -1 } as never)).toThrow(/elapsed must be an integer ≥ 0/);
    expect(env.getState!()).toEqual(before);
  });
});
