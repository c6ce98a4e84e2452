import { Box, Discrete, makeVec, type VectorEnv, type VectorStepResult } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { describe, expect, it } from 'vitest';
import { createRunner } from './rollout.js';
import { makeTensorVec } from './tensor_envs/index.js';

/**
 * Counts every read-back to the host: the public tensor methods, and the engine's read paths
 * they (and anything else reading a tensor) go through. Backend-internal memory access inside
 * cpu/wasm kernels (e.g. wasm's Slice reading its own heap) is not a host/device crossing and is
 * not counted.
 */
function countReadBacks<T>(fn: () => T): { result: T; count: number } {
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const engine = tf.engine() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const tensorNames = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'];
  const engineNames = ['readSync', 'read'];
  let tensorCalls = 0;
  let engineCalls = 0;
  const wrap = (obj: Record<string, (...a: unknown[]) => unknown>, names: string[], bump: () => void) => {
    const saved = names.map((n) => obj[n]!);
    names.forEach((n, k) => {
      obj[n] = function (this: unknown, ...a: unknown[]) {
        bump();
        return saved[k]!.apply(this, a);
      };
    });
    return () => names.forEach((n, k) => (obj[n] = saved[k]!));
  };
  const undoT = wrap(proto, tensorNames, () => tensorCalls++);
  const undoE = wrap(engine, engineNames, () => engineCalls++);
  try {
    const result = fn();
    // A tensor method reaches the engine once; a direct engine read counts on its own.
    return { result, count: Math.max(tensorCalls, engineCalls) };
  } finally {
    undoT();
    undoE();
  }
}

/** A small real VectorEnv that returns NaN in one env at one step (for the checkNaN error). */
class NaNAtStepEnv implements VectorEnv {
  readonly id = 'NaNAtStep-v0';
  readonly singleObservationSpace = new Box([-1, -1], [1, 1]);
  readonly singleActionSpace = new Discrete(2);
  readonly obsDim = 2;
  readonly actionDim = 1;
  private t = 0;
  constructor(
    readonly numEnvs: number,
    private readonly badEnv: number,
    private readonly badStep: number,
    private readonly what: 'obs' | 'reward',
  ) {}
  reset() {
    this.t = 0;
    return { obs: new Float32Array(this.numEnvs * 2), info: {} };
  }
  step(actions: ArrayLike<number>): VectorStepResult {
    const n = this.numEnvs;
    const obs = new Float32Array(n * 2);
    const rewards = new Float64Array(n);
    for (let i = 0; i < n; i++) obs[i * 2] = actions[i]! * 0.5;
    if (this.t === this.badStep) {
      if (this.what === 'obs') obs[this.badEnv * 2 + 1] = NaN;
      else rewards[this.badEnv] = NaN;
    }
    this.t++;
    return { obs, rewards, terminated: new Uint8Array(n), truncated: new Uint8Array(n), finalObs: new Float32Array(n * 2), finalInfo: [], info: {} };
  }
  close() {}
}

