import { describe, expect, it } from 'vitest';
import { makeVec } from './registry.js';
import { Rng } from './rng.js';
import type { VectorEnv } from './types.js';

/** Random valid actions for every env of `env`. */
function actions(env: VectorEnv, rng: Rng): Float32Array {
  const sp = env.singleActionSpace;
  const a = new Float32Array(env.numEnvs * env.actionDim);
  for (let k = 0; k < a.length; k++) a[k] = sp.type === 'Discrete' ? rng.int(sp.n) : rng.uniform(sp.low[k % env.actionDim]!, sp.high[k % env.actionDim]!);
  return a;
}

/** Every step's outputs (copied) for `steps` steps with actions from `seed`. */
function run(env: VectorEnv, steps: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const r = env.step(actions(env, rng));
    out.push([...r.obs, ...r.rewards, ...r.terminated, ...r.truncated]);
  }
  return out;
}

describe('whole vector env state: getState() / setState()', () => {
  const cases = [
    ['CartPole-v1', 'native'],
    ['MountainCarContinuous-v0', 'native'],
    ['Pendulum-v1', 'generic'],
    ['Acrobot-v1', 'generic'],
  ] as const;
  for (const [id, vectorization] of cases) {
    it(`${id} (${vectorization}): a fresh env set to a saved state continues identically (time limits and resets included)`, () => {
      const a = makeVec(id, 5, { seed: 3, vectorization, maxEpisodeSteps: 40 });
      a.reset();
      run(a, 57, 1); // mid-episode, after some time-limit truncations and autoresets
      const saved = structuredClone(a.getState!());
      const expected = run(a, 90, 2);
      const b = makeVec(id, 5, { seed: 99, vectorization, maxEpisodeSteps: 40 });
      b.reset();
      (b.setState as (s: unknown) => void)(saved);
      expect(b.getState!()).toEqual(saved);
      expect(run(b, 90, 2)).toEqual(expected);
    });
  }

  it('refuses a state of another env or size, naming both', () => {
    const a = makeVec('CartPole-v1', 3, { seed: 1 });
    a.reset();
    const b = makeVec('CartPole-v1', 4, { seed: 1 });
    expect(() => (b.setState as (s: unknown) => void)(a.getState!())).toThrow(/the state is of 3 × CartPole-v1, this env is 4 × CartPole-v1/);
    const g = makeVec('CartPole-v1', 3, { seed: 1, vectorization: 'generic' });
    expect(() => (g.setState as (s: unknown) => void)(a.getState!())).toThrow(/not a SyncVectorEnv state \(kind native\)/);
  });
});
