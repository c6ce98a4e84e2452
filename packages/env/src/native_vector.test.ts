import { describe, expect, it } from 'vitest';
import { CartPoleVectorEnv } from './cartpole.js';
import { makeVec, registeredIds } from './registry.js';
import { Rng } from './rng.js';
import type { VectorEnv } from './types.js';

/** Random actions for N envs from a seeded stream (discrete indices or Box values, some outside the bounds). */
function randomActions(venv: VectorEnv, rng: Rng): Float64Array {
  const a = new Float64Array(venv.numEnvs * venv.actionDim);
  const sp = venv.singleActionSpace;
  for (let k = 0; k < a.length; k++) a[k] = sp.type === 'Discrete' ? rng.int(sp.n) : rng.uniform(-1.5 * sp.high[0]!, 1.5 * sp.high[0]!);
  return a;
}

describe('native vector envs match the generic SyncVectorEnv', () => {
  for (const id of registeredIds()) {
    it(`${id}: identical transitions, episode ends and autoresets over many steps`, () => {
      const n = 5;
      // Short time limits make truncations happen in a few hundred steps; CartPole and Acrobot also terminate.
      const max = id === 'CartPole-v1' ? 40 : 60;
      const nat = makeVec(id, n, { vectorization: 'native', maxEpisodeSteps: max });
      const gen = makeVec(id, n, { vectorization: 'generic', maxEpisodeSteps: max });
      // Acrobot from wide random starts (some near the goal) so episodes terminate within the test.
      const opts = id === 'Acrobot-v1' ? { seed: 7, options: { low: -3, high: 3 } } : { seed: 7 };
      const ra = nat.reset(opts);
      const rb = gen.reset(opts);
      expect(Array.from(ra.obs)).toEqual(Array.from(rb.obs));
      const rng = new Rng(3);
      let terminations = 0;
      let truncations = 0;
      for (let t = 0; t < 300; t++) {
        const acts = randomActions(nat, rng);
        const a = nat.step(acts);
        const b = gen.step(acts);
        expect(Array.from(a.obs), `step ${t} obs`).toEqual(Array.from(b.obs));
        expect(Array.from(a.rewards), `step ${t} rewards`).toEqual(Array.from(b.rewards));
        expect(Array.from(a.terminated), `step ${t} terminated`).toEqual(Array.from(b.terminated));
        expect(Array.from(a.truncated), `step ${t} truncated`).toEqual(Array.from(b.truncated));
        for (let i = 0; i < n; i++) {
          const ended = a.terminated[i] || a.truncated[i];
          expect(a.finalInfo[i] !== undefined, `step ${t} env ${i} finalInfo`).toBe(Boolean(ended));
          expect(b.finalInfo[i] !== undefined).toBe(Boolean(ended));
          if (ended) {
            const d = nat.obsDim;
            expect(Array.from(a.finalObs.subarray(i * d, i * d + d))).toEqual(Array.from(b.finalObs.subarray(i * d, i * d + d)));
          }
          terminations += a.terminated[i]!;
          truncations += a.truncated[i]!;
        }
      }
      expect(truncations).toBeGreaterThan(0);
      if (id === 'CartPole-v1' || id === 'Acrobot-v1') expect(terminations).toBeGreaterThan(0);
    });
  }

  it('MountainCar and MountainCarContinuous terminations also match (started near the goal)', () => {
    for (const id of ['MountainCar-v0', 'MountainCarContinuous-v0']) {
      const nat = makeVec(id, 3, { vectorization: 'native' });
      const gen = makeVec(id, 3, { vectorization: 'generic' });
      const opts = { seed: 1, options: { low: 0.3, high: 0.45 } };
      nat.reset(opts);
      gen.reset(opts);
      let terminated = 0;
      const acts = id === 'MountainCar-v0' ? [2, 2, 2] : [1, 1, 1];
      for (let t = 0; t < 150; t++) {
        const a = nat.step(acts);
        const b = gen.step(acts);
        expect(Array.from(a.obs)).toEqual(Array.from(b.obs));
        expect(Array.from(a.rewards)).toEqual(Array.from(b.rewards));
        expect(Array.from(a.terminated)).toEqual(Array.from(b.terminated));
        terminated += a.terminated.reduce((x, y) => x + y, 0);
      }
      expect(terminated).toBeGreaterThan(0);
    }
  });
});

