/**
 * Batched REINFORCE, as derived.
 *
 * The policy gradient theorem (log-derivative trick ∇p = p·∇log p; the dynamics drop out):
 *
 *     ∇θ J(θ) = E_τ~πθ [ (Σ_t ∇θ log πθ(a_t|s_t)) · (Σ_t r_t) ]
 *             ≈ 1/N Σ_n Σ_t ∇θ log πθ(a_t,n|s_t,n) · Â_t,n
 *
 * where Â is the return each step is credited with — the whole-episode return R(τ)
 * (`totalReturn`, the seed's estimator) or the reward-to-go G_t (`rewardToGo`, causality) —
 * minus a baseline b that does not depend on the action (so it adds no bias and removes
 * variance). The estimate is the gradient of the surrogate objective
 * Ĵ(θ) = 1/N Σ_n Σ_t log πθ(a_t,n|s_t,n) · Â_t,n with Â held constant: one forward pass over
 * all T·N samples and one backward pass. Then θ ← θ + α·∇θ J.
 *
 * One iteration's update, in the order it runs (each step one named function below, called by
 * the trainer, `@rl/distributed`'s learner and actors, and apps/web's trainer alike):
 *
 *   r_t ← c·r_t                                   scaleRewards
 *   R_t  (R(τ) or G_t, bootstrapped where cut)     discountedReturns
 *   b    (0, batch mean, EMA, V(s_t))              baselineOf / constantBaseline
 *   Â_t = R_t − b  (or GAE-λ), standardised       advantagesOf, standardize
 *   ∇θJ ≈ 1/N Σ_n Σ_t ∇θ log πθ(a|s)·Â             policyGradient
 *   θ ← θ + α·clip(∇θJ)                           clipAndAscend
 *   V ← V − β·∇ mean (V(s_t) − R_t)²               fitValue
 *   b ← decay·b + (1 − decay)·mean R              updateEma
 */
import { tf } from '@rl/tf';
import type { Policy } from '@rl/policy';
import type { RolloutBatch } from '@rl/runner';
import type { BaselineKind, ReturnEstimator } from './config.js';
import { globalNorm, type Optimizer } from './optim.js';
import { gae, rewardToGo, totalReturn, type Bootstrap, type Transitions } from './returns.js';

/** A learned state-value function V(s) (the `value` and `gae` baselines). */
export interface ValueFunction {
  /** V(s) per row `[B]` for observations `[B, obsDim]` (differentiable). */
  predict(obs: tf.Tensor2D): tf.Tensor1D;
  /** Its parameters. */
  readonly trainableVariables: readonly tf.Variable[];
}

/** A rollout's rewards and flags read back to JS once, with V where a value function exists. */
export interface BatchData extends Transitions {
  readonly rewards: Float32Array;
  readonly mask: Float32Array;
  /** V(s_t) `[T·N]` (with a value function). */
  readonly values?: Float32Array;
  /** V(finalObs_t) and V(lastObs) (with a value function). */
  readonly bootstrap?: Bootstrap;
}

/**
 * The rollout's rewards, flags and mask as host arrays, with V(s_t), V(finalObs_t) and V(lastObs)
 * when a value function exists. A JS rollout already has the arrays (`batch.host`): nothing is
 * read back but V. A tensor-native one is read back once (all of it in one `dataSync`).
 */
export function readBatch(batch: RolloutBatch, value?: ValueFunction): BatchData {
  const { steps: T, numEnvs: N } = batch;
  const n = T * N;
  const host = batch.host;
  const flat = tf.tidy(() => {
    const parts: tf.Tensor[] = host ? [] : [batch.rewards, batch.terminated, batch.truncated, batch.mask].map((t) => t.reshape([n]));
    if (value) {
      const d = batch.obs.shape[2];
      parts.push(value.predict(batch.obs.reshape([n, d])), value.predict(batch.finalObs.reshape([n, d])), value.predict(batch.lastObs));
    }
    return parts.length > 0 ? tf.concat(parts) : undefined;
  });
  const all = flat ? Float32Array.from(flat.dataSync()) : new Float32Array(0);
  flat?.dispose();
  const at = (k: number, len = n): Float32Array => all.subarray(k * n, k * n + len);
  const data = host
    ? { steps: T, numEnvs: N, rewards: host.rewards, terminated: host.terminated, truncated: host.truncated, mask: host.mask }
    : { steps: T, numEnvs: N, rewards: at(0), terminated: at(1), truncated: at(2), mask: at(3) };
  if (!value) return data;
  const v = host ? 0 : 4; // where V's values start in the read-back
  return { ...data, values: at(v), bootstrap: { finalValues: at(v + 1), lastValues: at(v + 2, N) } };
}

