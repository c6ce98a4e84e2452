/**
 * Fixtures the server's tests share (not exported from the package): the spaces of the
 * classic-control envs the saved test policies are made for, spread-out observations, a
 * server on port 0 for the length of a callback, and reading one Prometheus sample.
 */
import { Box, Rng } from '@rl/env';
import { createServer, type PolicyServer } from './server.js';
import type { ServeOptions } from './options.js';

/** CartPole-v1's observation space. */
export const CARTPOLE_OBS = new Box([-4.8, -Infinity, -0.41887903, -Infinity], [4.8, Infinity, 0.41887903, Infinity]);
/** Pendulum-v1's observation and action spaces. */
export const PENDULUM_OBS = new Box([-1, -1, -8], [1, 1, 8]);
export const PENDULUM_ACT = new Box([-2], [2]);

/** Observations spread widely (unbounded dims within ±3), so an untrained policy's answers differ between rows. */
export function observations(space: Box, n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: space.size }, (_, i) => {
      const lo = Number.isFinite(space.low[i]!) ? space.low[i]! : -3;
      const hi = Number.isFinite(space.high[i]!) ? space.high[i]! : 3;
      return rng.uniform(lo, hi);
    }),
  );
}

/** Runs `fn` against a server listening on 127.0.0.1, any free port; closes it after. */
export async function withServer<T>(opts: ServeOptions, fn: (s: PolicyServer, url: string) => Promise<T>): Promise<T> {
  const s = await createServer({ port: 0, host: '127.0.0.1', ...opts });
  const { url } = await s.listen();
  try {
    return await fn(s, url);
  } finally {
    await s.close();
  }
}

/** The value of the Prometheus sample `line` (name with labels) in `text`; 0 when absent. */
export function metricValue(text: string, line: string): number {
  const m = text.split('\n').find((l) => l.startsWith(`${line} `));
  return m === undefined ? 0 : Number(m.slice(line.length + 1));
}

/**
 * Sends a body with an unknown field of `keyLength` characters to `url`; returns the status,
 * the response's length and its message (`message` or TF Serving's `error`).
 */
export async function postHugeUnknownField(url: string, fields: string, keyLength: number, headers: Record<string, string> = {}): Promise<{ status: number; length: number; message: string }> {
  const res = await fetch(url, { method: 'POST', headers, body: `{"${'k'.repeat(keyLength)}":1,${fields}}` });
  const text = await res.text();
  const json = JSON.parse(text) as { message?: string; error?: string };
  return { status: res.status, length: text.length, message: json.message ?? json.error ?? '' };
}
