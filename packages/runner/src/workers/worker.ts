/**
 * One rollout worker: its own tfjs backend, its own vector env shard (global envs lo … hi−1,
 * env i reset with seed + i) and a copy of the policy. Per rollout it loads the learner's
 * weights from shared memory (when their version changed), rolls out T steps of its shard
 * with the single-process runner, and writes the shard's columns of the `[T, N, …]` arrays
 * straight into the learner's shared output buffers. Started by `createWorkerRunner`
 * through the thread pool (pool.ts, thread.ts); not a public module.
 */
import { makeVec, Rng } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { initTf } from '@rl/tf';
import { hostBatch } from '../batch.js';
import { createRunner, type Runner } from '../rollout.js';
import { CTL_COPY_US, type RolloutMessage, type WorkerInit } from './protocol.js';
import { serveThread, usWord, type ThreadContext } from './thread.js';

function sameShapes(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i]!.length && s.every((d, j) => d === b[i]![j]));
}

async function start(init: WorkerInit): Promise<{ policy: Policy; runner: Runner }> {
  await initTf({ backend: init.backend });
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

function loadWeights(init: WorkerInit, policy: Policy): void {
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

function rolloutShard(ctx: ThreadContext<WorkerInit>, runner: Runner, msg: RolloutMessage): void {
  const init = ctx.data;
  const T = msg.steps;
  const N = init.numEnvs;
  const lo = init.lo;
  const n = init.hi - init.lo;
  const batch = runner.rollout(T);
  const t0 = performance.now();
  try {
    const od = batch.obs.shape[2];
    const discrete = batch.actions.dtype === 'int32';
    const ad = discrete ? 1 : batch.actions.shape[2]!;
    // the arrays the runner filled (a JS rollout keeps them): nothing is read back from the backend
    const { obs, finalObs, actions, rewards, terminated: term, truncated: trunc, lastObs } = hostBatch(batch);
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
  ctx.setWord(CTL_COPY_US, usWord(performance.now() - t0));
}

let weightsVersion = -1;
let rollouts = 0;
serveThread<WorkerInit, { policy: Policy; runner: Runner }, RolloutMessage>(
  ({ data }) => start(data),
  ({ policy, runner }, msg, ctx) => {
    const init = ctx.data;
    rollouts++;
    const f = init.fault;
    const injected = f !== undefined && f.shard === init.shard && f.atRollout === rollouts;
    if (injected && f.kind === 'exit') process.exit(7);
    if (injected && f.kind === 'throw') throw new Error(`injected fault in shard ${init.shard} at rollout ${rollouts}`);
    if (injected && f.kind === 'exit-after') setImmediate(() => process.exit(7));
    if (msg.weightsVersion !== weightsVersion) {
      loadWeights(init, policy);
      weightsVersion = msg.weightsVersion;
    }
    policy.obsNorm = msg.obsNorm;
    rolloutShard(ctx, runner, msg);
  },
);
