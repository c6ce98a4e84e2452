/**
 * What the learner and its rollout workers share. Everything that moves per iteration moves
 * through `SharedArrayBuffer`s (weights in, rollout arrays out); a small `Int32Array` of
 * control words carries each worker's state, and `Atomics.wait`/`notify` on it lets the
 * learner block until every shard has answered — so `rollout()` stays synchronous, like the
 * single-process runner's.
 */

/** Control words per worker in the control array. */
export const CTL_WORDS = 4;
/** Offset of the worker's state word. */
export const CTL_STATE = 0;
/** Offset of the byte length of the error text the worker wrote. */
export const CTL_ERR_LEN = 1;
/** Offset of the exit code a worker reports from its own `exit` handler. */
export const CTL_EXIT_CODE = 2;
/** Offset of the wall time (µs) the worker spent on its last rollout, message received to arrays written. */
export const CTL_WORK_US = 3;

/** Worker states (the value of the state word). */
export const State = {
  /** Importing modules, initialising tfjs, building env and policy. */
  Starting: 0,
  /** Idle, waiting for the next rollout. */
  Ready: 1,
  /** A rollout was posted; the learner waits for the state to change. */
  Running: 2,
  /** The rollout's arrays are written. */
  Done: 3,
  /** The worker caught an error; its text is in the error buffer. */
  Error: 4,
  /** The worker thread is exiting (its own `exit` handler ran). */
  Exited: 5,
} as const;

/** Bytes of error text each worker may write (longer texts are cut). */
export const ERR_BYTES = 8192;

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

/** `workerData` of one rollout worker. */
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
  readonly ctl: SharedArrayBuffer;
  readonly err: SharedArrayBuffer;
  readonly weights: SharedArrayBuffer;
  readonly fault: FaultInjection | undefined;
  /** Module URL of the worker entry (worker.ts / worker.js). */
  readonly entry: string;
  /** Module URL of tsx's ESM API when the entry or the env module is TypeScript (its `register()` is called first). */
  readonly loader: string | undefined;
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

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` (cut to {@link ERR_BYTES}) into a worker's error buffer and its length into its control words. */
export function writeError(ctl: Int32Array, err: Uint8Array, base: number, text: string): void {
  const bytes = encoder.encode(text);
  const n = Math.min(bytes.length, err.length);
  err.set(bytes.subarray(0, n));
  Atomics.store(ctl, base + CTL_ERR_LEN, n);
}

/** Reads the error text a worker wrote. */
export function readError(ctl: Int32Array, err: Uint8Array, base: number): string {
  const n = Atomics.load(ctl, base + CTL_ERR_LEN);
  // TextDecoder does not accept views on shared memory: copy first.
  return decoder.decode(err.slice(0, n));
}

/** Text of an unknown thrown value, with its stack when it has one. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}
