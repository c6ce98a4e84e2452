/**
 * One rollout worker: its own tfjs backend, its own vector env shard (global envs lo … hi−1,
 * env i reset with seed + i) and a copy of the policy. Per rollout it loads the learner's
 * weights from shared memory (when their version changed) and steps its shard with the
 * single-process runner, which writes every step straight into the shard's columns of the
 * learner's shared `[T, N, …]` output arrays (no tensors of the batch here, no copy-out). Started by `createWorkerRunner`
 * through the thread pool (pool.ts, thread.ts); not a public module.
 */
import { makeVec, Rng } from '@rl/env';
import { loadEnvModule } from '@rl/env/module';
import { createPolicy, type Policy } from '@rl/policy';
import { initTf } from '@rl/tf';
import { createRunner, rolloutColumns, type Runner } from '../rollout.js';
import type { RolloutMessage, WorkerInit } from './protocol.js';
import { serveThread } from './thread.js';

function sameShapes(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i]!.length && s.every((d, j) => d === b[i]![j]));
}

async function start(init: WorkerInit): Promise<{ policy: Policy; runner: Runner }> {
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

/** The shard's T steps straight into its columns lo … hi−1 of the learner's shared `[T, N, …]` arrays (no tensors, no copy). */
function rolloutShard(init: WorkerInit, runner: Runner, msg: RolloutMessage): void {
  const out = msg.out;
  const discrete = runner.env.singleActionSpace.type === 'Discrete';
  const epReturn = new Float64Array(out.epReturn);
  const epLength = new Int32Array(out.epLength);
  rolloutColumns(
    runner,
    msg.steps,
    {
      width: init.numEnvs,
      first: init.lo,
      obs: new Float32Array(out.obs),
      finalObs: new Float32Array(out.finalObs),
      actions: discrete ? new Int32Array(out.actions) : new Float32Array(out.actions),
      rewards: new Float32Array(out.rewards),
      terminated: new Float32Array(out.terminated),
      truncated: new Float32Array(out.truncated),
      lastObs: new Float32Array(out.lastObs),
    },
    (at, ret, len) => {
      epReturn[at] = ret;
      epLength[at] = len;
    },
  );
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
    rolloutShard(init, runner, msg);
  },
);