describe('native vector env behaviour', () => {
  it('env i starts the same whatever N is (its own stream seeded seed + i)', () => {
    const small = new CartPoleVectorEnv(2);
    const big = new CartPoleVectorEnv(16);
    const a = small.reset({ seed: 100 }).obs.slice();
    const b = big.reset({ seed: 100 }).obs.slice();
    expect(Array.from(a)).toEqual(Array.from(b.subarray(0, 8)));
    // and its later episodes too: step both with env 0, 1 always pushing right
    for (let t = 0; t < 60; t++) {
      const ra = small.step([1, 1]);
      const rb = big.step(new Array(16).fill(1));
      expect(Array.from(ra.obs)).toEqual(Array.from(rb.obs.subarray(0, 8)));
    }
  });

  it('autoreset is SAME_STEP: terminal obs in finalObs, new start in obs, step count restarts', () => {
    const venv = new CartPoleVectorEnv(1, { maxEpisodeSteps: 500 });
    venv.reset({ seed: 0 });
    let t = 0;
    let r = venv.step([1]);
    while (!r.terminated[0]) {
      r = venv.step([1]);
      t++;
    }
    expect(t).toBeLessThan(100);
    expect(r.finalInfo[0]).toEqual({});
    expect(Math.abs(r.finalObs[2]!) > 0.2 || Math.abs(r.finalObs[0]!) > 2.4).toBe(true);
    for (const v of r.obs) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    expect(r.rewards[0]).toBe(1);
    const next = venv.step([0]);
    expect(next.finalInfo[0]).toBeUndefined();
    expect(next.terminated[0]).toBe(0);
  });

  it('truncates each env at its own time limit', () => {
    const venv = makeVec('Pendulum-v1', 3, { maxEpisodeSteps: 4, seed: 0 });
    venv.reset();
    const acts = [0, 0, 0];
    for (let t = 1; t <= 8; t++) {
      const r = venv.step(acts);
      const expectTrunc = t % 4 === 0 ? 1 : 0;
      expect(Array.from(r.truncated)).toEqual([expectTrunc, expectTrunc, expectTrunc]);
      expect(Array.from(r.terminated)).toEqual([0, 0, 0]);
    }
  });

  it('reuses its output buffers (no per-step allocation of results)', () => {
    const venv = new CartPoleVectorEnv(4);
    venv.reset({ seed: 1 });
    const a = venv.step([0, 1, 0, 1]);
    const b = venv.step([1, 0, 1, 0]);
    expect(b).toBe(a);
    expect(b.obs).toBe(a.obs);
  });

  it('getEnvState / setEnvState reach one env of the batch', () => {
    const venv = new CartPoleVectorEnv(3);
    venv.reset({ seed: 2 });
    venv.setEnvState(1, [0.1, 0.2, 0.03, -0.4]);
    expect(Array.from(venv.getEnvState(1))).toEqual([0.1, 0.2, 0.03, -0.4]);
    expect(() => venv.setEnvState(3, [0, 0, 0, 0])).toThrow(/batch index 3/);
    expect(() => venv.setEnvState(0, [0, 0, 0])).toThrow(/4 values/);
  });

  it('makeVec seed option seeds the first reset', () => {
    const a = makeVec('Acrobot-v1', 4, { seed: 9 }).reset().obs.slice();
    const b = makeVec('Acrobot-v1', 4).reset({ seed: 9 }).obs.slice();
    const c = makeVec('Acrobot-v1', 4, { seed: 9, vectorization: 'generic' }).reset().obs.slice();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).toEqual(Array.from(c));
  });
});
