/**
 * `@rl/serve`: a trained policy as an HTTP service on Fastify. `POST /act` answers
 * observations with actions (and, when asked, their probabilities or Gaussian mean and std),
 * coalescing concurrent requests into batched forward passes; TF Serving's REST API
 * (`POST /v1/models/<name>:predict`, status, metadata) beside it; requests are validated
 * against the observation space; `GET /healthz`, `GET /metadata`, `GET /metrics`
 * (Prometheus); graceful shutdown on SIGTERM / SIGINT.
 */
export { createServer, defaultLogger, actMode } from './server.js';
export type { PolicyServer, ServerAddress, ActBody, ActMode, ServeApp } from './server.js';
export { runServeCommand } from './run.js';
export type { ServeCommandOptions } from './run.js';
export { resolveServeOptions, serveOptionsSchema, serveOptionSchema, defaultModelName, SERVE_OPTIONS, SERVE_DEFAULTS, MODEL_NAME_PATTERN } from './options.js';
export type { ServeOptions, ResolvedServeOptions, ServeOptionSpec, ServeOptionName, ServeOptionValues, ModelNameSource } from './options.js';
export { serveFlags, parseServeFlag, serveFlagsHelp, kebab } from './flags.js';
export { checkServeLimits, ServeLimitError, JSON_HEAP_FACTOR } from './limits.js';
export type { ServeFlag } from './flags.js';
export { parseTfPath, parsePredictBody, predictResponse, tfModelMetadata, tfModelStatus, TF_SIGNATURE, TF_INPUT, TF_VERSION, PREDICT_FIELDS } from './tfserving.js';
export type { TfTarget, PredictRequest } from './tfserving.js';
export { MicroBatcher, BatcherClosedError } from './batcher.js';
export type { BatchRunner, MicroBatcherOptions } from './batcher.js';
export { createMetrics, BATCH_BUCKETS, LATENCY_BUCKETS } from './metrics.js';
export type { ServeMetrics } from './metrics.js';
export { actBodySchema, actResponseSchema, formatActErrors, checkObservationRows, quoteCapped, RequestValidationError, FLOAT32_MAX, ECHO_MAX } from './schema.js';
export type { ActSchemaSpec, SchemaError } from './schema.js';
export { toJsonActions, toJsonOutputs, envIdOf } from './policy.js';
export type { ServablePolicy, JsonAction, JsonOutput, PolicyDistributionRow } from './policy.js';

/** Alias of {@link createServer}: `serve({ policyDir })`. */
export { createServer as serve } from './server.js';
