/**
 * ∇θJ on several cores (Node): the same estimate as {@link policyGradient}, computed in parts.
 *
 * The learner computes what the estimator needs from the whole batch first — the returns, the
 * baseline and the standardisation of Â ({@link finalAdvantages}, exactly as one thread does) —
 * then splits the batch along T into k parts of whole rows: rows t0 … t1−1 keep all N envs, so
 * each part's surrogate Ĵ_p = 1/N Σ_{t∈p} Σ_n log πθ(a|s)·Â carries the batch's own 1/N and
 * ∇θJ = Σ_p ∇θĴ_p with no weights. Part 0 runs in the calling thread, parts 1 … k−1 in gradient
 * threads (`gradient_thread.ts`: the same architecture, the learner's θ shipped each call, the
 * same {@link surrogateGradient}), at the same time; the learner sums the parts and the caller
 * takes one optimizer step. Observations, actions, Â and the mask move through shared memory
 * (without a copy when the batch's arrays already live there: rollout workers' batches).
 *
 * What pays (`rl bench update`, 2 cores, quiet machine): see the `updateWorkers` field of the
 * config for the measured threshold.
 */
import { availableParallelism } from 'node:os';
import type { Policy } from '@rl/policy';
import { createThreadPool, hostBatch, type RolloutBatch, type ThreadPool, type ThreadTaskTimes } from '@rl/runner';
import { backendInfo, fastWasmKernels, tf, type BackendName, type FastWasmKernel } from '@rl/tf';
import { AUTO_UPDATE_MIN_BATCH, type TrainConfig } from './config.js';
import { finalAdvantages, readBatch, surrogateGradient, type GradientEstimator, type PolicyGradient, type PolicyGradientOptions, type SurrogateGradient } from './reinforce.js';
import { globalNorm } from './optim.js';

/** A part of a batch in shared memory: `length` elements of `buffer` from element `offset`. */
export interface SharedPart {
  readonly buffer: SharedArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

/** What each gradient thread is started with (`workerData.data`). */
export interface GradientThreadInit {
  readonly observationSpace: unknown;
  readonly actionSpace: unknown;
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  readonly fastPath: boolean;
  readonly backend: BackendName;
  /** The wasm kernels the learner replaced (`fastWasmKernels()`): the threads run the same ones. */
  readonly wasmKernels: readonly FastWasmKernel[];
  /** θ, flat in `policy.getWeights()` order (learner → threads). */
  readonly weights: SharedArrayBuffer;
  /** Per thread: its ∇θJ part flat in `trainableVariables` order, then its loss and entropy (threads → learner; float32 for the gradient, see `scalars`). */
  readonly grads: SharedArrayBuffer;
  /** Per thread: loss and mean entropy of its part (float64). */
  readonly scalars: SharedArrayBuffer;
  /** Length of one thread's gradient region in `grads`. */
  readonly gradLength: number;
}

/** One part's work (learner → thread). */
export interface GradientMessage {
  /** Rows of the part (its T), and N. */
  readonly steps: number;
  readonly numEnvs: number;
  readonly obsDim: number;
  /** Discrete actions are int32 `[T, N]`, Box actions float32 `[T, N, actionDim]`. */
  readonly discrete: boolean;
  readonly actionDim: number;
  readonly obs: SharedPart;
  readonly actions: SharedPart;
  readonly advantages: SharedPart;
  readonly mask: SharedPart;
  readonly entCoef: number;
  readonly obsNorm: Policy['obsNorm'];
}

/** Options of {@link createGradientThreads}. */
export interface GradientThreadsOptions {
  /** Parts k of every batch (the calling thread computes one, k − 1 threads the rest); default `os.availableParallelism()`. At least 2. */
  readonly parts?: number;
  /** Longest one call may wait for the threads; default 600 000 ms. */
  readonly timeoutMs?: number;
  /** Longest the threads may take to start; default 120 000 ms. */
  readonly startTimeoutMs?: number;
}

/** ∇θJ of a policy, computed in parts on several threads (see the file header). */
export interface GradientThreads {
  /** k, the parts of a batch (threads + the caller). */
  readonly parts: number;
  /** The estimate {@link policyGradient} gives for the same arguments, within float rounding (a {@link GradientEstimator}). */
  readonly gradient: GradientEstimator;
  /** What each thread's part of the last call cost (its wall, CPU and run-queue ms), in thread order. */
  readonly lastTimes: readonly ThreadTaskTimes[];
  /** Resolves when every thread has started. */
  ready(): Promise<void>;
  /** Stops the threads and waits for them to exit. */
  close(): Promise<void>;
  /** Stops the threads without waiting. */
  dispose(): void;
}

const WHERE = 'createGradientThreads';

/** Typed arrays a part is cut from. */
type Arr = Float32Array | Int32Array;

/** Backends whose gradient can run in parts on threads (each thread its own instance). */
const THREADED = ['wasm', 'cpu'];

class Threads implements GradientThreads {
  readonly parts: number;
  readonly gradient: GradientEstimator;
  private readonly pool: ThreadPool;
  private readonly weights: Float32Array;
  private readonly grads: Float32Array;
  private readonly scalars: Float64Array;
  private readonly gradLength: number;
  /** Staging for arrays that are not in shared memory yet, grown as needed. */
  private staging = new SharedArrayBuffer(0);

