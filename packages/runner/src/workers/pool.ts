/**
 * A fixed set of worker threads driven synchronously from the calling thread: the plumbing
 * under `createWorkerRunner`'s rollout workers and `@rl/trainer`'s gradient threads. Each
 * thread runs a module that calls {@link serveThread} (thread.ts); its state word in a shared
 * `Int32Array` moves Starting → Ready → Running → Done (or Error / Exited). `run()` posts one
 * message to each thread and blocks in `Atomics.wait` until every one has answered, so the
 * caller stays synchronous; a thread that throws, exits or dies is reported at once, naming it,
 * and every thread is stopped. Data moves through `SharedArrayBuffer`s the caller puts in the
 * messages and the threads' `data`.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CTL_CPU_US, CTL_ERR_LEN, CTL_EXIT_CODE, CTL_STATE, CTL_WAIT_US, CTL_WORDS, CTL_WORK_US, ERR_BYTES, State, readError, type PoolInit } from './thread_protocol.js';

/** Options of {@link createThreadPool}. */
export interface ThreadPoolOptions {
  /** Module URL of each thread's entry (a module that calls `serveThread`); a `.ts` entry is loaded through tsx with the `source` condition. */
  readonly entry: string | URL;
  /** Threads. */
  readonly size: number;
  /** Each thread's own data (`workerData`, structured-cloned: SharedArrayBuffers in it are shared, not copied). */
  readonly data: (thread: number) => unknown;
  /** Prefix of every error, e.g. `createWorkerRunner(CartPole-v1)`. */
  readonly where: string;
  /** Names a thread in errors, e.g. `shard 1 (envs 3–5 of 9)`; default `thread <i>`. */
  readonly describe?: (thread: number) => string;
  /** What the threads are called in "all 3 workers were stopped"; default `workers`. */
  readonly noun?: string;
  /** Builds the error of a failure (default a {@link ThreadPoolError}); `message` is the text every error carries. */
  readonly error?: (message: string, failed: readonly ThreadFailure[]) => Error;
  /** Extra Node flags of the threads (e.g. `['--cpu-prof']` to profile them). */
  readonly execArgv?: readonly string[];
  /**
   * A TypeScript module the threads import besides the entry (a user's env module): they load
   * through tsx then too, even from a built entry, resolved beside this package or that module.
   */
  readonly typescriptModule?: string;
}

/** One failed thread. */
export interface ThreadFailure {
  readonly thread: number;
  /** The thread's error text (with its stack), or why it is counted as failed. */
  readonly error: string;
}

/** Error of a failed thread of a {@link ThreadPool}: carries every failed thread's text. */
export class ThreadPoolError extends Error {
  override readonly name = 'ThreadPoolError';
  constructor(
    message: string,
    /** The failed threads, in order. */
    readonly failed: readonly ThreadFailure[],
  ) {
    super(message);
  }
}

/** What a thread's last message cost, as the thread measured it. */
export interface ThreadTaskTimes {
  /** Wall time, message received to answer. */
  readonly wallMs: number;
  /** The thread's CPU time in it (NaN where the OS does not say). */
  readonly cpuMs: number;
  /** Time it was runnable but waited for a core (NaN where the OS does not say). */
  readonly waitMs: number;
}

/** How long {@link ThreadPool.run} waits, what it calls the work in errors, and how many threads it asks. */
export interface RunOptions {
  /** Longest the threads may take to answer. */
  readonly timeoutMs: number;
  /** Longest the threads may take to start (the first call waits for that first). */
  readonly startTimeoutMs: number;
  /** The work, as errors name it (`no answer within 600000 ms (rollout)`). */
  readonly what: string;
  /** Ask threads 0 … count−1 only; default all. */
  readonly count?: number;
}

