/**
 * One rollout worker: its own tfjs backend, its own vector env shard (global envs lo … hi−1,
 * env i reset with seed + i) and a copy of the policy. Per rollout it loads the learner's
 * weights from shared memory (when their version changed), rolls out T steps of its shard
 * with the single-process runner, and writes the shard's columns of the `[T, N, …]` arrays
 * straight into the learner's shared output buffers. Started by `createWorkerRunner`
 * through the bootstrap in `spawn.ts`; not a public module.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeVec, Rng } from '@rl/env';
import { loadEnvModule } from '@rl/env/module';
import { createPolicy, type Policy } from '@rl/policy';
import { initTf } from '@rl/tf';
import { createRunner, type Runner } from '../rollout.js';
import { CTL_EXIT_CODE, CTL_STATE, CTL_WORDS, CTL_WORK_US, State, errorText, writeError, type RolloutMessage, type WorkerInit } from './protocol.js';

const init = workerData as WorkerInit;
const ctl = new Int32Array(init.ctl);
const errBuf = new Uint8Array(init.err);
const base = init.shard * CTL_WORDS;

function setState(s: number): void {
  Atomics.store(ctl, base + CTL_STATE, s);
  Atomics.notify(ctl, base + CTL_STATE);
}

function fail(e: unknown): void {
  writeError(ctl, errBuf, base, errorText(e));
  setState(State.Error);
}

// A worker that dies (process.exit, a fatal error) still tells a learner blocked in Atomics.wait.
process.on('exit', (code) => {
  Atomics.store(ctl, base + CTL_EXIT_CODE, code);
  const s = Atomics.load(ctl, base + CTL_STATE);
  if (s !== State.Error) setState(State.Exited);
});

function sameShapes(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i]!.length && s.every((d, j) => d === b[i]![j]));
}

async function start(): Promise<{ policy: Policy; runner: Runner }> {
  await initTf({ backend: init.backend });
  // A user's env is registered by its module, in this thread's registry too.
  if (init.envModule !== undefined) await loadEnvModule(init.envModule, { expect: init.envId, resolveFrom: import.meta.url });
  const n = init.hi - init.lo;
  // Env i (global) gets seed + i whatever the sharding: this shard's env j is global lo + j.
  const env = makeVec(init.envId, n, { ...init.envOptions, seed: init.seed + init.lo });
  const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, {
    hidden: init.policy.hidden,
    activation: init.policy.activation,
    seed: init.samplingSeed,
    ...(init.policy.fastPath === undefined ? {} : { fastPath: init.policy.fastPath }),
  });
  if (!sameShapes(policy.weightShapes, init.weightShapes)) {
    throw new RangeError(
      `the worker's policy has weight shapes ${JSON.stringify(policy.weightShapes)} but the learner's has ${JSON.stringify(init.weightShapes)} (hidden ${JSON.stringify(init.policy.hidden)}, ${init.policy.activation})`,
    );
  }
  // createPolicy seeded the sampling stream from the weight-init seed; make it exactly the shard's stream.
  policy.setRngState(new Rng(init.samplingSeed).getState());
  const runner = createRunner(policy, env, { seed: init.seed + init.lo, checkNaN: init.checkNaN, deterministic: init.deterministic });
  return { policy, runner };
}

function loadWeights(policy: Policy): void {
  const all = new Float32Array(init.weights);
  const arrays: Float32Array[] = [];
  let off = 0;
  for (const shape of init.weightShapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    arrays.push(all.subarray(off, off + size));
    off += size;
  }
  policy.setWeights(arrays);
}

function rolloutShard(runner: Runner, msg: RolloutMessage): void {
  const T = msg.steps;
  const N = init.numEnvs;
  const lo = init.lo;
  const n = init.hi - init.lo;
  const batch = runner.rollout(T);
  try {
    const od = batch.obs.shape[2];
    const discrete = batch.actions.dtype === 'int32';
    const ad = discrete ? 1 : batch.actions.shape[2]!;
    const obs = batch.obs.dataSync() as Float32Array;
    const finalObs = batch.finalObs.dataSync() as Float32Array;
    const actions = batch.actions.dataSync() as Float32Array | Int32Array;
    const rewards = batch.rewards.dataSync() as Float32Array;
    const term = batch.terminated.dataSync() as Float32Array;
    const trunc = batch.truncated.dataSync() as Float32Array;
    const lastObs = batch.lastObs.dataSync() as Float32Array;
    const out = msg.out;
    const oObs = new Float32Array(out.obs);
    const oFinal = new Float32Array(out.finalObs);
    const oAct = discrete ? new Int32Array(out.actions) : new Float32Array(out.actions);
    const oRew = new Float32Array(out.rewards);
    const oTerm = new Float32Array(out.terminated);
    const oTrunc = new Float32Array(out.truncated);
    const oRet = new Float64Array(out.epReturn);
    const oLen = new Int32Array(out.epLength);
    // The shard's rows go to columns lo … hi−1 of each [T, N, …] array.
    for (let t = 0; t < T; t++) {
      const src = t * n;
      const dst = t * N + lo;
      oObs.set(obs.subarray(src * od, (src + n) * od), dst * od);
      oFinal.set(finalObs.subarray(src * od, (src + n) * od), dst * od);
      oAct.set(actions.subarray(src * ad, (src + n) * ad), dst * ad);
      oRew.set(rewards.subarray(src, src + n), dst);
      oTerm.set(term.subarray(src, src + n), dst);
      oTrunc.set(trunc.subarray(src, src + n), dst);
    }
    new Float32Array(out.lastObs).set(lastObs, lo * od);
    // The runner lists finished episodes in (t, i) order: the k-th done flag is the k-th episode.
    let k = 0;
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < n; j++) {
        const s = t * n + j;
        if (term[s] !== 0 || trunc[s] !== 0) {
          oRet[t * N + lo + j] = batch.episodeReturns[k]!;
          oLen[t * N + lo + j] = batch.episodeLengths[k]!;
          k++;
        }
      }
    }
  } finally {
    batch.dispose();
  }
}

const ready = start();
let weightsVersion = -1;
let rollouts = 0;
ready.then(
  () => {
    setState(State.Ready);
    parentPort!.postMessage({ type: 'ready' });
  },
  (e: unknown) => {
    fail(e);
    parentPort!.postMessage({ type: 'error', error: errorText(e) });
  },
);

parentPort!.on('message', (msg: RolloutMessage) => {
  void ready.then(({ policy, runner }) => {
    const t0 = performance.now();
    try {
      rollouts++;
      const f = init.fault;
      const injected = f !== undefined && f.shard === init.shard && f.atRollout === rollouts;
      if (injected && f.kind === 'exit') process.exit(7);
      if (injected && f.kind === 'throw') throw new Error(`injected fault in shard ${init.shard} at rollout ${rollouts}`);
      if (injected && f.kind === 'exit-after') setImmediate(() => process.exit(7));
      if (msg.weightsVersion !== weightsVersion) {
        loadWeights(policy);
        weightsVersion = msg.weightsVersion;
      }
      policy.obsNorm = msg.obsNorm;
      rolloutShard(runner, msg);
      Atomics.store(ctl, base + CTL_WORK_US, Math.min(Math.round((performance.now() - t0) * 1000), 2 ** 31 - 1));
      setState(State.Done);
    } catch (e) {
      fail(e);
    }
  }, () => undefined);
});
