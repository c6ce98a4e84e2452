/**
 * The thread side of a thread pool (pool.ts): a worker entry calls {@link serveThread} with its
 * set-up and its message handler. The state word, the error text, the exit code and each
 * message's wall, CPU and run-queue times go into the pool's shared control words, so a caller
 * blocked in `Atomics.wait` learns at once that a thread answered, threw or died.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { threadTimes } from './thread_time.js';
import { CTL_CPU_US, CTL_EXIT_CODE, CTL_STATE, CTL_WAIT_US, CTL_WORDS, CTL_WORK_US, ERR_BYTES, State, errorText, writeError, type PoolInit } from './thread_protocol.js';

/** What a thread knows of itself. */
export interface ThreadContext<D> {
  /** The thread's index in its pool. */
  readonly thread: number;
  /** Its own data (`ThreadPoolOptions.data(thread)`). */
  readonly data: D;
  /** Writes one of the thread's own control words (`CTL_USER` … `CTL_WORDS` − 1). */
  setWord(k: number, value: number): void;
}

/** Milliseconds as a control word of microseconds (clamped to int32; −1 for unknown). */
export function usWord(ms: number): number {
  return Number.isFinite(ms) ? Math.max(-1, Math.min(Math.round(ms * 1000), 2 ** 31 - 1)) : -1;
}

/**
 * Serves the pool from inside a worker thread: runs `start` once (its failure is reported as
 * the thread's error), then `handle` for every message in order, each ending in Done or Error.
 * @example
 * serveThread(async ({ data }) => setUp(data), (state, msg: Work) => compute(state, msg));
 */
export function serveThread<D, S, M>(start: (ctx: ThreadContext<D>) => Promise<S> | S, handle: (state: S, msg: M, ctx: ThreadContext<D>) => void): void {
  const pool = (workerData as { pool: PoolInit }).pool;
  const ctl = new Int32Array(pool.ctl);
  const err = new Uint8Array(pool.err, pool.thread * ERR_BYTES, ERR_BYTES);
  const base = pool.thread * CTL_WORDS;
  const ctx: ThreadContext<D> = {
    thread: pool.thread,
    data: (workerData as { data: D }).data,
    setWord: (k, value) => Atomics.store(ctl, base + k, value),
  };
  const setState = (s: number): void => {
    Atomics.store(ctl, base + CTL_STATE, s);
    Atomics.notify(ctl, base + CTL_STATE);
  };
  const fail = (e: unknown): void => {
    writeError(ctl, err, base, errorText(e));
    setState(State.Error);
  };
  // A thread that dies (process.exit, a fatal error) still tells a caller blocked in Atomics.wait.
  process.on('exit', (code) => {
    Atomics.store(ctl, base + CTL_EXIT_CODE, code);
    if (Atomics.load(ctl, base + CTL_STATE) !== State.Error) setState(State.Exited);
  });
  const ready = Promise.resolve().then(() => start(ctx));
  ready.then(
    () => {
      setState(State.Ready);
      parentPort!.postMessage({ type: 'ready' });
    },
    (e: unknown) => {
      fail(e);
      parentPort!.postMessage({ type: 'error', error: errorText(e) });
    },
  );
  parentPort!.on('message', (msg: M) => {
    void ready.then((state) => {
      const t0 = performance.now();
      const s0 = threadTimes();
      try {
        handle(state, msg, ctx);
        const s1 = threadTimes();
        Atomics.store(ctl, base + CTL_CPU_US, s0 && s1 ? usWord(s1.cpuMs - s0.cpuMs) : -1);
        Atomics.store(ctl, base + CTL_WAIT_US, s0 && s1 ? usWord(s1.waitMs - s0.waitMs) : -1);
        Atomics.store(ctl, base + CTL_WORK_US, usWord(performance.now() - t0));
        setState(State.Done);
      } catch (e) {
        fail(e);
      }
    }, () => undefined);
  });
}
