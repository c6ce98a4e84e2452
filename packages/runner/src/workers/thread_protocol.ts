/**
 * What a thread pool (pool.ts) and its threads (thread.ts) share: a small `Int32Array` of
 * control words per thread carries its state and its last message's times; `Atomics.wait` /
 * `notify` on the state word let the caller block until every thread has answered. A thread's
 * error text goes into its slice of a shared byte buffer.
 */

/** Control words per thread in the control array. */
export const CTL_WORDS = 8;
/** Offset of the thread's state word. */
export const CTL_STATE = 0;
/** Offset of the byte length of the error text the thread wrote. */
export const CTL_ERR_LEN = 1;
/** Offset of the exit code a thread reports from its own `exit` handler. */
export const CTL_EXIT_CODE = 2;
/** Offset of the wall time (µs) the thread spent on its last message, received to answered. */
export const CTL_WORK_US = 3;
/** Offset of the thread's CPU time (µs) in its last message (−1 where the OS does not say). */
export const CTL_CPU_US = 4;
/** Offset of the time (µs) the thread waited for a core in its last message (runnable, not running; −1 where the OS does not say). */
export const CTL_WAIT_US = 5;
/** First of the words a kind of thread uses for its own numbers (to `CTL_WORDS` − 1). */
export const CTL_USER = 6;

/** Thread states (the value of the state word). */
export const State = {
  /** Importing modules and setting up (tfjs, envs, networks). */
  Starting: 0,
  /** Idle, waiting for the next message. */
  Ready: 1,
  /** A message was posted; the caller waits for the state to change. */
  Running: 2,
  /** The message is answered (its outputs written). */
  Done: 3,
  /** The thread caught an error; its text is in the error buffer. */
  Error: 4,
  /** The thread is exiting (its own `exit` handler ran). */
  Exited: 5,
} as const;

/** Bytes of error text each thread may write (longer texts are cut). */
export const ERR_BYTES = 8192;

/** What the pool passes every thread (`workerData.pool`); the thread's own data is `workerData.data`. */
export interface PoolInit {
  /** The thread's index. */
  readonly thread: number;
  /** Control words of every thread ({@link CTL_WORDS} each). */
  readonly ctl: SharedArrayBuffer;
  /** Error text of every thread ({@link ERR_BYTES} each). */
  readonly err: SharedArrayBuffer;
  /** Module URL of the entry. */
  readonly entry: string;
  /** Module URL of tsx's ESM API when the entry is TypeScript (its `register()` is called first). */
  readonly loader: string | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` (cut to {@link ERR_BYTES}) into a thread's error buffer (its own slice) and its length into its control words. */
export function writeError(ctl: Int32Array, err: Uint8Array, base: number, text: string): void {
  const bytes = encoder.encode(text);
  const n = Math.min(bytes.length, err.length);
  err.set(bytes.subarray(0, n));
  Atomics.store(ctl, base + CTL_ERR_LEN, n);
}

/** Reads the error text a thread wrote into its slice `err`. */
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