/** Mean over the real (mask 1) samples. */
export function maskedMean(x: ArrayLike<number>, mask: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) (s += x[i]!), c++;
  return c > 0 ? s / c : 0;
}

/** (x − mean) / (std + 1e-8) over the real samples, with the mean and std given (e.g. of a whole distributed batch); padding stays 0. */
export function standardize(x: ArrayLike<number>, mean: number, std: number, mask: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = mask[i] ? (x[i]! - mean) / (std + 1e-8) : 0;
  return out;
}

/** (x − mean) / (std + 1e-8) with the mean and std (n − 1) of the real samples; padding stays 0. */
export function normalize(x: Float32Array, mask: ArrayLike<number>): Float32Array {
  const mean = maskedMean(x, mask);
  let ss = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) (ss += (x[i]! - mean) ** 2), c++;
  return standardize(x, mean, Math.sqrt(ss / Math.max(c - 1, 1)), mask);
}

/** r_t ← scale·r_t: the rewards returns and value targets are computed from (metrics stay unscaled). */
export function scaleRewards<D extends Transitions>(data: D, scale: number): D {
  return scale === 1 ? data : { ...data, rewards: Float32Array.from(data.rewards, (r) => r * scale) };
}

/** R_t, the return each step is credited with: the whole episode's R(τ) (`totalReturn`) or only what follows it, G_t (`rewardToGo`). */
export function discountedReturns(data: Transitions, estimator: ReturnEstimator, gamma: number, bootstrap?: Bootstrap): Float32Array {
  return estimator === 'totalReturn' ? totalReturn(data, gamma, bootstrap) : rewardToGo(data, gamma, bootstrap);
}

/** b of the baselines that are one number per batch: `none` 0, `mean` the batch's mean return, `ema` the running EMA (0 before the first batch). */
export function constantBaseline(kind: 'none' | 'mean' | 'ema', meanReturn: number, ema: number | undefined): number {
  return kind === 'mean' ? meanReturn : kind === 'ema' ? (ema ?? 0) : 0;
}

/** Â_t = R_t − b_t, with b one number or one value per sample. */
export function advantagesOf(returns: Float32Array, b: number | ArrayLike<number>): Float32Array {
  return returns.map((r, i) => r - (typeof b === 'number' ? b : b[i]!));
}

/** b ← decay·b + (1 − decay)·mean R: the `ema` baseline of the next batch (the first batch's mean starts it). */
export function updateEma(ema: number | undefined, meanReturn: number, decay: number): number {
  return ema === undefined ? meanReturn : decay * ema + (1 - decay) * meanReturn;
}

/**
 * θ ← θ + α·∇θJ, with ∇θJ rescaled to norm `maxGradNorm` when it is longer (0: no clipping).
 * `gradNorm` is ‖∇θJ‖, already read back (and checked finite) by the caller.
 */
export function clipAndAscend(optimizer: Optimizer, gradJ: readonly tf.Tensor[], gradNorm: number, maxGradNorm: number): void {
  const scale = maxGradNorm > 0 && gradNorm > maxGradNorm ? maxGradNorm / gradNorm : 1;
  if (scale === 1) {
    optimizer.ascend(gradJ);
    return;
  }
  const clipped = gradJ.map((g) => tf.mul(g, scale));
  optimizer.ascend(clipped);
  tf.dispose(clipped);
}

