import { Rng, acrobotDefaultParams, cartPoleDefaultParams, make, mountainCarContinuousDefaultParams, mountainCarDefaultParams, type StatefulEnv } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { describe, expect, it } from 'vitest';
import { TENSOR_ENVS, makeTensorVec } from './index.js';

interface Case {
  /** A random state (float32-representable, so both sides start from the same numbers). */
  state: (r: Rng) => number[];
  /** A random action (discrete index, or the one Box value, deliberately past the bounds to exercise clipping). */
  action: (r: Rng) => number;
  /** Distance of a next state (JS, float64) from the termination boundary; terminated is compared only where it is > 1e-4. */
  margin: (s: Float64Array) => number;
}

const PI = Math.PI;
const cases: Record<string, Case> = {
  'CartPole-v1': {
    state: (r) => [r.uniform(-2.3, 2.3), r.uniform(-2, 2), r.uniform(-0.2, 0.2), r.uniform(-2, 2)],
    action: (r) => r.int(2),
    margin: (s) => Math.min(Math.abs(Math.abs(s[0]!) - cartPoleDefaultParams.x_threshold), Math.abs(Math.abs(s[2]!) - cartPoleDefaultParams.theta_threshold_radians)),
  },
  'Acrobot-v1': {
    state: (r) => [r.uniform(-PI, PI), r.uniform(-PI, PI), r.uniform(-acrobotDefaultParams.max_vel_1, acrobotDefaultParams.max_vel_1), r.uniform(-acrobotDefaultParams.max_vel_2, acrobotDefaultParams.max_vel_2)],
    action: (r) => r.int(3),
    margin: (s) => Math.abs(-Math.cos(s[0]!) - Math.cos(s[1]! + s[0]!) - 1),
  },
  'MountainCar-v0': {
    state: (r) => [r.uniform(-1.2, 0.55), r.uniform(-0.07, 0.07)],
    action: (r) => r.int(3),
    margin: (s) => Math.min(Math.abs(s[0]! - mountainCarDefaultParams.goal_position), Math.abs(s[1]!)),
  },
  'MountainCarContinuous-v0': {
    state: (r) => [r.uniform(-1.2, 0.55), r.uniform(-0.07, 0.07)],
    action: (r) => r.uniform(-1.5, 1.5),
    margin: (s) => Math.min(Math.abs(s[0]! - mountainCarContinuousDefaultParams.goal_position), Math.abs(s[1]!)),
  },
  'Pendulum-v1': {
    state: (r) => [r.uniform(-2 * PI, 2 * PI), r.uniform(-8, 8)],
    action: (r) => r.uniform(-3, 3),
    margin: () => Infinity,
  },
};

const N = 256;

