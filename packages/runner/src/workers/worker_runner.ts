/**
 * Parallel rollouts on every core: N envs sharded across k `worker_threads` actors, one
 * learner. Implements the same {@link Runner} interface as `createRunner`, synchronously:
 * `rollout(T)` writes the current weights into shared memory, posts one message per worker,
 * blocks in `Atomics.wait` until every shard has written its columns of the shared
 * `[T, N, …]` output arrays, and returns ONE {@link RolloutBatch} laid out exactly as the
 * single-process runner lays it out (env i at column i, episodes in (t, i) order).
 */
import { availableParallelism } from 'node:os';
import { makeVec, Rng, type MakeVecOptions, type VectorEnv } from '@rl/env';
import { isTypeScriptFile } from '@rl/env/module';
import type { Policy } from '@rl/policy';
import { backendInfo, type BackendName } from '@rl/tf';
import type { Runner, RunnerStats } from '../rollout.js';
import { batchFromHost, onesMask } from '../batch.js';
import { checkSpaces } from '../spaces_check.js';
import type { RolloutBatch } from '../types.js';
import { createThreadPool, type ThreadFailure, type ThreadPool, type ThreadTaskTimes } from './pool.js';
import type { FaultInjection, OutputBuffers, RolloutMessage, WorkerInit, WorkerPolicySpec } from './protocol.js';

/** Options of {@link createWorkerRunner}. */
export interface WorkerRunnerOptions {
  /** Registered env id (each worker builds its shard with `makeVec`). */
  readonly envId: string;
  /** N, the total number of envs. */
  readonly numEnvs: number;
  /** Worker threads k (≤ N), or `auto` = `os.availableParallelism()` capped at N; default `auto`. */
  readonly workers?: number | 'auto';
  /** Env seed: env i is reset with `seed + i` whatever k is; default 0. */
  readonly seed?: number;
  /** Root of the workers' sampling streams (shard s samples from the (s+1)-th `nextSeed()` of `Rng(samplingSeed)`); default `seed`. */
  readonly samplingSeed?: number;
  /** Network the workers build; default the learner policy's `network` (`createPolicy` policies have one). */
  readonly policySpec?: WorkerPolicySpec;
  /** Backend of every worker; default the learner's current backend (`wasm` when none was chosen, or when the learner is on `webgpu`: one GPU device per thread would only contend for it). */
  readonly backend?: BackendName;
  /** `makeVec` options of every shard (plain data: they are copied to the workers), e.g. `{ vectorization: 'native', maxEpisodeSteps: 200 }`. */
  readonly envOptions?: Omit<MakeVecOptions, 'seed'>;
  /** Throw on a NaN observation or reward (the error names the shard and the index inside it); default true. */
  readonly checkNaN?: boolean;
  /** Act with the distribution's mode instead of sampling; default false. */
  readonly deterministic?: boolean;
  /** Longest a rollout may take before the runner gives up and stops every worker; default 600 000 ms. */
  readonly timeoutMs?: number;
  /** Longest the workers may take to start (import, tfjs init, env and policy); default 120 000 ms. */
  readonly startTimeoutMs?: number;
  /** Test hook: make one shard throw or exit on its n-th rollout. */
  readonly faultInjection?: FaultInjection;
  /** Extra Node flags of the worker threads (e.g. `['--cpu-prof', '--cpu-prof-dir=prof']` to profile them). */
  readonly execArgv?: readonly string[];
  /**
   * A user's env module that registers `envId` (`@rl/env/module`'s `loadEnvModule`; the trainer's
   * `envModule`), already loaded in this thread: each worker imports it before building its shard.
   */
  readonly envModule?: string;
}