  constructor(
    private readonly policy: Policy,
    private readonly opts: GradientThreadsOptions,
  ) {
    const k = opts.parts ?? availableParallelism();
    if (!Number.isInteger(k) || k < 2) throw new RangeError(`${WHERE}: parts must be an integer ≥ 2 (the calling thread computes one), got ${String(k)}`);
    const backend = (backendInfo()?.backend ?? tf.getBackend()) as BackendName;
    if (!THREADED.includes(backend)) {
      throw new RangeError(`${WHERE}: the update runs in parts on threads with the wasm or cpu backend only, this learner runs ${backend} (a GPU or tfjs-node already uses the whole device); use updateWorkers 1`);
    }
    const spec = policy.network;
    if (!spec) throw new TypeError(`${WHERE}: the policy has no network spec (it was not built by createPolicy), so the threads cannot build the same network; use updateWorkers 1`);
    this.parts = k;
    const weightLen = policy.weightShapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    this.gradLength = policy.trainableVariables.reduce((a, v) => a + v.size, 0);
    const init: GradientThreadInit = {
      observationSpace: policy.observationSpace.toJSON(),
      actionSpace: policy.actionSpace.toJSON(),
      hidden: [...spec.hidden],
      activation: spec.activation,
      fastPath: policy.fastPath,
      backend,
      wasmKernels: backend === 'wasm' ? fastWasmKernels() : [],
      weights: new SharedArrayBuffer(4 * weightLen),
      grads: new SharedArrayBuffer(4 * this.gradLength * (k - 1)),
      scalars: new SharedArrayBuffer(8 * 2 * (k - 1)),
      gradLength: this.gradLength,
    };
    this.weights = new Float32Array(init.weights);
    this.grads = new Float32Array(init.grads);
    this.scalars = new Float64Array(init.scalars);
    const fromSource = import.meta.url.endsWith('.ts');
    this.pool = createThreadPool({
      entry: new URL(fromSource ? './gradient_thread.ts' : './gradient_thread.js', import.meta.url),
      size: k - 1,
      where: WHERE,
      noun: 'gradient threads',
      describe: (i) => `gradient thread ${i + 1} (part ${i + 1} of ${k})`,
      data: () => init,
    });
    this.gradient = (p, batch, o) => this.estimate(p, batch, o);
  }

  get lastTimes(): readonly ThreadTaskTimes[] {
    return this.pool.lastTimes;
  }