/** Options of {@link policyGradient}. */
export interface PolicyGradientOptions {
  /** Return each step is credited with; default `rewardToGo`. Ignored when `advantages` is given. */
  readonly returnEstimator?: ReturnEstimator;
  /** Discount γ; default 1 (the undiscounted J of the derivation). */
  readonly gamma?: number;
  /** Baseline b: a constant, or one value per sample `[T·N]`; default 0. Ignored when `advantages` is given. */
  readonly baseline?: number | ArrayLike<number>;
  /** Advantages Â `[T·N]` computed elsewhere (e.g. GAE); replaces return − baseline. */
  readonly advantages?: ArrayLike<number>;
  /** Normalise Â to zero mean, unit std over the batch; default false. */
  readonly normalizeAdvantages?: boolean;
  /** Entropy bonus c_H: the objective becomes J + c_H·E[Σ_t H(πθ(·|s_t))]; default 0. */
  readonly entCoef?: number;
  /** The batch already read back (by {@link readBatch}); read here when omitted. */
  readonly data?: BatchData;
}

/** ∇θ of the surrogate objective for given advantages, with its loss, entropy and norm. Call `dispose()` when done. */
export interface SurrogateGradient {
  /** ∇θJ per trainable variable (ascent direction), aligned with `policy.trainableVariables`. */
  readonly gradJ: tf.Tensor[];
  /** The surrogate loss −Ĵ(θ) (what a minimiser would see), scalar. */
  readonly loss: tf.Scalar;
  /** Mean entropy of πθ(·|s_t) over the real samples, scalar. */
  readonly entropy: tf.Scalar;
  /** Global L2 norm of ∇θJ, scalar. */
  readonly gradNorm: tf.Scalar;
  /** Frees every tensor above. */
  dispose(): void;
}

/** The estimate of ∇θJ and what it was computed from. Call `dispose()` when done. */
export interface PolicyGradient extends SurrogateGradient {
  /** The returns R_t the steps were credited with `[T·N]` (undefined when `advantages` was given). */
  readonly returns: Float32Array | undefined;
  /** The advantages Â_t used `[T·N]`. */
  readonly advantages: Float32Array;
}

/** What {@link surrogateGradient} reads of a batch: observations, actions, mask, T and N. */
export type SampleBatch = Pick<RolloutBatch, 'obs' | 'actions' | 'mask' | 'steps' | 'numEnvs'>;

/**
 * The REINFORCE estimate of ∇θJ from one batch, without applying it:
 * ∇θJ ≈ 1/N Σ_n Σ_t ∇θ log πθ(a_t,n|s_t,n) · Â_t,n (N trajectories of the batch's envs).
 * One forward pass over all T·N samples, one backward pass.
 *
 * @example
 * const g = policyGradient(policy, batch, { returnEstimator: 'totalReturn', gamma: 1 });
 * g.gradJ; // one tensor per policy.trainableVariables[i]
 * g.dispose();
 */
export function policyGradient(policy: Policy, batch: RolloutBatch, opts: PolicyGradientOptions = {}): PolicyGradient {
  const { returns, advantages } = finalAdvantages(opts.data ?? readBatch(batch), opts);
  return { ...surrogateGradient(policy, batch, advantages, opts.entCoef ?? 0), returns, advantages };
}

/**
 * ∇θ of the surrogate Ĵ(θ) = 1/N Σ_n Σ_t log πθ(a_t,n|s_t,n) · Â_t,n (+ c_H/N Σ H) of a batch
 * whose final advantages Â (`[T·N]`, from {@link finalAdvantages}) are given: the taped half of
 * {@link policyGradient}. Over rows t0 … t1−1 of a batch it gives that part's share of the
 * batch's estimate (the 1/N is the batch's, as every part keeps all N envs).
 */
