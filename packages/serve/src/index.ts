/**
 * `@rl/serve`: a trained policy as an HTTP service on Fastify. `POST /act` answers
 * observations with actions, coalescing concurrent requests into batched forward passes;
 * requests are validated by a JSON schema built from the observation space; `GET /healthz`,
 * `GET /metadata`, `GET /metrics` (Prometheus); graceful shutdown on SIGTERM / SIGINT.
 */
export { createServer, defaultLogger } from './server.js';
export type { PolicyServer, ServerAddress, ActBody, ServeApp } from './server.js';
export { runServeCommand } from './run.js';
export type { ServeCommandOptions } from './run.js';
export { resolveServeOptions, serveOptionsSchema } from './options.js';
export type { ServeOptions, ResolvedServeOptions } from './options.js';
export { MicroBatcher, BatcherClosedError } from './batcher.js';
export type { BatchRunner, MicroBatcherOptions } from './batcher.js';
export { createMetrics, BATCH_BUCKETS, LATENCY_BUCKETS } from './metrics.js';
export type { ServeMetrics } from './metrics.js';
export { actBodySchema, actResponseSchema, formatActErrors, RequestValidationError, FLOAT32_MAX } from './schema.js';
export type { ActSchemaSpec, SchemaError } from './schema.js';
export { toJsonActions, envIdOf } from './policy.js';
export type { ServablePolicy, JsonAction } from './policy.js';

/** Alias of {@link createServer}: `serve({ policyDir })`. */
export { createServer as serve } from './server.js';