describe.each(['cpu', 'wasm'] as const)('rollout on %s', (backend) => {
  it('JS vector env: one read-back per step; the batch replays exactly; rollouts continue across calls', async () => {
    await initTf({ backend });
    const n = 6;
    const env = makeVec('CartPole-v1', n, { maxEpisodeSteps: 30 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 4 });
    const runner = createRunner(policy, env, { seed: 9 }); // resets with seed 9
    const b0 = runner.rollout(1);
    const a0 = b0.actions.arraySync() as number[][];
    const o0 = b0.obs.arraySync();
    b0.dispose();
    const { result: b, count } = countReadBacks(() => runner.rollout(40));
    expect(count).toBe(40);
    const b2 = runner.rollout(5);
    expect(b2.obs.arraySync()[0]).toEqual(b.lastObs.arraySync()); // continues, no reset
    // Replay: the same seed and the recorded actions on a fresh env reproduce every field.
    const replay = makeVec('CartPole-v1', n, { maxEpisodeSteps: 30 });
    let obs = replay.reset({ seed: 9 }).obs;
    const acts = b.actions.arraySync() as number[][];
    const [bo, br, bt, bu, bf] = [b.obs.arraySync(), b.rewards.arraySync(), b.terminated.arraySync(), b.truncated.arraySync(), b.finalObs.arraySync()];
    expect([...obs]).toEqual(o0[0]!.flat());
    obs = Float32Array.from(replay.step(a0[0]!).obs);
    for (let t = 0; t < 40; t++) {
      expect([...obs]).toEqual(bo[t]!.flat());
      const r = replay.step(acts[t]!);
      for (let i = 0; i < n; i++) {
        expect(br[t]![i]).toBe(r.rewards[i]);
        expect(bt[t]![i]).toBe(r.terminated[i]);
        expect(bu[t]![i]).toBe(r.truncated[i]);
        expect(bf[t]![i]).toEqual(r.terminated[i] || r.truncated[i] ? [...r.finalObs.subarray(i * 4, i * 4 + 4)] : [0, 0, 0, 0]);
      }
      obs = Float32Array.from(r.obs);
    }
    expect(b.episodeReturns).toEqual(b.episodeLengths); // CartPole: reward 1 per step
    expect(b.episodeLengths.every((l) => l >= 1 && l <= 30)).toBe(true);
    const doneCount = (bt.flat() as number[]).filter((v, k) => v === 1 || bu.flat()[k] === 1).length;
    expect(b.episodeLengths.length).toBe(doneCount);
    // episodeEnds: the step and env of each finished episode, in the order of episodeReturns
    expect(b.episodeEnds.map((k) => bt.flat()[k]! + bu.flat()[k]!)).toEqual(b.episodeEnds.map(() => 1));
    expect([...b.episodeEnds].sort((x, y) => x - y)).toEqual(b.episodeEnds);
    // the host arrays are the batch's data, no read-back needed
    const h = b.host!;
    expect([...h.obs]).toEqual((bo.flat(2) as number[]));
    expect([...h.actions]).toEqual(acts.flat());
    expect([...h.rewards]).toEqual(br.flat());
    expect([...h.terminated]).toEqual(bt.flat());
    expect([...h.truncated]).toEqual(bu.flat());
    expect([...h.finalObs]).toEqual(bf.flat(2));
    expect([...h.lastObs]).toEqual(b.lastObs.arraySync().flat());
    expect([...h.mask]).toEqual(new Array(40 * n).fill(1));
    b.dispose();
    b2.dispose();
    runner.dispose();
    policy.dispose();
  });

  it("JS vector env: the batch makes each tensor from its host array when first read (once, kept past tf.tidy), dispose frees them; one first read after dispose throws", async () => {
    await initTf({ backend });
    const env = makeVec('CartPole-v1', 3);
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 4 });
    const runner = createRunner(policy, env, { seed: 1 });
    runner.rollout(2).dispose(); // the policy's fast-path weights exist from the first act on
    const before = tf.memory().numTensors;
    const b = runner.rollout(5);
    expect(tf.memory().numTensors).toBe(before); // an update that reads only obs, actions and mask uploads nothing else
    const obs = tf.tidy(() => {
      const o = b.obs;
      expect(b.obs).toBe(o);
      return o.sum().dataSync()[0];
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(b.obs.isDisposed).toBe(false);
    expect(obs).toBeCloseTo(b.host!.obs.reduce((a, v) => a + v, 0), 4);
    expect([...b.mask.dataSync()]).toEqual(new Array(15).fill(1));
    expect(tf.memory().numTensors).toBe(before + 2);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => b.rewards).toThrow(/RolloutBatch\.rewards: the batch was disposed before its rewards tensor was made/);
    runner.dispose();
    policy.dispose();
  });

  it('JS vector env: same seeds → identical rollouts; numTensors unchanged over 100 rollouts', async () => {
    await initTf({ backend });
    const run = () => {
      const env = makeVec('Pendulum-v1', 4);
      const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 8 });
      const runner = createRunner(policy, env, { seed: 2 });
      const b = runner.rollout(25);
      const out = { obs: b.obs.arraySync(), act: b.actions.arraySync(), rew: b.rewards.arraySync() };
      b.dispose();
      return { out, runner, policy };
    };
    const a = run();
    const c = run();
    expect(a.out).toEqual(c.out);
    expect((a.out.act as number[][][])[0]![0]!.length).toBe(1); // Box actions: [T, N, 1]
    const before = tf.memory().numTensors;
    for (let k = 0; k < 100; k++) a.runner.rollout(2).dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.policy.dispose();
    c.policy.dispose();
  });

  it('a tensor-native rollout reads nothing back until it ends (one read, whatever T)', async () => {
    await initTf({ backend });
    const env = makeTensorVec('CartPole-v1', 16, { seed: 1 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2 });
    const runner = createRunner(policy, env, { seed: 3 });
    runner.rollout(2).dispose(); // warm-up: lazy policy set-up
    for (const steps of [5, 40]) {
      const { result: batch, count } = countReadBacks(() => runner.rollout(steps));
      expect(count).toBe(1); // the finished-episode stats at the end, nothing per step
      expect(batch.obs.shape).toEqual([steps, 16, 4]);
      batch.dispose();
    }
    // The counter does count: a JS-side read of the same batch is seen.
    const b = runner.rollout(3);
    expect(countReadBacks(() => b.rewards.dataSync()).count).toBe(1);
    b.dispose();
    runner.dispose();
    env.close();
    policy.dispose();
  });

  it('same seeds → identical tensor-native rollouts; numTensors unchanged over 100 rollouts', async () => {
    await initTf({ backend });
    const run = () => {
      const env = makeTensorVec('Acrobot-v1', 8, { seed: 5 });
      const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 6 });
      const runner = createRunner(policy, env, { seed: 7 });
      const b1 = runner.rollout(30);
      const b2 = runner.rollout(30); // continues: no reset in between
      const out = { obs: b1.obs.arraySync(), act: b2.actions.arraySync(), rew: b2.rewards.arraySync(), last: b2.lastObs.arraySync(), first2: b2.obs.arraySync()[0], last1: b1.lastObs.arraySync() };
      b1.dispose();
      b2.dispose();
      return { out, runner, env, policy };
    };
    const a = run();
    const b = run();
    expect(a.out).toEqual(b.out);
    expect(a.out.first2).toEqual(a.out.last1); // the second rollout starts where the first ended
    const before = tf.memory().numTensors;
    for (let k = 0; k < 100; k++) a.runner.rollout(3).dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const r of [a, b]) {
      r.runner.dispose();
      r.env.close();
      r.policy.dispose();
    }
  });

  it('finished episodes: returns and lengths of tensor-native MountainCar are the time limit', async () => {
    await initTf({ backend });
    const env = makeTensorVec('MountainCar-v0', 4, { seed: 1 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 1 });
    const runner = createRunner(policy, env);
    const b = runner.rollout(250);
    expect(b.host).toBeUndefined(); // tensor-native: the data stays on the backend
    // A near-uniform policy never reaches the goal: every env is cut at 200 steps, −1 per step.
    expect(b.episodeLengths).toEqual([200, 200, 200, 200]);
    expect(b.episodeReturns).toEqual([-200, -200, -200, -200]);
    const trunc = b.truncated.arraySync();
    expect(trunc[199]).toEqual([1, 1, 1, 1]);
    expect(trunc[198]).toEqual([0, 0, 0, 0]);
    // finalObs at the truncation step is the state reached, lastObs continues the new episodes.
    const fin = b.finalObs.arraySync()[199]!;
    const obs200 = b.obs.arraySync()[200]!;
    for (let i = 0; i < 4; i++) {
      expect(obs200[i]![1]).toBe(0); // fresh start: velocity 0
      expect(obs200[i]![0]).toBeGreaterThanOrEqual(-0.6);
      expect(obs200[i]![0]).toBeLessThanOrEqual(-0.4);
      expect(fin[i]![0]).not.toBe(obs200[i]![0]);
    }
    expect(b.mask.sum().arraySync()).toBe(250 * 4);
    expect(b.episodeEnds).toEqual([199 * 4, 199 * 4 + 1, 199 * 4 + 2, 199 * 4 + 3]);
    b.dispose();
    runner.dispose();
    env.close();
    policy.dispose();
  });

  it('bad input: mismatched spaces name both; NaN names env index and step', async () => {
    await initTf({ backend });
    const env = makeTensorVec('Acrobot-v1', 4);
    const cartPolicy = createPolicy(new Box([-4.8, -Infinity, -0.41887903, -Infinity], [4.8, Infinity, 0.41887903, Infinity]), new Discrete(2));
    expect(() => createRunner(cartPolicy, env)).toThrow(/observation space Box\(shape \[4\].*does not match env Acrobot-v1's Box\(shape \[6\]/);

    const nanObs = new NaNAtStepEnv(5, 3, 2, 'obs');
    const p2 = createPolicy(nanObs.singleObservationSpace, nanObs.singleActionSpace);
    expect(() => createRunner(p2, nanObs).rollout(10)).toThrow('rollout: env NaNAtStep-v0 index 3 returned a NaN observation (element 1) at step 2');
    const nanRew = new NaNAtStepEnv(5, 4, 1, 'reward');
    expect(() => createRunner(p2, nanRew).rollout(10)).toThrow('rollout: env NaNAtStep-v0 index 4 returned a NaN reward at step 1');
    // checkNaN off: the NaN passes through into the batch.
    const b = createRunner(p2, new NaNAtStepEnv(5, 4, 1, 'reward'), { checkNaN: false }).rollout(3);
    expect(Number.isNaN(b.rewards.arraySync()[1]![4])).toBe(true);
    b.dispose();

    // Tensor env: a NaN state in env 2 shows up at the first step.
    const tenv = makeTensorVec('Pendulum-v1', 3, { seed: 1 });
    const pp = createPolicy(tenv.singleObservationSpace, tenv.singleActionSpace);
    const runner = createRunner(pp, tenv);
    runner.rollout(1).dispose(); // warm-up: the policy builds its fast path on first use
    tenv.writeStates([
      [0.1, 0],
      [0.2, 0],
      [NaN, 0],
    ]);
    const before = tf.memory().numTensors;
    expect(() => runner.rollout(4)).toThrow('rollout: env Pendulum-v1 (tensor) index 2 produced a NaN observation or reward at step 1 (step 0 of this rollout)');
    expect(tf.memory().numTensors).toBe(before); // nothing leaked: the batch was freed, the runner's observations replaced
    runner.dispose();
    for (const x of [env, tenv]) x.close();
    for (const x of [cartPolicy, p2, pp]) x.dispose();
  });
});

describe('runner state', () => {
  it("a JS runner has getState/setState exactly when its env has both (so a trainer knows whether it can save the envs' episodes)", async () => {
    await initTf({ backend: 'cpu' });
    const env = makeVec('CartPole-v1', 2, { seed: 1 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 1 });
    const bare = new NaNAtStepEnv(2, 0, 99, 'obs'); // keeps the VectorEnv contract, has no getState
    const p2 = createPolicy(bare.singleObservationSpace, bare.singleActionSpace, { seed: 1 });
    const withState = createRunner(policy, env);
    const without = createRunner(p2, bare);
    expect(['getState' in withState, 'setState' in withState, 'getState' in without, 'setState' in without]).toEqual([true, true, false, false]);
    withState.rollout(3).dispose();
    const saved = structuredClone(withState.getState!());
    const twin = createRunner(policy, makeVec('CartPole-v1', 2, { seed: 7 }));
    twin.setState!(saved);
    expect(twin.getState!()).toEqual(saved);
    for (const x of [policy, p2]) x.dispose();
  });
});