  ready(): Promise<void> {
    return this.pool.ready();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  dispose(): void {
    this.pool.stop();
  }

  private estimate(policy: Policy, batch: RolloutBatch, opts: PolicyGradientOptions): PolicyGradient {
    if (policy !== this.policy) throw new Error(`${WHERE}: gradient() was given another policy than the threads were made for`);
    const data = opts.data ?? readBatch(batch);
    const { returns, advantages } = finalAdvantages(data, opts);
    const entCoef = opts.entCoef ?? 0;
    const T = batch.steps;
    const parts = Math.min(this.parts, T);
    if (parts < 2) return { ...surrogateGradient(policy, batch, advantages, entCoef), returns, advantages };
    const N = batch.numEnvs;
    const od = batch.obs.shape[2];
    const discrete = batch.actions.rank === 2;
    const ad = discrete ? 1 : batch.actions.shape[2]!;
    // rows of each part: [bound[p], bound[p + 1])
    const bound = Array.from({ length: parts + 1 }, (_, p) => Math.floor((p * T) / parts));
    const host = batch.host ?? hostBatch(batch);
    const mask = data.mask instanceof Float32Array ? data.mask : Float32Array.from(data.mask);
    // θ → the threads
    let off = 0;
    for (const w of policy.getWeights()) {
      this.weights.set(w, off);
      off += w.length;
    }
    const stage = this.stager(host, advantages, mask, bound[1]! * N, od, ad);
    const messages: GradientMessage[] = [];
    for (let p = 1; p < parts; p++) {
      const lo = bound[p]! * N;
      const hi = bound[p + 1]! * N;
      messages.push({
        steps: bound[p + 1]! - bound[p]!,
        numEnvs: N,
        obsDim: od,
        discrete,
        actionDim: ad,
        obs: stage(host.obs, lo * od, hi * od),
        actions: stage(host.actions, lo * ad, hi * ad),
        advantages: stage(advantages, lo, hi),
        mask: stage(mask, lo, hi),
        entCoef,
        obsNorm: policy.obsNorm,
      });
    }
    const run = { timeoutMs: this.opts.timeoutMs ?? 600_000, startTimeoutMs: this.opts.startTimeoutMs ?? 120_000, what: 'gradient', count: parts - 1 };
    this.pool.post((i) => messages[i], run);
    // part 0 here, meanwhile
    let own: SurrogateGradient;
    try {
      const rows = bound[1]!;
      const part = tf.tidy(() => ({
        obs: tf.slice(batch.obs, [0, 0, 0], [rows, N, od]) as tf.Tensor3D,
        actions: discrete ? tf.slice(batch.actions, [0, 0], [rows, N]) : tf.slice(batch.actions, [0, 0, 0], [rows, N, ad]),
        mask: tf.slice(batch.mask, [0, 0], [rows, N]) as tf.Tensor2D,
      }));
      try {
        own = surrogateGradient(policy, { ...part, steps: rows, numEnvs: N }, advantages.subarray(0, rows * N), entCoef);
      } finally {
        tf.dispose([part.obs, part.actions, part.mask]);
      }
    } catch (err) {
      try {
        this.pool.wait();
      } catch {
        // the part computed here failed first: that is the error to report
      }
      throw err;
    }
    try {
      this.pool.wait();
    } catch (err) {
      own.dispose();
      throw err;
    }
    return this.sum(own, parts, bound, N, mask, returns, advantages);
  }

  /**
   * ∇θJ = Σ_p ∇θĴ_p; the loss likewise; the entropy (a mean over real samples) weighted by
   * each part's real samples.
   */
  private sum(own: SurrogateGradient, parts: number, bound: readonly number[], N: number, mask: Float32Array, returns: Float32Array | undefined, advantages: Float32Array): PolicyGradient {
    const real = (lo: number, hi: number): number => {
      let c = 0;
      for (let i = lo; i < hi; i++) if (mask[i]) c++;
      return c;
    };
    const reals = Array.from({ length: parts }, (_, p) => real(bound[p]! * N, bound[p + 1]! * N));
    const total = reals.reduce((a, b) => a + b, 0);
    let lossRest = 0;
    let entSum = 0;
    for (let p = 1; p < parts; p++) {
      lossRest += this.scalars[2 * (p - 1)]!;
      entSum += this.scalars[2 * (p - 1) + 1]! * Math.max(reals[p]!, 1);
    }
    const result = tf.tidy(() => {
      let g = 0;
      const gradJ = own.gradJ.map((x) => {
        let acc: tf.Tensor = x;
        for (let p = 1; p < parts; p++) {
          const at = (p - 1) * this.gradLength + g;
          acc = tf.add(acc, tf.tensor(this.grads.subarray(at, at + x.size), x.shape));
        }
        g += x.size;
        return acc;
      });
      const loss = tf.add(own.loss, lossRest) as tf.Scalar;
      const entropy = tf.div(tf.add(tf.mul(own.entropy, Math.max(reals[0]!, 1)), entSum), Math.max(total, 1)) as tf.Scalar;
      return { gradJ, loss, entropy, gradNorm: globalNorm(gradJ) };
    });
    own.dispose();
    const { gradJ, loss, entropy, gradNorm } = result;
    return { gradJ, loss, entropy, gradNorm, returns, advantages, dispose: () => tf.dispose([...gradJ, loss, entropy, gradNorm]) };
  }

  /**
   * The parts' arrays as shared memory: a view of the array itself when it already lives in a
   * SharedArrayBuffer (a rollout workers' batch), else a copy into the staging buffer (grown to
   * fit every part of this call). `skip` elements of each array belong to part 0 (not copied).
   */
  private stager(host: { obs: Arr; actions: Arr }, advantages: Float32Array, mask: Float32Array, skip: number, od: number, ad: number): (a: Arr, lo: number, hi: number) => SharedPart {
    const arrays: Arr[] = [host.obs, host.actions, advantages, mask];
    const widths = [od, ad, 1, 1];
    const need = arrays.reduce((a, x, i) => a + (x.buffer instanceof SharedArrayBuffer ? 0 : x.length - skip * widths[i]!), 0);
    if (this.staging.byteLength < 4 * need) this.staging = new SharedArrayBuffer(4 * Math.ceil(need * 1.25));
    const staging = this.staging;
    let used = 0;
    return (a, lo, hi) => {
      if (a.buffer instanceof SharedArrayBuffer) return { buffer: a.buffer, offset: a.byteOffset / 4 + lo, length: hi - lo };
      const view = a instanceof Int32Array ? new Int32Array(staging, 4 * used, hi - lo) : new Float32Array(staging, 4 * used, hi - lo);
      view.set(a.subarray(lo, hi));
      const part = { buffer: staging, offset: used, length: hi - lo };
      used += hi - lo;
      return part;
    };
  }
}

/**
 * The parts k of each update's gradient for a config's `updateWorkers` on `backend`: k as given;
 * `auto` = `cores` when a steps-mode batch has T·N ≥ {@link AUTO_UPDATE_MIN_BATCH} samples on
 * wasm or cpu, else 1. Throws, naming the field, for k > 1 on a backend the threads cannot run.
 * @example
 * updateParts({ updateWorkers: 'auto', mode: 'steps', numEnvs: 64, stepsPerIter: 64 }, 'wasm', 2); // 2 (T·N = 4096)
 */
export function updateParts(cfg: Pick<TrainConfig, 'updateWorkers' | 'mode' | 'numEnvs' | 'stepsPerIter'>, backend: string, cores = availableParallelism()): number {
  const threaded = THREADED.includes(backend);
  if (cfg.updateWorkers === 'auto') return threaded && cfg.mode === 'steps' && cfg.numEnvs * cfg.stepsPerIter >= AUTO_UPDATE_MIN_BATCH && cores >= 2 ? cores : 1;
  if (cfg.updateWorkers > 1 && !threaded) {
    throw new RangeError(`updateWorkers = ${cfg.updateWorkers}: the update runs in parts on threads with the wasm or cpu backend only, this run uses ${backend} (a GPU or tfjs-node already uses the whole device); use 1 or "auto"`);
  }
  return cfg.updateWorkers;
}

/**
 * Gradient threads for `policy` (a `createPolicy` policy on the wasm or cpu backend): their
 * `gradient` is a drop-in {@link GradientEstimator} for {@link policyGradient} — the trainer's
 * `updateWorkers` sets it as the learner's `gradient`.
 * @example
 * const threads = createGradientThreads(policy, { parts: 2 });
 * await threads.ready();
 * const learner = { policy, optimizer, ema: undefined, gradient: threads.gradient };
 * reinforceUpdate(learner, batch, cfg, 1); // ∇θJ from both cores, one Adam step
 * await threads.close();
 */
export function createGradientThreads(policy: Policy, opts: GradientThreadsOptions = {}): GradientThreads {
  return new Threads(policy, opts);
}