/** Worker threads answering one message each per {@link ThreadPool.run}. */
export interface ThreadPool {
  /** Threads. */
  readonly size: number;
  /** Threads that have not fired their `exit` event yet. */
  readonly alive: number;
  /** Resolves when every thread has started (rejects naming the thread that failed to). */
  ready(): Promise<void>;
  /**
   * Posts `message(i)` to threads 0 … `count`−1 (default all) and blocks until each has answered
   * (the first call first waits for the start, up to `startTimeoutMs`). Throws (and stops every
   * thread) when one failed, died since the last call, or did not answer within `timeoutMs`.
   */
  run(message: (thread: number) => unknown, opts: RunOptions): void;
  /** The first half of {@link ThreadPool.run}: posts the messages and returns at once, so the caller can work meanwhile; {@link ThreadPool.wait} then blocks for the answers. */
  post(message: (thread: number) => unknown, opts: RunOptions): void;
  /** The second half of {@link ThreadPool.run}: blocks until every thread of the last `post` answered (throws as `run` does). */
  wait(): void;
  /** Control word `k` of thread `i` (thread-specific words from `CTL_USER` on). */
  word(thread: number, k: number): number;
  /** The last message's times of each thread. */
  readonly lastTimes: readonly ThreadTaskTimes[];
  /** The first failure (every later `run` throws it), if any. */
  readonly failure: Error | undefined;
  /** Stops every thread and resolves once all their `exit` events fired. Safe to call more than once. */
  close(): Promise<void>;
  /** Stops every thread without waiting. */
  stop(): void;
  /** True once `close`/`stop` was called. */
  readonly closed: boolean;
}