/** A {@link Runner} whose envs live in worker threads. */
export interface WorkerRunner extends Runner {
  /** k, the number of worker threads. */
  readonly numWorkers: number;
  /** Env index ranges `[lo, hi)` of the shards, in order. */
  readonly shards: readonly { readonly lo: number; readonly hi: number }[];
  /** Worker threads that have not fired their `exit` event yet. */
  readonly aliveWorkers: number;
  /** Milliseconds each shard spent on the last rollout (message received to arrays written), in shard order: against the learner's wall time this shows the overhead and the slowest shard. */
  readonly lastShardMs: readonly number[];
  /** What each shard's last rollout cost, in shard order (its CPU and run-queue time from Linux's schedstat): where a worker's wall time went. */
  readonly lastShardTimes: readonly ShardTimes[];
  /** Resolves when every worker has started (rejects naming the shard that failed to); `rollout` also waits for this, blocking. */
  ready(): Promise<void>;
  /** Stops every worker and resolves once all their `exit` events fired. Safe to call more than once. */
  close(): Promise<void>;
  /** Stops every worker without waiting (the {@link Runner} contract; prefer `await close()`). */
  dispose(): void;
}

/** One shard's last rollout, as its worker thread measured it (wall time = {@link WorkerRunner.lastShardMs}; CPU and run-queue time from Linux's schedstat). */
export type ShardTimes = ThreadTaskTimes;

/** Error of a failed shard: names the shard's env range and carries the worker's error text. */
export class WorkerShardError extends Error {
  override readonly name = 'WorkerShardError';
  constructor(
    message: string,
    /** The failed shards, in order. */
    readonly shards: readonly { readonly shard: number; readonly lo: number; readonly hi: number; readonly error: string }[],
  ) {
    super(message);
  }
}

/** Sampling seed of each shard: the (s+1)-th `nextSeed()` of `Rng(root)`. */
function samplingSeeds(root: number, k: number): number[] {
  const r = new Rng(root);
  return Array.from({ length: k }, () => r.nextSeed());
}

function checkInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

const WHERE = 'createWorkerRunner';
/** Output buffer sets kept for reuse (a trainer alternates at most a few T). */
const SPARE_BUFFERS = 2;

class ThreadRunner implements WorkerRunner {
  readonly numEnvs: number;
  readonly numWorkers: number;
  readonly shards: readonly { lo: number; hi: number }[];
  readonly env: VectorEnv;
  policy: Policy;
  private readonly pool: ThreadPool;
  private readonly weightsSab: SharedArrayBuffer;
  private readonly weightShapes: readonly (readonly number[])[];
  private readonly od: number;
  private readonly ad: number;
  private readonly discrete: boolean;
  private weightsVersion = 0;
  /** Output arrays of disposed batches, newest first (see buffers()). */
  private readonly spare: OutputBuffers[] = [];
  private envSteps = 0;
  private episodes = 0;

