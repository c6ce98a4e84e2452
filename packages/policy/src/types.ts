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
  /** Actions for a batch of observations without taping; caller owns the result. */
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
  save(dir: string): Promise<void>;
  /** Frees all tensors and variables. */
  dispose(): void;
}
