/**
 * A trained policy as an HTTP service on Fastify: `POST /act` (micro-batched, validated by a
 * JSON schema built from the observation space), TF Serving's REST API under `/v1/models/`
 * (tfserving.ts), `GET /healthz`, `GET /metadata`, `GET /metrics` (Prometheus), 405 with
 * `Allow` for methods a route does not take, pino request logs, and a graceful drain on close.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { findPolicyDir, loadPolicy } from '@rl/policy';
import { checkServeLimits } from './limits.js';
import { backendInfo, tf } from '@rl/tf';
import { BatcherClosedError, MicroBatcher } from './batcher.js';
import { jsonBodyParser, refuseOtherMethods, type HttpError } from './http.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import { resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js';
import { envIdOf, toJsonActions, toJsonOutputs, type JsonOutput, type ServablePolicy } from './policy.js';
import { actBodySchema, actResponseSchema, formatActErrors, quoteCapped, type ActSchemaSpec, type SchemaError } from './schema.js';
import { isTfServingPath, tfServingRoutes } from './tfserving.js';

/** Body of `POST /act` after validation. */
export interface ActBody {
  /** One observation (exactly the observation space's size). */
  readonly observation?: number[];
  /** A batch of observations. */
  readonly observations?: number[][];
  /** Mode (argmax / mean) instead of a sample; default: the server's `deterministic` option (false). */
  readonly deterministic?: boolean;
  /** Also answer the distribution of each action: `probabilities` (Discrete) or `mean` and `std` (Box); default false. */
  readonly probabilities?: boolean;
}

/**
 * How a forward pass answers, the micro-batcher's key: the mode or a sample, with or without
 * the distribution of each action.
 */
export type ActMode = 'sample' | 'mode' | 'sample+distribution' | 'mode+distribution';

/** The {@link ActMode} of a request. */
export function actMode(deterministic: boolean, distribution: boolean): ActMode {
  return `${deterministic ? 'mode' : 'sample'}${distribution ? '+distribution' : ''}` as ActMode;
}

/** Where a listening server is. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
}

/** The Fastify instance of a policy server (logging through pino). */
export type ServeApp = FastifyInstance<HttpServer, IncomingMessage, ServerResponse, Logger>;

/** A policy server made by {@link createServer}. */
export interface PolicyServer {
  /** The Fastify instance (add routes or hooks before `listen`, or use `app.inject` in tests). */
  readonly app: ServeApp;
  /** The served policy. */
  readonly policy: ServablePolicy;
  /** Options with defaults filled in. */
  readonly options: ResolvedServeOptions;
  /** Its prom-client metrics. */
  readonly metrics: ServeMetrics;
  /** The micro-batcher in front of the policy. */
  readonly batcher: MicroBatcher<JsonOutput, ActMode>;
  /** Starts listening on `options.host:options.port`; resolves with the address. */
  listen(): Promise<ServerAddress>;
  /**
   * Graceful shutdown: stops accepting connections, answers every request already received
   * (responses carry `Connection: close`), flushes the batcher, closes idle connections, and
   * disposes the policy if the server loaded it. Safe to call twice.
   */
  close(): Promise<void>;
  /** The listening address, undefined before `listen`. */
  readonly address: ServerAddress | undefined;
  /** True once `close` has started. */
  readonly draining: boolean;
}

const SERVE_VERSION = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The default logger: pino at `RL_LOG_LEVEL` (vitest sets `silent`), else `info`. */
export function defaultLogger(): Logger {
  return pino({ name: 'rl-serve', level: process.env.RL_LOG_LEVEL ?? 'info' });
}

/**
 * Creates (but does not start) a policy server. Loads the policy from `policyDir` (a saved
 * policy, or a run directory made by `rl train`) with `loadPolicy`, or serves the given `policy`.
 *
 * @example
 * const server = await createServer({ policyDir: 'runs/cartpole/policy', port: 0 });
 * const { url } = await server.listen();
 * await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ observation: [0, 0, 0.01, 0], deterministic: true }) }); // { "action": 1 }
 * await server.close();
 */
export async function createServer(opts: ServeOptions): Promise<PolicyServer> {
  resolveServeOptions(opts); // every bad option is reported before anything loads
  const logger = opts.logger ?? defaultLogger();
  const owned = opts.policy === undefined;
  // No backend asked for: keep the one already initialised, else pick the best available.
  const backend = opts.backend ?? (backendInfo() === undefined ? 'auto' : undefined);
  const policyDir = opts.policyDir === undefined ? undefined : findPolicyDir(opts.policyDir).policyDir;
  const policy: ServablePolicy = opts.policy ?? (await loadPolicy(policyDir!, backend ? { backend } : {}));
  try {
    // The default model name: the env id, else the directory given (the run's, for a run directory).
    const options = resolveServeOptions(opts, { envId: envIdOf(policy.metadata), dir: opts.policyDir });
    checkServeLimits(options, policy); // the largest forward pass and request body fit in memory
    return build(policy, owned, options, logger, policyDir);
  } catch (err) {
    if (owned) policy.dispose();
    throw err;
  }
}

