/**
 * Options of a policy server: one typed record, each field documented with its default, and
 * the zod schema that checks it (every bad field reported at once).
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { BACKENDS, type BackendName } from '@rl/tf';
import type { ServablePolicy } from './policy.js';

/** Options of {@link createServer}. Give `policyDir` or `policy`. */
export interface ServeOptions {
  /** Directory of a saved policy (`model.json`, weights, `policy.json`); loaded with `loadPolicy`. */
  readonly policyDir?: string;
  /** An already loaded policy to serve instead of `policyDir` (embedding); the server does not dispose it. */
  readonly policy?: ServablePolicy;
  /** TensorFlow.js backend to initialise before loading `policyDir`; default: keep the current one (`auto` if none). */
  readonly backend?: BackendName;
  /** Interface to listen on; default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on (0: any free port); default 8080. */
  readonly port?: number;
  /** Most observations coalesced into one forward pass; default 256. 1 turns micro-batching off. */
  readonly maxBatch?: number;
  /** Longest wait (ms) of the first queued request for others to join its batch; default 1. 0 turns micro-batching off. */
  readonly maxWaitMs?: number;
  /** Most observations one request may carry in `observations` (more → 413); default `maxBatch`, at least 1. */
  readonly maxRequestBatch?: number;
  /** Largest request body in bytes (larger → 413); default 1 MiB. */
  readonly bodyLimit?: number;
  /** Longest time (ms) a client may take to send a whole request (slow clients get 408); default 30 000, 0: no limit. */
  readonly requestTimeoutMs?: number;
  /** After shutdown starts, how long (ms) to wait for in-flight requests before closing connections; default 10 000. */
  readonly drainTimeoutMs?: number;
  /** After shutdown starts, how long (ms) idle keep-alive connections may still send a request; default 200. */
  readonly idleGraceMs?: number;
  /** pino logger for request and lifecycle logs; default a new one at level `RL_LOG_LEVEL` (or `info`). */
  readonly logger?: Logger;
  /** Also export prom-client's process metrics (CPU, memory, event loop); default true. */
  readonly processMetrics?: boolean;
}

const intIn = (min: number, max: number) => z.number().int().min(min).max(max);

/** The zod schema of {@link ServeOptions} (without the object-valued fields). */
export const serveOptionsSchema = z.object({
  policyDir: z.string().min(1).optional(),
  backend: z.enum(BACKENDS as [BackendName, ...BackendName[]]).optional(),
  host: z.string().min(1).optional(),
  port: intIn(0, 65_535).optional(),
  maxBatch: intIn(1, 1 << 20).optional(),
  maxWaitMs: z.number().min(0).max(60_000).optional(),
  maxRequestBatch: intIn(1, 1 << 20).optional(),
  bodyLimit: intIn(64, 1 << 30).optional(),
  requestTimeoutMs: intIn(0, 3_600_000).optional(),
  drainTimeoutMs: intIn(0, 3_600_000).optional(),
  idleGraceMs: intIn(0, 60_000).optional(),
  processMetrics: z.boolean().optional(),
});

/** Options with their defaults filled in. */
export interface ResolvedServeOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxRequestBatch: number;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly idleGraceMs: number;
  readonly processMetrics: boolean;
}

/** Checks `opts` and fills in defaults; throws a `RangeError` listing every bad field. */
export function resolveServeOptions(opts: ServeOptions): ResolvedServeOptions {
  const { policy, logger, ...plain } = opts;
  const r = serveOptionsSchema.safeParse(plain);
  if (!r.success) {
    const list = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new RangeError(`createServer: invalid options: ${list}`);
  }
  if ((opts.policyDir === undefined) === (policy === undefined)) {
    throw new RangeError('createServer: give exactly one of policyDir (a saved policy directory) or policy (a loaded policy)');
  }
  const o = r.data;
  const maxBatch = o.maxBatch ?? 256;
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 8080,
    maxBatch,
    maxWaitMs: o.maxWaitMs ?? 1,
    maxRequestBatch: o.maxRequestBatch ?? maxBatch,
    bodyLimit: o.bodyLimit ?? 1 << 20,
    requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
    drainTimeoutMs: o.drainTimeoutMs ?? 10_000,
    idleGraceMs: o.idleGraceMs ?? 200,
    processMetrics: o.processMetrics ?? true,
  };
}