export function surrogateGradient(policy: Policy, batch: SampleBatch, advantages: Float32Array, entCoef: number): SurrogateGradient {
  const vars = policy.trainableVariables;
  let entropy: tf.Scalar | undefined;
  const { value: surrogate, grads } = tf.tidy(() => {
    const { steps: T, numEnvs: N } = batch;
    const obs = batch.obs.reshape([T * N, batch.obs.shape[2]]) as tf.Tensor2D;
    const actions = batch.actions.reshape(batch.actions.rank === 2 ? [T * N] : [T * N, batch.actions.shape[2]!]);
    const A = tf.tensor1d(advantages);
    const mask = batch.mask.reshape([T * N]);
    const realSteps = tf.maximum(tf.sum(mask), 1);
    return tf.variableGrads(() => {
      // πθ(·|s_t) for all T·N samples: one forward pass
      const pi = policy.distribution(obs);
      // log πθ(a_t|s_t)
      const logProb = pi.logProb(actions);
      // H(πθ(·|s_t))
      const H = tf.mul(pi.entropy(), mask);
      entropy = tf.keep(tf.div(tf.sum(H), realSteps) as tf.Scalar);
      // Ĵ(θ) = 1/N Σ_n Σ_t log πθ(a_t|s_t) · Â_t  (+ c_H/N Σ H): its gradient is the estimate of ∇θJ
      const J = tf.div(tf.sum(tf.mul(logProb, A)), N);
      const objective = entCoef > 0 ? tf.add(J, tf.mul(tf.div(tf.sum(H), N), entCoef)) : J;
      return objective as tf.Scalar;
    }, vars as tf.Variable[]);
  });
  // ∇θJ, in the order of the policy's variables
  const gradJ = vars.map((v) => {
    const g = grads[v.name];
    if (!g) throw new Error(`policyGradient: no gradient for variable ${v.name}`);
    return g;
  });
  const loss = tf.neg(surrogate) as tf.Scalar;
  surrogate.dispose();
  const gradNorm = globalNorm(gradJ);
  const ent = entropy!;
  return { gradJ, loss, entropy: ent, gradNorm, dispose: () => tf.dispose([...gradJ, loss, ent, gradNorm]) };
}

/**
 * The Â_t each sample's ∇θ log πθ is weighted with in {@link policyGradient}: the given
 * advantages, or R_t − b for `returnEstimator`, γ and `baseline`; standardised over the batch's
 * real samples with `normalizeAdvantages`; 0 on padding. Also the returns R_t (undefined when
 * the advantages were given). Computing a batch's gradient in parts starts here, so every part
 * is weighted by the whole batch's statistics.
 */
export function finalAdvantages(data: BatchData, opts: Omit<PolicyGradientOptions, 'data' | 'entCoef'>): { returns: Float32Array | undefined; advantages: Float32Array } {
  const { steps: T, numEnvs: N } = data;
  // R_t: the return step t is credited with (the whole episode's, or only what follows it)
  let returns: Float32Array | undefined;
  let advantages: Float32Array;
  if (opts.advantages) {
    advantages = Float32Array.from(opts.advantages);
  } else {
    returns = discountedReturns(data, opts.returnEstimator ?? 'rewardToGo', opts.gamma ?? 1, data.bootstrap);
    // Â_t = R_t − b_t, b_t a baseline that does not depend on a_t
    advantages = advantagesOf(returns, opts.baseline ?? 0);
  }
  if (advantages.length !== T * N) throw new RangeError(`policyGradient: advantages has ${advantages.length} values, the batch has T·N = ${T}·${N} = ${T * N}`);
  if (opts.normalizeAdvantages) advantages = normalize(advantages, data.mask);
  for (let i = 0; i < advantages.length; i++) if (!data.mask[i]) advantages[i] = 0;
  return { returns, advantages };
}

/**
 * Something that computes {@link policyGradient}'s estimate: `policyGradient` itself, or the
 * same estimate computed in parts on several threads and summed (`createGradientThreads` of the
 * Node entry).
 */
export type GradientEstimator = (policy: Policy, batch: RolloutBatch, opts: PolicyGradientOptions) => PolicyGradient;

/** Thrown when the loss or a gradient is NaN or infinite; the parameters were left unchanged. */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';
  constructor(
    readonly iteration: number,
    what: string,
  ) {
    super(`iteration ${iteration}: ${what} is not finite; the update was not applied (parameters keep their last good values)`);
  }
}

/** What {@link reinforceUpdate} changes between iterations. */
export interface Learner {
  readonly policy: Policy;
  readonly optimizer: Optimizer;
  /** The learned V(s) (baselines `value` and `gae`). */
  readonly value?: ValueFunction;
  readonly valueOptimizer?: Optimizer;
  /** EMA of past batches' mean returns (`ema` baseline); undefined before the first batch. */
  ema: number | undefined;
  /** What computes ∇θJ; default {@link policyGradient} (in the calling thread). */
  readonly gradient?: GradientEstimator;
}