function build(policy: ServablePolicy, owned: boolean, options: ResolvedServeOptions, logger: Logger, policyDir: string | undefined): PolicyServer {
  const obsSpace = policy.observationSpace;
  const actSpace = policy.actionSpace;
  const spec: ActSchemaSpec = {
    obsSize: obsSpace.size,
    obsShape: obsSpace.shape,
    envId: envIdOf(policy.metadata),
    maxRequestBatch: options.maxRequestBatch,
    actionSpace: actSpace,
  };
  const metrics = createMetrics({ numTensors: () => tf.memory().numTensors, processMetrics: options.processMetrics });
  const batcher = new MicroBatcher<JsonOutput, ActMode>({
    maxBatch: options.maxBatch,
    maxWaitMs: options.maxWaitMs,
    run: async (rows, mode) => {
      const deterministic = mode.startsWith('mode');
      if (mode.endsWith('+distribution')) return toJsonOutputs(await policy.actBatchWithDistribution(rows, { deterministic }), actSpace, rows.length);
      return toJsonActions(await policy.actBatch(rows, { deterministic }), actSpace, rows.length).map((action) => ({ action }));
    },
    onBatch: (rows, requests) => {
      metrics.batchSize.observe(rows);
      metrics.batchRequests.observe(requests);
    },
  });

  const app = Fastify({
    loggerInstance: logger,
    // One log line per request is written in onResponse instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    requestTimeout: options.requestTimeoutMs,
    // Node checks request timeouts on this interval (default 30 s): check often enough to honour it.
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.round(options.requestTimeoutMs / 4))) },
    // While draining, requests on open connections are still answered (with Connection: close).
    return503OnClosing: false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, verbose: true } },
  });

  // Node enforces requestTimeout only when headersTimeout is not longer (default 60 s).
  if (options.requestTimeoutMs > 0) app.server.headersTimeout = Math.min(app.server.headersTimeout, options.requestTimeoutMs);

  // Only JSON bodies on our routes (anything else gets 415); the TF Serving routes take any content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser('expected a JSON object with "observation" or "observations"'));
  /** Route names for metrics and logs where Fastify's own (a wildcard) says too little. */
  const routeLabels = new WeakMap<FastifyRequest, string>();

  let draining = false;
  let inFlight = 0;
  const sockets = new Set<Socket>();
  let accepted = 0;
  let received = 0;
  let answered = 0;
  app.server.on('connection', (s: Socket) => {
    accepted++;
    metrics.connections.inc();
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  app.addHook('onRequest', (req, reply, done) => {
    received++;
    inFlight++;
    reply.raw.once('close', () => inFlight--);
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    answered++;
    const route = routeLabels.get(req) ?? req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.requests.inc({ route, method: req.method, status: String(status) });
    metrics.latency.observe({ route, method: req.method }, reply.elapsedTime / 1000);
    const fields = { method: req.method, url: req.url, status, ms: Math.round(reply.elapsedTime * 100) / 100 };
    if (status >= 500) req.log.error(fields, 'request failed');
    else req.log.info(fields, 'request');
    done();
  });

  /** Errors in the shape of the API asked: TF Serving's `{error}` under /v1/, ours `{statusCode, error, message}` elsewhere. */
  const sendError = (req: FastifyRequest, reply: FastifyReply, status: number, message: string): void => {
    void reply.code(status).send(isTfServingPath(req.url) ? { error: message } : { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  };
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const { status, message } = describeError(err, req, options);
    if (status >= 500) req.log.error({ err }, 'error answering request');
    const headers = (err as Partial<HttpError>).headers;
    if (headers) void reply.headers(headers);
    sendError(req, reply, status, message);
  });
  const name = options.modelName;
  const routes = `POST /act, GET /healthz, GET /metadata, GET /metrics, GET /v1/models/${name}, GET /v1/models/${name}/metadata, POST /v1/models/${name}:predict`;
  app.setNotFoundHandler((req, reply) => {
    sendError(req, reply, 404, `no route ${req.method} ${quoteCapped(req.url.split('?')[0]!)}; routes: ${routes}`);
  });

  app.post<{ Body: ActBody }>(
    '/act',
    {
      schema: { body: actBodySchema(spec), response: { 200: actResponseSchema(spec) } },
      schemaErrorFormatter: (errors, dataVar) => formatActErrors(errors as unknown as SchemaError[], spec, dataVar),
    },
    async (req) => {
      const body = req.body;
      const single = body.observation !== undefined;
      const rows = single ? [body.observation!] : body.observations!;
      const distribution = body.probabilities === true;
      const outputs = await batcher.submit(rows, actMode(body.deterministic ?? options.deterministic, distribution));
      metrics.observations.inc(rows.length);
      if (single) return outputs[0];
      const actions = outputs.map((o) => o.action);
      if (!distribution) return { actions };
      return actSpace.type === 'Discrete'
        ? { actions, probabilities: outputs.map((o) => o.probabilities) }
        : { actions, mean: outputs.map((o) => o.mean), std: outputs.map((o) => o.std) };
    },
  );
  refuseOtherMethods(app, '/act', ['POST']);

  app.get('/healthz', async (_req, reply) => {
    const body = {
      status: draining ? 'draining' : 'ok',
      policyLoaded: true,
      backend: backendInfo()?.backend ?? tf.getBackend(),
      numTensors: tf.memory().numTensors,
      pendingObservations: batcher.pendingRows,
      uptimeSeconds: Math.round(process.uptime()),
    };
    return reply.code(draining ? 503 : 200).send(body);
  });
  refuseOtherMethods(app, '/healthz', ['GET']);

  const metadata = {
    observationSpace: obsSpace.toJSON(),
    actionSpace: actSpace.toJSON(),
    envId: spec.envId ?? null,
    modelName: name,
    deterministic: options.deterministic,
    policyDir: policyDir ?? null,
    model: policy.metadata ?? null,
    batching: {
      enabled: batcher.enabled,
      maxBatch: options.maxBatch,
      maxWaitMs: options.maxWaitMs,
      maxRequestBatch: options.maxRequestBatch,
    },
    versions: { '@rl/serve': SERVE_VERSION, tfjs: tf.version.tfjs, fastify: app.version, node: process.version },
  };
  const metadataBody = (): Record<string, unknown> => ({ ...metadata, backend: backendInfo()?.backend ?? tf.getBackend() });
  app.get('/metadata', async () => metadataBody());
  refuseOtherMethods(app, '/metadata', ['GET']);

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
  refuseOtherMethods(app, '/metrics', ['GET']);

  // Registered after every hook above, so its routes have them too.
  void app.register(
    tfServingRoutes({
      modelName: name,
      spec,
      deterministic: options.deterministic,
      predict: (rows, deterministic) => batcher.submit(rows, actMode(deterministic, true)),
      onObservations: (n) => metrics.observations.inc(n),
      draining: () => draining,
      metadata: metadataBody,
      label: (req, route) => routeLabels.set(req, route),
    }),
  );

  let address: ServerAddress | undefined;
  let closing: Promise<void> | undefined;

  const drain = async (): Promise<void> => {
    draining = true;
    const t0 = Date.now();
    const listening = app.server.listening;
    if (listening) {
      // Stop accepting connections without http's closeIdleConnections(): a keep-alive
      // connection whose next request is already on its way gets that request answered.
      NetServer.prototype.close.call(app.server);
    }
    logger.info({ inFlight, connections: sockets.size }, 'shutting down: no new connections, answering requests in flight');
    let timedOut = false;
    for (;;) {
      // Requests queued for batching are run now rather than after their wait.
      batcher.flush();
      const elapsed = Date.now() - t0;
      if (sockets.size === 0) break;
      if (inFlight === 0 && batcher.pendingRows === 0 && elapsed >= options.idleGraceMs) break;
      if (elapsed >= options.drainTimeoutMs) {
        timedOut = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await batcher.close();
    const closed = app.close();
    if (listening) {
      app.server.closeIdleConnections();
      if (timedOut) {
        logger.warn({ inFlight, connections: sockets.size }, `shutdown: requests still open after ${options.drainTimeoutMs} ms; closing their connections`);
        app.server.closeAllConnections();
      }
    }
    await closed;
    if (owned) policy.dispose();
    logger.info({ ms: Date.now() - t0, connectionsAccepted: accepted, requestsReceived: received, requestsAnswered: answered }, 'shut down');
  };

  return {
    app,
    policy,
    options,
    metrics,
    batcher,
    async listen() {
      const url = await app.listen({ host: options.host, port: options.port });
      const a = app.server.address();
      const port = typeof a === 'object' && a !== null ? a.port : options.port;
      address = { host: options.host, port, url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}` };
      logger.info({ url, maxBatch: options.maxBatch, maxWaitMs: options.maxWaitMs, batching: batcher.enabled }, 'serving policy');
      return address;
    },
    close() {
      closing ??= drain();
      return closing;
    },
    get address() {
      return address;
    },
    get draining() {
      return draining;
    },
  };
}

/** Status and message for an error raised while answering a request. */
function describeError(err: FastifyError, req: FastifyRequest, options: ResolvedServeOptions): { status: number; message: string } {
  if (err instanceof BatcherClosedError) return { status: 503, message: 'the server is shutting down; retry on another instance' };
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `content-type must be application/json, got ${quoteCapped(req.headers['content-type'] ?? '(none)')}` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `body is larger than the limit of ${options.bodyLimit} bytes` };
    default:
      break;
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, message: err.message };
  }
  return { status: status >= 500 ? status : 500, message: `the policy could not answer: ${err.message}` };
}