  constructor(policy: Policy, private readonly opts: WorkerRunnerOptions) {
    const where = `${WHERE}(${String(opts.envId)})`;
    const n = checkInt(where, 'numEnvs', opts.numEnvs, 1);
    const k = opts.workers === undefined || opts.workers === 'auto' ? Math.min(availableParallelism(), n) : checkInt(where, 'workers', opts.workers, 1);
    if (k > n) throw new RangeError(`${where}: workers (${k}) must not exceed numEnvs (${n})`);
    const seed = checkInt(where, 'seed', opts.seed ?? 0, 0);
    // A learner-side instance of the same id, N and options: validates them here, gives the spaces. It is never stepped.
    this.env = makeVec(opts.envId, n, { ...opts.envOptions, seed });
    checkSpaces(WHERE, policy, opts.envId, this.env.singleObservationSpace, this.env.singleActionSpace);
    const spec = opts.policySpec ?? policy.network;
    if (!spec) {
      throw new TypeError(`${where}: the policy has no network spec (it was not built by createPolicy); pass policySpec { hidden, activation } so each worker builds the same network`);
    }
    this.policy = policy;
    this.numEnvs = n;
    this.numWorkers = k;
    this.discrete = this.env.singleActionSpace.type === 'Discrete';
    this.od = this.env.obsDim;
    this.ad = this.discrete ? 1 : this.env.actionDim;
    this.weightShapes = policy.weightShapes.map((s) => [...s]);
    const weightLen = this.weightShapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    this.weightsSab = new SharedArrayBuffer(4 * weightLen);
    const shards = Array.from({ length: k }, (_, w) => ({ lo: Math.floor((w * n) / k), hi: Math.floor(((w + 1) * n) / k) }));
    this.shards = shards;
    const learner = backendInfo()?.backend as BackendName | undefined;
    const backend = opts.backend ?? (learner === 'webgpu' ? 'wasm' : learner) ?? 'wasm';
    const seeds = samplingSeeds(opts.samplingSeed ?? seed, k);
    const fromSource = import.meta.url.endsWith('.ts');
    const describe = (w: number): string => `shard ${w} (envs ${shards[w]!.lo}–${shards[w]!.hi - 1} of ${n})`;
    this.pool = createThreadPool({
      entry: new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url),
      size: k,
      where,
      describe,
      ...(opts.execArgv ? { execArgv: opts.execArgv } : {}),
      ...(opts.envModule !== undefined && isTypeScriptFile(opts.envModule) ? { typescriptModule: opts.envModule } : {}),
      error: (message, failed) => new WorkerShardError(message, failed.map((f: ThreadFailure) => ({ shard: f.thread, ...shards[f.thread]!, error: f.error }))),
      data: (w): WorkerInit => ({
        shard: w,
        lo: shards[w]!.lo,
        hi: shards[w]!.hi,
        numEnvs: n,
        envId: opts.envId,
        envOptions: { ...opts.envOptions },
        seed,
        samplingSeed: seeds[w]!,
        backend,
        policy: { hidden: [...spec.hidden], activation: spec.activation, fastPath: opts.policySpec?.fastPath ?? policy.fastPath },
        weightShapes: this.weightShapes,
        deterministic: opts.deterministic ?? false,
        checkNaN: opts.checkNaN ?? true,
        weights: this.weightsSab,
        fault: opts.faultInjection,
        envModule: opts.envModule,
      }),
    });
  }

  get stats(): RunnerStats {
    return { envSteps: this.envSteps, episodes: this.episodes };
  }

  get aliveWorkers(): number {
    return this.pool.alive;
  }

  ready(): Promise<void> {
    return this.pool.ready();
  }

  get lastShardMs(): readonly number[] {
    return this.pool.lastTimes.map((t) => t.wallMs);
  }

  get lastShardTimes(): readonly ShardTimes[] {
    return this.pool.lastTimes;
  }

  setPolicy(policy: Policy): void {
    checkSpaces('WorkerRunner.setPolicy', policy, this.opts.envId, this.env.singleObservationSpace, this.env.singleActionSpace);
    const shapes = policy.weightShapes;
    if (shapes.length !== this.weightShapes.length || shapes.some((s, i) => s.join(',') !== this.weightShapes[i]!.join(','))) {
      throw new RangeError(`WorkerRunner.setPolicy: the policy's weight shapes ${JSON.stringify(shapes)} differ from the workers' ${JSON.stringify(this.weightShapes)}`);
    }
    this.policy = policy;
  }

  rollout(steps: number): RolloutBatch {
    if (!Number.isInteger(steps) || steps <= 0) throw new RangeError(`rollout: steps must be a positive integer, got ${steps}`);
    if (this.pool.failure) throw this.pool.failure;
    if (this.pool.closed) throw new Error(`WorkerRunner.rollout(${this.opts.envId}): the runner was closed`);
    const n = this.numEnvs;
    const od = this.od;
    const ad = this.ad;
    const out = this.buffers(steps);
    // Weights: the learner's current θ into shared memory (workers are idle now, so no one reads it).
    const all = new Float32Array(this.weightsSab);
    let off = 0;
    for (const w of this.policy.getWeights()) {
      all.set(w, off);
      off += w.length;
    }
    this.weightsVersion++;
    const norm = this.policy.obsNorm;
    const msg: RolloutMessage = {
      type: 'rollout',
      steps,
      weightsVersion: this.weightsVersion,
      obsNorm: norm ? { mean: Float32Array.from(norm.mean), var: Float32Array.from(norm.var), count: norm.count, clip: norm.clip, epsilon: norm.epsilon } : undefined,
      out,
    };
    this.pool.run(() => msg, { timeoutMs: this.opts.timeoutMs ?? 600_000, startTimeoutMs: this.opts.startTimeoutMs ?? 120_000, what: 'rollout' });

    const tn = steps * n;
    const term = new Float32Array(out.terminated);
    const trunc = new Float32Array(out.truncated);
    const retAt = new Float64Array(out.epReturn);
    const lenAt = new Int32Array(out.epLength);
    const returns: number[] = [];
    const lengths: number[] = [];
    const ends: number[] = [];
    for (let s = 0; s < tn; s++) {
      if (term[s] !== 0 || trunc[s] !== 0) {
        returns.push(retAt[s]!);
        lengths.push(lenAt[s]!);
        ends.push(s);
      }
    }
    this.envSteps += tn;
    this.episodes += returns.length;
    // The buffers are this rollout's own until the batch is disposed (see buffers()): no copy here; the batch keeps them as its host arrays.
    const host = {
      obs: new Float32Array(out.obs),
      actions: this.discrete ? new Int32Array(out.actions) : new Float32Array(out.actions),
      rewards: new Float32Array(out.rewards),
      terminated: term,
      truncated: trunc,
      mask: onesMask(tn),
      finalObs: new Float32Array(out.finalObs),
      lastObs: new Float32Array(out.lastObs),
    };
    return batchFromHost(host, { steps, numEnvs: n, obsDim: od, discrete: this.discrete, actionDim: ad, allReal: true }, { episodeReturns: returns, episodeLengths: lengths, episodeEnds: ends, numSteps: tn }, (reusable) => {
      if (reusable) this.spare.unshift(out);
      this.spare.length = Math.min(this.spare.length, SPARE_BUFFERS);
    });
  }

  dispose(): void {
    this.pool.stop();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Shared output arrays of exactly `steps` vector steps that no live batch holds: those of a
   * disposed batch of the same T when there are any, else fresh ones. The batch's tensors are
   * built from them without a copy on the learner, and a batch hands them back only when no
   * tensor may still share them (see `batchFromHost`). Reusing them saves the workers the page
   * faults and zeroing of fresh memory (≈ 0.5 ns a byte, ~4 % of a CartPole shard's time).
   */
  private buffers(steps: number): OutputBuffers {
    const i = this.spare.findIndex((b) => b.capacity === steps);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    const tn = steps * this.numEnvs;
    const f32 = (len: number): SharedArrayBuffer => new SharedArrayBuffer(4 * len);
    return {
      capacity: steps,
      obs: f32(tn * this.od),
      finalObs: f32(tn * this.od),
      actions: f32(tn * this.ad),
      rewards: f32(tn),
      terminated: f32(tn),
      truncated: f32(tn),
      lastObs: f32(this.numEnvs * this.od),
      epReturn: new SharedArrayBuffer(8 * tn),
      epLength: f32(tn),
    };
  }
}

/**
 * A runner whose N envs are sharded across k worker threads (contiguous shards; env i is
 * reset with `seed + i` whatever k is), each with its own tfjs backend, env shard and copy of
 * `policy`'s network. Every `rollout(T)` sends the policy's current weights through shared
 * memory and returns one batch laid out exactly as `createRunner`'s — the trainer cannot
 * tell the difference. Sampling streams are per shard: the same seed, k and backend give
 * identical batches; a different k gives different samples (but identical env seeding, and
 * identical batches with `deterministic: true`). A worker that throws or dies makes
 * `rollout` throw a {@link WorkerShardError} naming its env range, and stops all workers.
 * @example
 * const runner = createWorkerRunner(policy, { envId: 'CartPole-v1', numEnvs: 1024, workers: 2, seed: 1 });
 * await runner.ready();
 * const batch = runner.rollout(128); // obs [128, 1024, 4], env i at column i
 * batch.dispose();
 * await runner.close();
 */
export function createWorkerRunner(policy: Policy, opts: WorkerRunnerOptions): WorkerRunner {
  return new ThreadRunner(policy, opts);
}