/** Hyperparameters of one update (a subset of `TrainConfig`). */
export interface UpdateConfig {
  readonly returnEstimator: ReturnEstimator;
  readonly gamma: number;
  readonly gaeLambda: number;
  readonly baseline: BaselineKind;
  readonly emaDecay: number;
  readonly rewardScale: number;
  readonly normalizeAdvantages: boolean;
  readonly entCoef: number;
  readonly maxGradNorm: number;
  readonly valueEpochs: number;
}

/** Numbers of one update. */
export interface UpdateMetrics {
  /** Surrogate loss −Ĵ. */
  readonly loss: number;
  /** Mean policy entropy per step. */
  readonly entropy: number;
  /** ‖∇θJ‖ before clipping. */
  readonly gradNorm: number;
  /** MSE of V against its targets before the update (NaN without a learned V). */
  readonly valueLoss: number;
}

/** R_t and the advantages Â_t of one batch, for the configured estimator and baseline. */
export interface Estimate {
  readonly returns: Float32Array;
  readonly advantages: Float32Array;
}

/**
 * R_t and Â_t = R_t − b_t for `cfg.baseline` (GAE-λ on the learned V for `gae`), from a batch
 * already read back and reward-scaled.
 */
export function estimate(cfg: Pick<UpdateConfig, 'returnEstimator' | 'gamma' | 'gaeLambda' | 'baseline'>, data: BatchData, ema: number | undefined): Estimate {
  if (cfg.baseline === 'gae') return gae(data, data.values!, cfg.gamma, cfg.gaeLambda, data.bootstrap!);
  const returns = discountedReturns(data, cfg.returnEstimator, cfg.gamma, data.bootstrap);
  return { returns, advantages: advantagesOf(returns, baselineOf(cfg.baseline, returns, data, ema)) };
}

/** b_t for the non-learned baselines and `value` (V(s_t) read back with the batch). */
function baselineOf(kind: BaselineKind, returns: Float32Array, data: BatchData, ema: number | undefined): number | Float32Array {
  if (kind === 'gae') throw new Error('baseline: gae advantages are computed by gae()');
  return kind === 'value' ? data.values! : constantBaseline(kind, maskedMean(returns, data.mask), ema);
}

/** Scalars an update step wants read back, and the numbers it gets for them (see {@link updateSteps}). */
type Reads<R> = Generator<tf.Scalar[], R, number[]>;

/**
 * One REINFORCE iteration on a collected batch: returns, baseline, advantages, ∇θJ, then
 * θ ← θ + α·∇θJ (clipped to `maxGradNorm`), and the value function fitted to its targets.
 * Throws {@link NonFiniteError} naming `iteration` before writing any non-finite weight. The
 * learning rate is the optimizer's (`learningRate` of the schedule).
 */
export function reinforceUpdate(learner: Learner, batch: RolloutBatch, cfg: UpdateConfig, iteration: number): UpdateMetrics {
  // The rollout's arrays (read back only where they live on the backend), V(s_t), V(finalObs_t), V(lastObs) when V is learned
  return readSync(updateSteps(learner, batch, cfg, iteration, readBatch(batch, learner.value)));
}

/**
 * {@link reinforceUpdate} with asynchronous reads only (`await data()`), for a backend without
 * synchronous read-back (a browser's WebGPU): the same steps, `data` read by the caller.
 */
export async function reinforceUpdateAsync(learner: Learner, batch: RolloutBatch, cfg: UpdateConfig, iteration: number, data: BatchData): Promise<UpdateMetrics> {
  const g = updateSteps(learner, batch, cfg, iteration, data);
  let r = g.next();
  while (!r.done) {
    const xs = r.value;
    let values: number[];
    try {
      const stacked = tf.stack(xs);
      values = Array.from(await stacked.data());
      stacked.dispose();
    } catch (err) {
      r = g.throw(err);
      continue;
    }
    r = g.next(values);
  }
  return r.value;
}