// Started with `eval: true`: plain JS that can report a failure to load the entry module through
// shared memory (an 'error' event would not reach a caller blocked in Atomics.wait).
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const pool = workerData.pool;
(pool.loader ? import(pool.loader).then((m) => m.register()) : Promise.resolve())
  .then(() => import(pool.entry))
  .catch((e) => {
  const ctl = new Int32Array(pool.ctl);
  const err = new Uint8Array(pool.err, pool.thread * ${ERR_BYTES}, ${ERR_BYTES});
  const base = pool.thread * ${CTL_WORDS};
  const bytes = new TextEncoder().encode('failed to load the worker module ' + pool.entry + ': ' + ((e && e.stack) || String(e)));
  const n = Math.min(bytes.length, err.length);
  err.set(bytes.subarray(0, n));
  Atomics.store(ctl, base + ${CTL_ERR_LEN}, n);
  Atomics.store(ctl, base + ${CTL_STATE}, ${State.Error});
  Atomics.notify(ctl, base + ${CTL_STATE});
});
`;

/** tsx's ESM API, resolved from the first of `from` (module URLs or paths) where tsx is installed. */
function tsxApi(from: readonly string[]): string | undefined {
  for (const f of from) {
    try {
      return new URL('esm/api/index.mjs', pathToFileURL(createRequire(f).resolve('tsx'))).href;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/**
 * How to load `entry`: TypeScript sources go through tsx's ESM API (its `--import` entry skips
 * worker threads on Node 20) with the `source` condition; a TypeScript module the threads import
 * besides (`tsModule`) needs tsx too (installed beside this package or that module).
 */
function loaderOf(where: string, entry: string, tsModule: string | undefined): { loader: string | undefined; execArgv: string[] } {
  const fromSource = entry.endsWith('.ts');
  if (!fromSource && tsModule === undefined) return { loader: undefined, execArgv: [] };
  const loader = tsxApi([import.meta.url, ...(tsModule === undefined ? [] : [tsModule])]);
  if (loader === undefined) throw new Error(`${where}: the worker threads need tsx to import ${fromSource ? 'their TypeScript sources' : `the TypeScript module ${tsModule}`}, and it is not installed; install tsx${fromSource ? '' : ', give a JavaScript module, or use one thread (workers 1)'}`);
  return { loader, execArgv: fromSource ? ['--conditions=source'] : [] };
}

class Pool implements ThreadPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly exits: Promise<void>[] = [];
  private readonly readyP: Promise<void>;
  private readonly ctl: Int32Array;
  private readonly errBuf: Uint8Array;
  private started = false;
  private pending: (RunOptions & { readonly count: number }) | undefined;
  private failed: Error | undefined;
  private closing = false;
  private aliveCount: number;

  constructor(private readonly opts: ThreadPoolOptions) {
    const k = opts.size;
    this.size = k;
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * CTL_WORDS * k));
    const errSab = new SharedArrayBuffer(ERR_BYTES * k);
    this.errBuf = new Uint8Array(errSab);
    const entry = String(opts.entry);
    const { loader, execArgv } = loaderOf(opts.where, entry, opts.typescriptModule);
    this.aliveCount = k;
    const readies: Promise<void>[] = [];
    for (let w = 0; w < k; w++) {
      const pool: PoolInit = { thread: w, ctl: this.ctl.buffer as SharedArrayBuffer, err: errSab, entry, loader };
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { pool, data: opts.data(w) }, execArgv: [...execArgv, ...(opts.execArgv ?? [])], stdout: false, stderr: false });
      worker.unref(); // a pool nobody closed never keeps the process alive
      this.workers.push(worker);
      this.exits.push(
        new Promise<void>((resolve) => {
          worker.once('exit', (code) => {
            this.aliveCount--;
            if (!this.closing && !this.failed) {
              const base = w * CTL_WORDS;
              const error = Atomics.load(this.ctl, base + CTL_STATE) === State.Error ? this.errorOf(w) : `the worker thread exited with code ${code}`;
              this.fail([{ thread: w, error }]);
            }
            resolve();
          });
        }),
      );
      worker.on('error', (e) => {
        if (!this.closing && !this.failed) this.fail([{ thread: w, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }]);
      });
      readies.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: { type: string; error?: string }) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error' && !this.closing) reject(this.failed ?? this.fail([{ thread: w, error: m.error ?? 'unknown error' }]));
          });
          worker.once('exit', () => reject(this.failed ?? new Error(`${opts.where}: ${this.describe(w)} exited before it was ready`)));
        }),
      );
    }
    this.readyP = Promise.all(readies).then(() => undefined);
    this.readyP.catch(() => undefined); // reported through ready() or run()
  }

  get alive(): number {
    return this.aliveCount;
  }

  get failure(): Error | undefined {
    return this.failed;
  }

  get closed(): boolean {
    return this.closing;
  }

  ready(): Promise<void> {
    return this.readyP;
  }

  word(thread: number, k: number): number {
    return Atomics.load(this.ctl, thread * CTL_WORDS + k);
  }

  get lastTimes(): readonly ThreadTaskTimes[] {
    const ms = (v: number): number => (v < 0 ? NaN : v / 1000);
    return this.workers.map((_, w) => ({ wallMs: ms(this.word(w, CTL_WORK_US)), cpuMs: ms(this.word(w, CTL_CPU_US)), waitMs: ms(this.word(w, CTL_WAIT_US)) }));
  }

  run(message: (thread: number) => unknown, opts: RunOptions): void {
    this.post(message, opts);
    this.wait();
  }

  post(message: (thread: number) => unknown, opts: RunOptions): void {
    if (this.pending) throw new Error(`${this.opts.where}: post() before the answers of the last post() were awaited (call wait() first)`);
    if (this.failed) throw this.failed;
    if (this.closing) throw new Error(`${this.opts.where}: the ${this.opts.noun ?? 'workers'} were closed`);
    const count = opts.count ?? this.size;
    if (!this.started) {
      this.waitWhile(State.Starting, opts.startTimeoutMs, 'start', this.size);
      this.started = true;
    }
    // A thread that died since the last call (its exit handler wrote Exited) must not be
    // overwritten with Running: compare-and-swap from the idle states only.
    const dead: ThreadFailure[] = [];
    for (let w = 0; w < count; w++) {
      const i = w * CTL_WORDS + CTL_STATE;
      if (Atomics.compareExchange(this.ctl, i, State.Ready, State.Running) !== State.Ready && Atomics.compareExchange(this.ctl, i, State.Done, State.Running) !== State.Done) {
        dead.push({ thread: w, error: this.deadError(w) });
      }
    }
    if (dead.length) throw this.fail(dead);
    for (let w = 0; w < count; w++) this.workers[w]!.postMessage(message(w));
    this.pending = { ...opts, count };
  }

  wait(): void {
    const p = this.pending;
    if (!p) throw new Error(`${this.opts.where}: wait() without a post()`);
    this.pending = undefined;
    this.waitWhile(State.Running, p.timeoutMs, p.what, p.count);
  }

  stop(): void {
    if (this.closing) return;
    this.closing = true;
    for (const w of this.workers) void w.terminate();
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all(this.exits);
  }

  private describe(w: number): string {
    return this.opts.describe?.(w) ?? `thread ${w}`;
  }

  private errorOf(w: number): string {
    return readError(this.ctl, this.errBuf.subarray(w * ERR_BYTES, (w + 1) * ERR_BYTES), w * CTL_WORDS);
  }

  private deadError(w: number): string {
    const s = this.word(w, CTL_STATE);
    return s === State.Error ? this.errorOf(w) : `the worker thread exited with code ${this.word(w, CTL_EXIT_CODE)}`;
  }

  /** Blocks until none of the first `count` threads is in `state` (or one failed, or the deadline passed); throws on failure. */
  private waitWhile(state: number, timeoutMs: number, what: string, count: number): void {
    const deadline = performance.now() + timeoutMs;
    const late: number[] = [];
    for (let w = 0; w < count; w++) {
      const i = w * CTL_WORDS + CTL_STATE;
      for (;;) {
        if (Atomics.load(this.ctl, i) !== state) break;
        const left = deadline - performance.now();
        if (left <= 0) {
          late.push(w);
          break;
        }
        Atomics.wait(this.ctl, i, state, Math.min(left, 1000));
      }
    }
    const failed: ThreadFailure[] = [];
    for (let w = 0; w < count; w++) {
      const s = this.word(w, CTL_STATE);
      if (s === State.Error || s === State.Exited) failed.push({ thread: w, error: this.deadError(w) });
      else if (late.includes(w)) failed.push({ thread: w, error: `no answer within ${timeoutMs} ms (${what})` });
    }
    if (failed.length) throw this.fail(failed);
  }

  /** Records the failure, stops every thread, returns the error. */
  private fail(failed: readonly ThreadFailure[]): Error {
    const first = failed[0]!;
    const firstLine = first.error.split('\n')[0];
    const rest = failed.slice(1);
    const more = rest.length ? ` (and ${rest.length} more: ${rest.map((f) => this.describe(f.thread)).join(', ')})` : '';
    const message = `${this.opts.where}: ${this.describe(first.thread)} failed: ${firstLine}${more}; all ${this.size} ${this.opts.noun ?? 'workers'} were stopped`;
    const err = this.opts.error ? this.opts.error(message, failed) : new ThreadPoolError(message, failed);
    this.failed = err;
    this.stop();
    return err;
  }
}

/**
 * Starts `size` worker threads running `entry` (see the file header).
 * @example
 * const pool = createThreadPool({ entry: new URL('./my_thread.js', import.meta.url), size: 2, data: (i) => ({ input }), where: 'myTask' });
 * await pool.ready();
 * pool.run((i) => ({ part: i }), { timeoutMs: 60_000, startTimeoutMs: 120_000, what: 'my task' });
 * await pool.close();
 */
export function createThreadPool(opts: ThreadPoolOptions): ThreadPool {
  if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError(`${opts.where}: a thread pool needs an integer size ≥ 1, got ${String(opts.size)}`);
  return new Pool(opts);
}
