/**
 * Every golden transition (Gymnasium 1.x's own output, packages/env/golden/classic_control.json)
 * replayed against our envs: inject `state`, step `action`, compare next state, float32
 * observation, reward, terminated and truncated. Then each trajectory replayed whole from `start`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AcrobotEnv } from './acrobot.js';
import { CartPoleEnv } from './cartpole.js';
import type { ClassicControlEnv } from './classic_env.js';
import { MountainCarEnv } from './mountain_car.js';
import { MountainCarContinuousEnv } from './mountain_car_continuous.js';
import { PendulumEnv } from './pendulum.js';
import { makeVec } from './registry.js';
import type { NativeVectorEnv } from './native_vector.js';

interface GoldenStep {
  state: number[];
  action: number | number[];
  next_state: number[];
  obs: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface Golden {
  envs: Record<string, { trajectories: { start: number[]; steps: GoldenStep[] }[] }>;
}

const golden = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'classic_control.json'), 'utf8'),
) as Golden;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClassic = ClassicControlEnv<any, any, any>;
const factories: Record<string, () => AnyClassic> = {
  'CartPole-v1': () => new CartPoleEnv(),
  'Acrobot-v1': () => new AcrobotEnv(),
  'MountainCar-v0': () => new MountainCarEnv(),
  'MountainCarContinuous-v0': () => new MountainCarContinuousEnv(),
  'Pendulum-v1': () => new PendulumEnv(),
};

/** |a − b| ≤ tol, relative to |b| where |b| > 1. */
function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

function toAction(a: number | number[]): number | number[] {
  return a;
}

/**
 * Reward tolerance. Pendulum's 0.001·u² term is float32 in Gymnasium and its u² comes from
 * the C library's powf, which is not correctly rounded near rounding midpoints: there the
 * reward may differ by one float32 ulp of that term (see pendulum.ts). Elsewhere 1e-12.
 */
function rewardTol(name: string, action: number | number[]): number {
  if (name !== 'Pendulum-v1') return 1e-12;
  const u = Math.min(Math.max(Math.fround((action as number[])[0]!), -2), 2);
  const term = Math.fround(Math.fround(0.001) * Math.fround(u * u));
  return Math.max(1e-12, term * 2 ** -23);
}

describe('golden transitions (Gymnasium 1.x)', () => {
  it('covers all five envs', () => {
    expect(Object.keys(golden.envs).sort()).toEqual(Object.keys(factories).sort());
  });

  for (const [name, make] of Object.entries(factories)) {
    it(`${name}: every single step from an injected state matches`, () => {
      const env = make();
      const g = golden.envs[name]!;
      let n = 0;
      let worstState = 0;
      let looseRewards = 0;
      for (const [ti, tr] of g.trajectories.entries()) {
        for (const [j, st] of tr.steps.entries()) {
          const where = `${name} trajectory ${ti} step ${j}`;
          env.state = Float64Array.from(st.state);
          const r = env.step(toAction(st.action));
          const ns = env.state;
          for (let k = 0; k < ns.length; k++) {
            const d = Math.abs(ns[k]! - st.next_state[k]!) / Math.max(1, Math.abs(st.next_state[k]!));
            worstState = Math.max(worstState, d);
            if (!close(ns[k]!, st.next_state[k]!, 1e-12)) expect.fail(`${where}: next_state[${k}] ${ns[k]} vs ${st.next_state[k]}`);
          }
          expect(r.obs, where).toBeInstanceOf(Float32Array);
          expect(Array.from(r.obs), where).toEqual(st.obs);
          if (Math.abs(r.reward - st.reward) > 1e-12) looseRewards++;
          if (Math.abs(r.reward - st.reward) > rewardTol(name, st.action)) expect.fail(`${where}: reward ${r.reward} vs ${st.reward}`);
          expect(r.terminated, where).toBe(st.terminated);
          expect(r.truncated, where).toBe(st.truncated);
          n++;
        }
      }
      expect(n).toBeGreaterThan(0);
      expect(worstState).toBeLessThanOrEqual(1e-12);
      // Only Pendulum's powf near-ties may need the looser reward tolerance, and rarely (2 of 960 here).
      expect(looseRewards).toBeLessThanOrEqual(name === 'Pendulum-v1' ? 2 : 0);
    });

    it(`${name}: whole trajectories replayed from start`, () => {
      const env = make();
      const g = golden.envs[name]!;
      // Acrobot is chaotic: RK4 amplifies last-bit differences of sin/cos (V8's fdlibm vs the C
      // library NumPy calls) step after step. Over these 120-step trajectories the worst drift
      // measured was 1.2e-14, so the single-step tolerance holds here too; much longer
      // trajectories would need a looser one.
      const tol = 1e-12;
      for (const [ti, tr] of g.trajectories.entries()) {
        env.state = Float64Array.from(tr.start);
        for (const [j, st] of tr.steps.entries()) {
          const where = `${name} trajectory ${ti} step ${j}`;
          const r = env.step(toAction(st.action));
          const ns = env.state;
          for (let k = 0; k < ns.length; k++) {
            if (!close(ns[k]!, st.next_state[k]!, tol)) expect.fail(`${where}: next_state[${k}] ${ns[k]} vs ${st.next_state[k]} (tol ${tol})`);
          }
          expect(r.terminated, where).toBe(st.terminated);
          if (Math.abs(r.reward - st.reward) > Math.max(tol, rewardTol(name, st.action))) expect.fail(`${where}: reward ${r.reward} vs ${st.reward}`);
        }
      }
    });
  }

  for (const name of Object.keys(factories)) {
    it(`${name}: the native vector env reproduces every golden step in one batch`, () => {
      const steps = golden.envs[name]!.trajectories.flatMap((t) => t.steps);
      const n = steps.length;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const venv = makeVec(name, n, { vectorization: 'native', maxEpisodeSteps: null, seed: 0 }) as NativeVectorEnv<any, any, any>;
      venv.reset();
      steps.forEach((st, i) => venv.setEnvState(i, st.state));
      const actions = new Float64Array(n);
      steps.forEach((st, i) => (actions[i] = Array.isArray(st.action) ? st.action[0]! : st.action));
      const r = venv.step(actions);
      const d = venv.obsDim;
      steps.forEach((st, i) => {
        const where = `${name} batch index ${i}`;
        expect(r.terminated[i] === 1, where).toBe(st.terminated);
        expect(r.truncated[i], where).toBe(0);
        const obs = st.terminated ? r.finalObs : r.obs;
        expect(Array.from(obs.subarray(i * d, i * d + d)), where).toEqual(st.obs);
        if (Math.abs(r.rewards[i]! - st.reward) > rewardTol(name, st.action)) expect.fail(`${where}: reward ${r.rewards[i]} vs ${st.reward}`);
        if (!st.terminated) {
          const ns = venv.getEnvState(i);
          for (let k = 0; k < ns.length; k++) if (!close(ns[k]!, st.next_state[k]!, 1e-12)) expect.fail(`${where}: next_state[${k}] ${ns[k]} vs ${st.next_state[k]}`);
        }
      });
    });
  }
});
