import type { Box, Space, RngState } from '@rl/env';
import type { tf } from '@rl/tf';

/**
 * A batched action distribution. Every method works on the leading (batch) axis and returns
 * tensors the caller owns (call inside `tf.tidy` or dispose them).
 */
export interface Distribution {
  /** Draws one action per row: int32 `[B]` (categorical) or float32 `[B, actDim]` (Gaussian). `seed` must be fresh per call. */
  sample(seed: number): tf.Tensor;
  /** log π(a) per row, `[B]`. Differentiable with respect to the parameters. */
  logProb(actions: tf.Tensor): tf.Tensor1D;
  /** Entropy per row, `[B]`. */
  entropy(): tf.Tensor1D;
  /** The most likely action per row (argmax / mean). */
  mode(): tf.Tensor;
}

/** Running mean/variance of observations, applied inside the policy as `clip((x − mean)/√(var + ε))`. */
export interface ObsNormStats {
  readonly mean: Float32Array;
  readonly var: Float32Array;
  readonly count: number;
  /** Normalised values are clipped to ±clip. */
  readonly clip: number;
  readonly epsilon: number;
}

/** Options of {@link Policy.save}. */
export interface SaveOptions {
  /** Extra JSON facts stored in policy.json and returned as `metadata` by `loadPolicy` (e.g. `{ envId: 'CartPole-v1' }`). */
  readonly metadata?: Record<string, unknown>;
}

/** How a policy's MLP was built, stored in policy.json. */
export interface NetworkSpec {
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
}

/** What `actWithDistribution` of a network policy returns; the caller owns every tensor. */
export type ActionWithDistribution =
  | {
      readonly kind: 'categorical';
      /** int32 `[B]`, the Discrete space's values. */
      readonly action: tf.Tensor1D;
      /** π(a|s) `[B, n]`, each row summing to 1. */
      readonly probabilities: tf.Tensor2D;
    }
  | {
      readonly kind: 'gaussian';
      /** float32 `[B, d]`. */
      readonly action: tf.Tensor2D;
      /** Means `[B, d]` (the mode). */
      readonly mean: tf.Tensor2D;
      /** Standard deviations σ `[B, d]`. */
      readonly std: tf.Tensor2D;
    };

/**
 * A stochastic policy π_θ(a|s) over a batch of observations. The trainer differentiates
 * `logProb` and `entropy`; `act` runs without taping.
 */
export interface Policy {
  /** Observation space the policy was built for. */
  readonly observationSpace: Box;
  /** Action space the policy was built for. */
  readonly actionSpace: Space;
  /** `categorical` for Discrete, `gaussian` for Box. */
  readonly distributionType: 'categorical' | 'gaussian';
  /** The parameters θ the optimizer updates (network weights, and log σ for Gaussian). */
  readonly trainableVariables: readonly tf.Variable[];
  /** The action distribution for a batch `[B, obsDim]` (differentiable; call inside tidy / grads). */
  distribution(obs: tf.Tensor2D): Distribution;
  /**
   * Actions for a batch of observations without taping; caller owns the result: int32 `[B]`
   * holding the Discrete space's values (`start … start + n − 1`), or float32 `[B, actDim]`
   * (unclipped Gaussian samples). `deterministic` gives the mode (argmax / mean).
   */
  act(obs: tf.Tensor2D, opts?: { readonly deterministic?: boolean }): tf.Tensor;
  /** log π(a|s) per row `[B]` (differentiable). */
  logProb(obs: tf.Tensor2D, actions: tf.Tensor): tf.Tensor1D;
  /** Entropy of π(·|s) per row `[B]` (differentiable). */
  entropy(obs: tf.Tensor2D): tf.Tensor1D;
  /** Observation normalisation statistics, if the policy normalises its input. */
  obsNorm: ObsNormStats | undefined;
  /** State of the policy's sampling stream (for checkpoints). */
  getRngState(): RngState;
  /** Restores the sampling stream. */
  setRngState(s: RngState): void;
  /** Writes `model.json`, weights and `policy.json` (spaces, distribution, log σ, normalisation, versions) atomically. */
  save(dir: string, opts?: SaveOptions): Promise<void>;
  /** The network: a plain `tf.LayersModel` whose output is the logits (categorical) or the mean (Gaussian). */
  readonly model: tf.LayersModel;
  /** State-independent log σ `[actDim]` (Gaussian policies only; trainable). */
  readonly logStd: tf.Variable | undefined;
  /** How the network was built (`createPolicy`), or undefined for a wrapped user model. */
  readonly network: NetworkSpec | undefined;
  /** Shapes of the arrays {@link Policy.getWeights} returns, in order (network weights, then log σ). */
  readonly weightShapes: readonly (readonly number[])[];
  /** Copies of all parameters θ as flat float32 arrays (network weights in `model.weights` order, then log σ). */
  getWeights(): Float32Array[];
  /** Overwrites all parameters θ from arrays in {@link Policy.getWeights} order; throws naming the index and sizes on a mismatch. */
  setWeights(weights: readonly ArrayLike<number>[]): void;
  /**
   * True when `act` uses the fused fast forward (Dense chains only; tanh layers run as
   * exact sigmoid rewrites). Its derived weights refresh automatically when a variable is
   * assigned (optimizer step, setWeights); see {@link Policy.refreshFastPath}.
   */
  readonly fastPath: boolean;
  /** Recomputes the fast path's derived weights now (never required: `act` checks freshness itself). */
  refreshFastPath(): void;
  /** Frees all tensors and variables. */
  dispose(): void;
}
