/**
 * What the learner and its rollout workers share. Everything that moves per iteration moves
 * through `SharedArrayBuffer`s (weights in, rollout arrays out); the thread pool's control
 * words (thread_protocol.ts) carry each worker's state, so `rollout()` stays synchronous, like
 * the single-process runner's.
 */

/** The network a worker builds (the same architecture as the learner's policy). */
export interface WorkerPolicySpec {
  /** Hidden layer widths. */
  readonly hidden: readonly number[];
  /** Hidden activation. */
  readonly activation: 'tanh' | 'relu';
  /** Use the policy's fused fast forward in `act`; default true. */
  readonly fastPath?: boolean;
}

/** Test-only fault injection: make one shard fail on its n-th rollout (1-based). */
export interface FaultInjection {
  /** Which shard fails (0-based). */
  readonly shard: number;
  /** On which rollout of that shard (1 = the first). */
  readonly atRollout: number;
  /** `throw` an Error in that rollout, `exit` the thread (code 7) instead of it, or `exit-after` it (the thread dies while idle). */
  readonly kind: 'throw' | 'exit' | 'exit-after';
}

/** The `data` of one rollout worker (its thread's `workerData.data`). */
export interface WorkerInit {
  readonly shard: number;
  /** First env index of the shard (global). */
  readonly lo: number;
  /** One past the last env index of the shard (global). */
  readonly hi: number;
  readonly numEnvs: number;
  readonly envId: string;
  readonly envOptions: Record<string, unknown>;
  /** Env seed of the whole batch: env i (global) is reset with seed + i. */
  readonly seed: number;
  /** Seed of this shard's policy sampling stream. */
  readonly samplingSeed: number;
  readonly backend: 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu' | 'auto' | 'webgpu';
  readonly policy: WorkerPolicySpec;
  /** Expected shapes of the weight arrays (the learner's `policy.weightShapes`). */
  readonly weightShapes: readonly (readonly number[])[];
  readonly deterministic: boolean;
  readonly checkNaN: boolean;
  readonly weights: SharedArrayBuffer;
  readonly fault: FaultInjection | undefined;
  /** Path of the user's env module that registers `envId`, imported before the shard is built. */
  readonly envModule: string | undefined;
}

/** The shared output arrays of one rollout, laid out `[T, N, …]` with env i at column i. */
export interface OutputBuffers {
  /** T, the vector steps these buffers hold. */
  readonly capacity: number;
  readonly obs: SharedArrayBuffer;
  readonly finalObs: SharedArrayBuffer;
  readonly actions: SharedArrayBuffer;
  readonly rewards: SharedArrayBuffer;
  readonly terminated: SharedArrayBuffer;
  readonly truncated: SharedArrayBuffer;
  readonly lastObs: SharedArrayBuffer;
  /** Float64 `[T, N]`: the return of the episode that ended at (t, i). */
  readonly epReturn: SharedArrayBuffer;
  /** Int32 `[T, N]`: the length of the episode that ended at (t, i). */
  readonly epLength: SharedArrayBuffer;
}

/** Learner → worker: roll out `steps` vector steps of the shard. */
export interface RolloutMessage {
  readonly type: 'rollout';
  readonly steps: number;
  /** Weights version; the worker reloads weights from the shared buffer when it changes. */
  readonly weightsVersion: number;
  /** Observation normalisation of the learner's policy at this version (small; copied). */
  readonly obsNorm: { mean: Float32Array; var: Float32Array; count: number; clip: number; epsilon: number } | undefined;
  readonly out: OutputBuffers;
}
