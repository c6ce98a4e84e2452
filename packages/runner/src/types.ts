import type { tf } from '@rl/tf';

/**
 * T steps of N envs as tensors (batch of envs is axis 1, time axis 0). The caller owns every
 * tensor: call `dispose()` when done.
 */
export interface RolloutBatch {
  /** Observations the policy acted on, `[T, N, obsDim]` float32. */
  readonly obs: tf.Tensor3D;
  /** Actions taken, int32 `[T, N]` (discrete) or float32 `[T, N, actDim]` (Box). */
  readonly actions: tf.Tensor;
  /** Rewards, float32 `[T, N]`. */
  readonly rewards: tf.Tensor2D;
  /** 1 where the episode truly ended at this step, float32 `[T, N]`. */
  readonly terminated: tf.Tensor2D;
  /** 1 where the episode was cut by the time limit at this step, float32 `[T, N]`. */
  readonly truncated: tf.Tensor2D;
  /** Final observation of an episode that ended at this step (valid where terminated or truncated), `[T, N, obsDim]`; used to bootstrap truncated episodes. */
  readonly finalObs: tf.Tensor3D;
  /** Observations after the last step, `[N, obsDim]`: where the next rollout continues, and what to bootstrap unfinished episodes from. */
  readonly lastObs: tf.Tensor2D;
  /** 1 for real steps, 0 for padding (episode mode), float32 `[T, N]`; all ones in step mode. */
  readonly mask: tf.Tensor2D;
  /** Undiscounted returns of the episodes that finished during this rollout (summed in float64 from the env's rewards). */
  readonly episodeReturns: readonly number[];
  /** Lengths of the episodes that finished during this rollout. */
  readonly episodeLengths: readonly number[];
  /** Where each of those episodes ended: the flat index `t·N + n` of its last step (aligned with `episodeReturns`). */
  readonly episodeEnds: readonly number[];
  /**
   * The batch's arrays in host memory where the runner already has them (JS envs, worker
   * threads): the very arrays the tensors above were made from, so an update reads nothing back
   * that the rollout uploaded. Absent for tensor-native rollouts (their data lives on the
   * backend; see `hostBatch`). Read-only, and valid until `dispose()` (a worker runner writes
   * a later rollout into the same arrays); on the cpu backend the tensors may share this memory.
   */
  readonly host?: HostBatch;
  /** Number of real env steps in the batch (T·N in step mode). */
  readonly numSteps: number;
  /** T. */
  readonly steps: number;
  /** N. */
  readonly numEnvs: number;
  /**
   * Frees every tensor of the batch (and, for a worker runner's batch, hands its host arrays
   * back for a later rollout). A JS rollout's tensors are made from `host` the first time each
   * is read, so one first read after `dispose()` throws.
   */
  dispose(): void;
}

/**
 * A {@link RolloutBatch}'s data as flat time-major typed arrays (index `t·N + n`, times the
 * row width for observations and Box actions).
 */
export interface HostBatch {
  /** `[T·N·obsDim]`. */
  readonly obs: Float32Array;
  /** Int32 `[T·N]` (discrete) or float32 `[T·N·actDim]` (Box). */
  readonly actions: Int32Array | Float32Array;
  /** `[T·N]` each. */
  readonly rewards: Float32Array;
  readonly terminated: Float32Array;
  readonly truncated: Float32Array;
  readonly mask: Float32Array;
  /** `[T·N·obsDim]` (valid where terminated or truncated). */
  readonly finalObs: Float32Array;
  /** `[N·obsDim]`. */
  readonly lastObs: Float32Array;
}
