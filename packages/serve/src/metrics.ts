/**
 * Prometheus metrics of a policy server, on prom-client with a registry of its own (so several
 * servers in one process never clash): requests by route, method and status; request latency;
 * forward-pass batch sizes; live tensors; and prom-client's process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics one server records. */
export interface ServeMetrics {
  /** The registry `GET /metrics` renders. */
  readonly registry: Registry;
  /** `rl_serve_requests_total{route,method,status}`. */
  readonly requests: Counter<'route' | 'method' | 'status'>;
  /** `rl_serve_request_duration_seconds{route,method}`: time from request start to response sent. */
  readonly latency: Histogram<'route' | 'method'>;
  /** `rl_serve_batch_size`: observations per forward pass. */
  readonly batchSize: Histogram<string>;
  /** `rl_serve_batch_requests`: requests coalesced per forward pass. */
  readonly batchRequests: Histogram<string>;
  /** `rl_serve_observations_total`: observations answered. */
  readonly observations: Counter<string>;
  /** `rl_serve_connections_total`: TCP connections accepted. */
  readonly connections: Counter<string>;
}

/** Powers of two up to 4096: batch-size buckets. */
export const BATCH_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/** Latency buckets in seconds, 0.5 ms to 2.5 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Creates the metrics of one server. `numTensors` feeds the `rl_serve_tf_tensors` gauge at
 * each scrape.
 */
export function createMetrics(opts: { readonly numTensors: () => number; readonly processMetrics?: boolean }): ServeMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'rl_serve_' });
  const requests = new Counter({
    name: 'rl_serve_requests_total',
    help: 'HTTP requests answered, by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'rl_serve_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, in seconds',
    labelNames: ['route', 'method'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'rl_serve_batch_size',
    help: 'Observations per forward pass of the policy (micro-batching coalesces requests)',
    buckets: [...BATCH_BUCKETS],
    registers: [registry],
  });
  const batchRequests = new Histogram({
    name: 'rl_serve_batch_requests',
    help: 'Requests coalesced into one forward pass',
    buckets: [...BATCH_BUCKETS],
    registers: [registry],
  });
  const observations = new Counter({
    name: 'rl_serve_observations_total',
    help: 'Observations answered with an action',
    registers: [registry],
  });
  const connections = new Counter({
    name: 'rl_serve_connections_total',
    help: 'TCP connections accepted',
    registers: [registry],
  });
  new Gauge({
    name: 'rl_serve_tf_tensors',
    help: 'Live TensorFlow.js tensors (constant while serving; growth means a leak)',
    registers: [registry],
    collect() {
      this.set(opts.numTensors());
    },
  });
  return { registry, requests, latency, batchSize, batchRequests, observations, connections };
}