/** Drives an update synchronously: every scalar it asks for in one `dataSync`. */
function readSync<R>(g: Reads<R>): R {
  let r = g.next();
  while (!r.done) r = g.next(readScalars(r.value));
  return r.value;
}

/** The steps of one update; yields the scalars it needs read back (the sync and async drivers read them). */
function* updateSteps(learner: Learner, batch: RolloutBatch, cfg: UpdateConfig, iteration: number, read: BatchData): Reads<UpdateMetrics> {
  const { policy, optimizer, value } = learner;
  const data = scaleRewards(read, cfg.rewardScale);

  // R_t and Â_t = R_t − b_t
  const { returns, advantages } = estimate(cfg, data, learner.ema);

  // ∇θJ ≈ 1/N Σ_n Σ_t ∇θ log πθ(a_t|s_t) · Â_t
  const pg = (learner.gradient ?? policyGradient)(policy, batch, { advantages, normalizeAdvantages: cfg.normalizeAdvantages, entCoef: cfg.entCoef, data });
  try {
    const [loss, entropy, gradNorm] = yield [pg.loss, pg.entropy, pg.gradNorm];
    if (!Number.isFinite(loss!)) throw new NonFiniteError(iteration, `the policy loss (${loss})`);
    if (!Number.isFinite(gradNorm!)) throw new NonFiniteError(iteration, `the policy gradient (global norm ${gradNorm})`);
    // θ ← θ + α·∇θJ, with ∇θJ rescaled to norm maxGradNorm when it is longer
    clipAndAscend(optimizer, pg.gradJ, gradNorm!, cfg.maxGradNorm);
    // V ← V − β·∇ mean (V(s_t) − R_t)²
    const valueLoss = value ? yield* fitValue(learner, batch, returns, data.mask, cfg, iteration) : NaN;
    // b ← decay·b + (1 − decay)·mean R (the `ema` baseline of the next batch)
    if (cfg.baseline === 'ema') learner.ema = updateEma(learner.ema, maskedMean(returns, data.mask), cfg.emaDecay);
    return { loss: loss!, entropy: entropy!, gradNorm: gradNorm!, valueLoss };
  } finally {
    pg.dispose();
  }
}

/** Several scalars in one read-back. */
function readScalars(xs: readonly tf.Scalar[]): number[] {
  const stacked = tf.stack(xs as tf.Scalar[]);
  const v = Array.from(stacked.dataSync());
  stacked.dispose();
  return v;
}

/** Full-batch steps of the value MSE; returns the loss before the first step. */
function* fitValue(learner: Learner, batch: RolloutBatch, targets: Float32Array, mask: Float32Array, cfg: UpdateConfig, iteration: number): Reads<number> {
  const value = learner.value!;
  const opt = learner.valueOptimizer!;
  const { steps: T, numEnvs: N } = batch;
  let first = NaN;
  for (let epoch = 0; epoch < cfg.valueEpochs; epoch++) {
    const { value: mse, grads } = tf.tidy(() => {
      const obs = batch.obs.reshape([T * N, batch.obs.shape[2]]) as tf.Tensor2D;
      const R = tf.tensor1d(targets);
      const m = tf.tensor1d(mask);
      const count = Math.max(mask.reduce((a, b) => a + b, 0), 1);
      return tf.variableGrads(() => tf.div(tf.sum(tf.mul(tf.square(tf.sub(value.predict(obs), R)), m)), count) as tf.Scalar, value.trainableVariables as tf.Variable[]);
    });
    const list = value.trainableVariables.map((v) => grads[v.name]!);
    const norm = globalNorm(list);
    let l: number;
    let n: number;
    try {
      [l, n] = (yield [mse, norm]) as [number, number];
    } catch (err) {
      tf.dispose(list);
      throw err;
    } finally {
      tf.dispose([mse, norm]);
    }
    if (!Number.isFinite(l) || !Number.isFinite(n)) {
      tf.dispose(list);
      throw new NonFiniteError(iteration, `the value loss (${l}) or its gradient (norm ${n})`);
    }
    opt.descend(list);
    tf.dispose(list);
    if (epoch === 0) first = l;
  }
  return first;
}
