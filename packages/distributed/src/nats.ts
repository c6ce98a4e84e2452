/**
 * Connecting to NATS with bounded retries: an unreachable server gives a clear error naming
 * the URL after `attempts` tries with doubling backoff, never a hang.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** Thrown when the server cannot be reached within the retry budget. */
export class NatsUnreachableError extends Error {
  override readonly name = 'NatsUnreachableError';
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    cause: unknown,
  ) {
    super(`cannot reach NATS at ${url} after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${(elapsedMs / 1000).toFixed(1)} s: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Options of {@link connectNats}. */
export interface ConnectOptions {
  /** Attempts before giving up; default 5. */
  readonly attempts?: number;
  /** First retry delay in ms, doubled per attempt and capped at 4 s; default 250. */
  readonly backoffMs?: number;
  /** Per-attempt connect timeout in ms; default 2000. */
  readonly timeoutMs?: number;
  /** Once connected: reconnection attempts (1 s apart) before the connection closes; default 20. */
  readonly reconnectAttempts?: number;
  /** Connection name shown by the server (e.g. `actor-3`). */
  readonly name?: string;
  readonly logger?: Logger;
}

/**
 * Connects to `url`, retrying with exponential backoff. Once connected the client reconnects
 * on its own (bounded: `reconnectAttempts`, 1 s apart) if the server goes away; then the
 * connection closes (see {@link watchClosed}).
 *
 * @example
 * const nc = await connectNats('nats://127.0.0.1:4222', { attempts: 3 });
 */
export async function connectNats(url: string, opts: ConnectOptions = {}): Promise<NatsConnection> {
  const attempts = opts.attempts ?? 5;
  const backoff = opts.backoffMs ?? 250;
  const t0 = performance.now();
  let last: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      return await connect({
        servers: url,
        name: opts.name,
        timeout: opts.timeoutMs ?? 2000,
        maxReconnectAttempts: opts.reconnectAttempts ?? 20,
        reconnectTimeWait: 1000,
      });
    } catch (e) {
      last = e;
      if (i < attempts) {
        const wait = Math.min(backoff * 2 ** (i - 1), 4000);
        opts.logger?.warn({ url, attempt: i, attempts, retryInMs: wait, err: (e as Error).message }, 'NATS connect failed, retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  throw new NatsUnreachableError(url, attempts, performance.now() - t0, last);
}

/** Thrown when an established connection is gone for good (the reconnection attempts ran out). */
export class NatsLostError extends Error {
  override readonly name = 'NatsLostError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`lost the connection to NATS at ${url} (reconnection attempts exhausted)${cause ? `: ${(cause as Error).message ?? String(cause)}` : ''}`);
  }
}

/**
 * Watches a connection: `lost()` returns the {@link NatsLostError} once the connection closed
 * without `close()`/`drain()` from us; `onLost` is called then (e.g. to wake a waiting loop).
 */
export function watchClosed(nc: NatsConnection, url: string, onLost: () => void): { lost(): NatsLostError | undefined; closing(): void } {
  let ours = false;
  let err: NatsLostError | undefined;
  void nc.closed().then((cause) => {
    if (ours) return;
    err = new NatsLostError(url, cause);
    onLost();
  });
  return { lost: () => err, closing: () => void (ours = true) };
}

/** A queue of decoded items that async code can wait on (with a deadline). */
export class Inbox<T> {
  readonly items: T[] = [];
  private wake: (() => void) | undefined;

  push(x: T): void {
    this.items.push(x);
    this.poke();
  }

  /** Wakes a waiter so it re-checks its condition. */
  poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves true once `done()` holds, false at the deadline (ms since the epoch of performance.now). */
  async until(done: () => boolean, deadline: number): Promise<boolean> {
    for (;;) {
      if (done()) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}
