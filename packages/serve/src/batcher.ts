/**
 * Micro-batching: requests that arrive close together are coalesced into one batched forward
 * pass, then answered individually.
 *
 * A request brings one or more observation rows. The first request into an empty queue starts
 * a timer of `maxWaitMs`; the queue is run when the timer fires or as soon as it holds
 * `maxBatch` rows, whichever is first. Batches run one at a time: requests that arrive while
 * a batch runs wait for it and are then run at once (they have already waited). A request is
 * never split across batches; one larger than `maxBatch` runs alone. Each request carries a
 * key (its mode: deterministic or sampled, with or without the action distribution); requests
 * of different keys are queued apart, as one forward pass has one mode.
 *
 * With `maxBatch ≤ 1` or `maxWaitMs ≤ 0` batching is off: every request runs on its own,
 * at once.
 */

/** Runs one forward pass over `rows` in mode `key`; returns exactly one result per row. */
export type BatchRunner<R, K = boolean> = (rows: readonly (readonly number[])[], key: K) => Promise<readonly R[]> | readonly R[];

/** Options of {@link MicroBatcher}. */
export interface MicroBatcherOptions<R, K = boolean> {
  /** Largest number of rows coalesced into one forward pass; ≤ 1 turns batching off. */
  readonly maxBatch: number;
  /** Longest time (ms) the first queued request waits for company; ≤ 0 turns batching off. */
  readonly maxWaitMs: number;
  /** The batched forward pass. */
  readonly run: BatchRunner<R, K>;
  /** Called after each forward pass with its number of rows and of requests (for metrics). */
  readonly onBatch?: (rows: number, requests: number) => void;
}

interface Pending<R> {
  readonly rows: readonly (readonly number[])[];
  readonly resolve: (results: R[]) => void;
  readonly reject: (err: unknown) => void;
}

/** Thrown for requests submitted after {@link MicroBatcher.close}. */
export class BatcherClosedError extends Error {
  override readonly name = 'BatcherClosedError';
}

/**
 * Coalesces concurrent requests into batched forward passes. `K` is the mode key (a
 * primitive: requests are batched together only when their keys are equal).
 *
 * @example
 * const b = new MicroBatcher({ maxBatch: 256, maxWaitMs: 1, run: (rows) => rows.map((r) => r[0]! > 0 ? 1 : 0) });
 * const [a] = await b.submit([[0.3, 0, 0, 0]], true); // 1
 */
export class MicroBatcher<R, K = boolean> {
  /** True when requests are coalesced (maxBatch > 1 and maxWaitMs > 0). */
  readonly enabled: boolean;
  private readonly opts: MicroBatcherOptions<R, K>;
  /** One queue per mode key, in the order the keys first came. */
  private readonly queues = new Map<K, Pending<R>[]>();
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(opts: MicroBatcherOptions<R, K>) {
    if (!Number.isFinite(opts.maxBatch) || !Number.isFinite(opts.maxWaitMs)) {
      throw new RangeError(`MicroBatcher: maxBatch and maxWaitMs must be finite numbers, got ${opts.maxBatch} and ${opts.maxWaitMs}`);
    }
    this.opts = opts;
    this.enabled = opts.maxBatch > 1 && opts.maxWaitMs > 0;
  }

  /** Rows waiting in the queue (not yet in a forward pass). */
  get pendingRows(): number {
    return this.queuedRows;
  }

  /**
   * Queues `rows` (one request) in mode `key` and resolves with one result per row, in order.
   * Rejects with the forward pass's error, or {@link BatcherClosedError} after {@link close}.
   */
  submit(rows: readonly (readonly number[])[], key: K): Promise<R[]> {
    if (this.closed) return Promise.reject(new BatcherClosedError('the server is shutting down'));
    if (rows.length === 0) return Promise.resolve([]);
    if (!this.enabled) return this.track(this.runOne(rows, key));
    let queue = this.queues.get(key);
    if (queue === undefined) this.queues.set(key, (queue = []));
    const p = new Promise<R[]>((resolve, reject) => {
      queue.push({ rows, resolve, reject });
    });
    this.queuedRows += rows.length;
    if (this.queuedRows >= this.opts.maxBatch) this.kick();
    else if (this.timer === undefined && this.running === undefined) {
      this.timer = setTimeout(() => this.kick(), this.opts.maxWaitMs);
    }
    return this.track(p);
  }

  /** Runs everything queued now, without waiting for `maxWaitMs` (e.g. while shutting down). */
  flush(): void {
    if (this.queuedRows > 0) this.kick();
  }

  /**
   * Stops taking requests and runs everything already queued at once; resolves when every
   * submitted request has been answered (resolved or rejected).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = (): void => {
      this.inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  private async runOne(rows: readonly (readonly number[])[], key: K): Promise<R[]> {
    const out = await this.opts.run(rows, key);
    checkCount(out, rows.length);
    this.opts.onBatch?.(rows.length, 1);
    return [...out];
  }

  /** Starts the drain loop unless it runs already. */
  private kick(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running !== undefined) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // Requests that arrived during the last pass have waited long enough: run them now.
      if (this.queuedRows > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (const [key, queue] of this.queues) {
      while (queue.length > 0) {
        const batch: Pending<R>[] = [];
        let n = 0;
        while (queue.length > 0 && (batch.length === 0 || n + queue[0]!.rows.length <= this.opts.maxBatch)) {
          const p = queue.shift()!;
          batch.push(p);
          n += p.rows.length;
        }
        this.queuedRows -= n;
        await this.runBatch(batch, n, key);
      }
    }
  }

  private async runBatch(batch: readonly Pending<R>[], n: number, key: K): Promise<void> {
    const rows: (readonly number[])[] = new Array(n);
    let k = 0;
    for (const p of batch) for (const r of p.rows) rows[k++] = r;
    let out: readonly R[];
    try {
      out = await this.opts.run(rows, key);
      checkCount(out, n);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    this.opts.onBatch?.(n, batch.length);
    k = 0;
    for (const p of batch) {
      p.resolve(out.slice(k, k + p.rows.length));
      k += p.rows.length;
    }
  }
}

function checkCount(out: readonly unknown[], n: number): void {
  if (!Array.isArray(out) || out.length !== n) {
    throw new Error(`MicroBatcher: the forward pass returned ${Array.isArray(out) ? out.length : typeof out} results for ${n} observations`);
  }
}