describe.each(['cpu', 'wasm'] as const)('tensor-native envs vs the JS envs on %s', (backend) => {
  it.each(Object.keys(TENSOR_ENVS))('%s: one step from the same states and actions', async (id) => {
    await initTf({ backend });
    const c = cases[id]!;
    const rng = new Rng(11);
    const states = Array.from({ length: N }, () => c.state(rng).map(Math.fround));
    const actions = Array.from({ length: N }, () => Math.fround(c.action(rng)));
    const tenv = makeTensorVec(id, N);
    const d = TENSOR_ENVS[id]!();
    const discrete = d.actionSpace.type === 'Discrete';
    const { obs, reward, term } = tf.tidy(() => {
      const s = tf.unstack(tf.tensor2d(states), 1) as tf.Tensor1D[];
      const a = discrete ? tf.tensor1d(actions, 'int32') : tf.tensor2d(actions, [N, 1]);
      const tr = d.step(s, a);
      return { obs: d.observe(tr.state).arraySync(), reward: tr.reward.arraySync(), term: tr.terminated.arraySync() };
    });

    const js = make(id, { maxEpisodeSteps: null }).unwrapped as StatefulEnv;
    js.reset({ seed: 0 });
    let comparedTerm = 0;
    let terminal = 0;
    for (let i = 0; i < N; i++) {
      js.state = Float64Array.from(states[i]!);
      const r = js.step(discrete ? actions[i]! : Float32Array.of(actions[i]!));
      const where = `${id} row ${i} state [${states[i]!.join(', ')}] action ${actions[i]}`;
      for (let k = 0; k < d.obsDim; k++) {
        const want = r.obs[k]!;
        expect(Math.abs(obs[i]![k]! - want), `${where} obs[${k}]: tensor ${obs[i]![k]} vs JS ${want}`).toBeLessThanOrEqual(2e-5 * (1 + Math.abs(want)));
      }
      expect(Math.abs(reward[i]! - r.reward), `${where} reward`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(r.reward)));
      if (c.margin(js.state) > 1e-4) {
        comparedTerm++;
        expect(term[i] === 1, `${where} terminated`).toBe(r.terminated);
        if (r.terminated) terminal++;
      }
    }
    expect(comparedTerm).toBeGreaterThan(N * 0.9);
    if (id !== 'Pendulum-v1' && id !== 'Acrobot-v1') expect(terminal).toBeGreaterThan(0); // the boundary is exercised
    tenv.close();
  });

  it('kernels per step do not grow with N (no per-env ops)', async () => {
    await initTf({ backend });
    for (const id of Object.keys(TENSOR_ENVS)) {
      const counts: number[] = [];
      for (const n of [1, 300]) {
        const env = makeTensorVec(id, n, { seed: 1 });
        const a = env.singleActionSpace.type === 'Discrete' ? tf.zeros([n], 'int32') : tf.zeros([n, 1]);
        const p = await tf.profile(() => {
          const r = env.step(a);
          for (const x of Object.values(r)) x.dispose();
        });
        counts.push(p.kernels.length);
        a.dispose();
        env.close();
      }
      expect(counts[0], `${id}: kernels at N = 1 and 300`).toBe(counts[1]);
      expect(counts[0]).toBeGreaterThan(10);
    }
  });

  it('autoreset, truncation and the spaces agree with makeVec', async () => {
    await initTf({ backend });
    const { makeVec, spacesEqual } = await import('@rl/env');
    for (const id of Object.keys(TENSOR_ENVS)) {
      const jsv = makeVec(id, 2);
      const tv = makeTensorVec(id, 2);
      expect(spacesEqual(tv.singleObservationSpace, jsv.singleObservationSpace), `${id} observation space`).toBe(true);
      expect(spacesEqual(tv.singleActionSpace, jsv.singleActionSpace), `${id} action space`).toBe(true);
      expect(tv.maxEpisodeSteps).toBe(jsv.spec?.maxEpisodeSteps);
      tv.close();
    }
    // A CartPole pushed right from near the edge terminates; its row restarts while the other continues.
    const env = makeTensorVec('CartPole-v1', 2, { seed: 3, maxEpisodeSteps: 5 });
    env.reset();
    env.writeStates([
      [2.39, 1, 0, 0],
      [0, 0, 0, 0],
    ]);
    const a = tf.tensor1d([1, 0], 'int32');
    const r = env.step(a);
    expect(r.terminated.arraySync()).toEqual([1, 0]);
    expect(r.finalObs.arraySync()[0]![0]).toBeCloseTo(2.41, 5);
    const o = r.obs.arraySync();
    for (const v of o[0]!) expect(Math.abs(v)).toBeLessThanOrEqual(0.05); // fresh start
    expect(o[1]![1]).toBeCloseTo(-0.195, 3); // ẋ after one push left: τ·ẍ
    expect(r.episodeLength.arraySync()).toEqual([1, 1]);
    for (const x of Object.values(r)) x.dispose();
    // Row 1 is cut by the time limit at its 5th step; row 0's new episode has only 4 steps by then.
    let last;
    for (let k = 0; k < 4; k++) {
      const ak = tf.tensor1d([k % 2, (k + 1) % 2], 'int32');
      last = env.step(ak);
      ak.dispose();
      if (k < 3) for (const x of Object.values(last)) x.dispose();
    }
    expect(last!.truncated.arraySync()).toEqual([0, 1]);
    expect(last!.episodeLength.arraySync()).toEqual([4, 5]);
    expect(last!.episodeReturn.arraySync()).toEqual([4, 5]);
    for (const x of Object.values(last!)) x.dispose();
    a.dispose();
    env.close();
  });
});
