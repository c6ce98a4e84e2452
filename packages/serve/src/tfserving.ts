/**
 * TensorFlow Serving's REST API beside our own, so its clients work unchanged:
 *
 * - `POST /v1/models/<name>[/versions/1]:predict` with `{"instances": [...]}` (row format:
 *   one observation per instance, or `{"observation": [...]}` per instance) answers
 *   `{"predictions": [...]}`; with `{"inputs": [...]}` or `{"inputs": {"observation": [...]}}`
 *   (columnar format) it answers `{"outputs": {...}}`. Each prediction is
 *   `{"action", "probabilities"}` (Discrete) or `{"action", "mean", "std"}` (Box).
 * - `GET /v1/models/<name>[/versions/1]`: `model_version_status`.
 * - `GET /v1/models/<name>[/versions/1]/metadata`: `model_spec` and the `serving_default`
 *   signature, with our spaces, env id and versions under `metadata.rl`.
 * - Errors are `{"error": "..."}`; unknown models and versions 404, wrong methods 405 with
 *   `Allow`. Any content type is taken as JSON (TF Serving's documented `curl -d` examples
 *   send `application/x-www-form-urlencoded`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { answerOtherMethods, httpError, jsonBodyParser, HTTP_METHODS } from './http.js';
import type { JsonOutput } from './policy.js';
import { capText, checkObservationRows, describeValue, quoteCapped, requestErrors, RequestValidationError, type ActSchemaSpec } from './schema.js';

/** The one signature served, as TF Serving names its default. */
export const TF_SIGNATURE = 'serving_default';
/** Name of the signature's one input. */
export const TF_INPUT = 'observation';
/** The model's only version (TF Serving versions are directory numbers; a served policy has one). */
export const TF_VERSION = '1';
/** Fields of a `:predict` body: TF Serving's, plus our `deterministic`. */
export const PREDICT_FIELDS = ['signature_name', 'instances', 'inputs', 'deterministic'] as const;

/** What a `/v1/models/…` path asks for. */
export interface TfTarget {
  /** The model name in the path. */
  readonly name: string;
  /** `/versions/<v>`, when given. */
  readonly version: string | undefined;
  /** `/labels/<l>`, when given. */
  readonly label: string | undefined;
  /** status (`GET /v1/models/<name>`), metadata, or a verb (`:predict`, `:classify`, `:regress`). */
  readonly kind: 'status' | 'metadata' | 'predict' | 'classify' | 'regress';
}

const TF_PATH = /^\/v1\/models\/([^/:]+)(?:\/(versions|labels)\/([^/:]+))?(?:(\/metadata)|:(predict|classify|regress))?\/?$/;

/** Parses the path (without query) of a TF Serving request; undefined when it is none of its routes. */
export function parseTfPath(path: string): TfTarget | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const m = TF_PATH.exec(decoded);
  if (!m) return undefined;
  const [, name, by, value, metadata, verb] = m;
  return {
    name: name!,
    version: by === 'versions' ? value : undefined,
    label: by === 'labels' ? value : undefined,
    kind: metadata ? 'metadata' : ((verb as TfTarget['kind'] | undefined) ?? 'status'),
  };
}

/** A checked `:predict` body. */
export interface PredictRequest {
  /** The observations, one row each. */
  readonly rows: number[][];
  /** `row` (`instances` → `predictions`) or `columnar` (`inputs` → `outputs`). */
  readonly format: 'row' | 'columnar';
  /** Our extension: mode instead of a sample; undefined: the server's default. */
  readonly deterministic: boolean | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of the one named input in `{"observation": …}` at `field`. */
function namedInput(v: Record<string, unknown>, field: string): unknown {
  for (const k of Object.keys(v)) {
    if (k !== TF_INPUT) throw new RequestValidationError(`${field} has an unknown input ${quoteCapped(k)}; the model's one input is "${TF_INPUT}"`, 400);
  }
  if (!(TF_INPUT in v)) throw new RequestValidationError(`${field} must hold the input "${TF_INPUT}"`, 400);
  return v[TF_INPUT];
}

/**
 * Checks a `:predict` body (row or columnar format) against the served policy; throws a
 * {@link RequestValidationError} naming the field (`body/instances/3/1`), what it must be and
 * what came (400; 413 for more than `maxRequestBatch` observations).
 */
export function parsePredictBody(body: unknown, spec: ActSchemaSpec): PredictRequest {
  if (!isObject(body)) {
    throw new RequestValidationError(`body must be a JSON object with "instances" (row format) or "inputs" (columnar format), got ${describeValue(body)}`, 400);
  }
  for (const k of Object.keys(body)) {
    if (!(PREDICT_FIELDS as readonly string[]).includes(k)) throw requestErrors.unknownField('body', k, PREDICT_FIELDS);
  }
  const signature = body.signature_name;
  if (signature !== undefined) {
    if (typeof signature !== 'string') throw new RequestValidationError(`body/signature_name must be a string, got ${describeValue(signature)}`, 400);
    if (signature !== '' && signature !== TF_SIGNATURE) {
      throw new RequestValidationError(`body/signature_name: the model has no signature ${quoteCapped(signature)}; its one signature is "${TF_SIGNATURE}"`, 400);
    }
  }
  const deterministic = body.deterministic;
  if (deterministic !== undefined && typeof deterministic !== 'boolean') throw requestErrors.notBoolean('body/deterministic', deterministic);
  if (('instances' in body) === ('inputs' in body)) {
    throw new RequestValidationError(
      `body must have exactly one of "instances" (row format: a list of observations of ${spec.obsSize} numbers) or "inputs" (columnar format)`,
      400,
    );
  }
  if ('instances' in body) {
    const rows = checkObservationRows(body.instances, 'body/instances', spec, (x, i) => (isObject(x) ? namedInput(x, `body/instances/${i}`) : x));
    return { rows, format: 'row', deterministic };
  }
  const inputs = body.inputs;
  const rows = isObject(inputs) ? checkObservationRows(namedInput(inputs, 'body/inputs'), `body/inputs/${TF_INPUT}`, spec) : checkObservationRows(inputs, 'body/inputs', spec);
  return { rows, format: 'columnar', deterministic };
}

/** The `:predict` answer: `{predictions: [row, …]}` (row format) or `{outputs: {field: [value per row]}}` (columnar). */
export function predictResponse(format: PredictRequest['format'], outputs: readonly JsonOutput[]): Record<string, unknown> {
  if (format === 'row') return { predictions: outputs };
  const columns: Record<string, unknown[]> = {};
  for (const o of outputs) {
    for (const [k, v] of Object.entries(o)) (columns[k] ??= []).push(v);
  }
  return { outputs: columns };
}

/** TF Serving's `TensorInfo` of a float or int tensor of `shape` (-1: the batch). */
function tensorInfo(name: string, dtype: 'DT_FLOAT' | 'DT_INT64', shape: readonly number[]): Record<string, unknown> {
  return { dtype, tensor_shape: { dim: shape.map((size) => ({ size: String(size), name: '' })), unknown_rank: false }, name };
}

/**
 * `GET /v1/models/<name>/metadata`: TF Serving's `GetModelMetadataResponse` with the
 * `serving_default` signature (input `observation` `[-1, obsSize]`; outputs `action` and
 * `probabilities`, or `action`, `mean` and `std`), and `rl` = our `GET /metadata` body.
 */
export function tfModelMetadata(name: string, spec: ActSchemaSpec, rl: Record<string, unknown>): Record<string, unknown> {
  const space = spec.actionSpace;
  const outputs =
    space.type === 'Discrete'
      ? { action: tensorInfo('action', 'DT_INT64', [-1]), probabilities: tensorInfo('probabilities', 'DT_FLOAT', [-1, space.n]) }
      : {
          action: tensorInfo('action', 'DT_FLOAT', [-1, space.size]),
          mean: tensorInfo('mean', 'DT_FLOAT', [-1, space.size]),
          std: tensorInfo('std', 'DT_FLOAT', [-1, space.size]),
        };
  return {
    model_spec: { name, signature_name: '', version: TF_VERSION },
    metadata: {
      signature_def: {
        signature_def: {
          [TF_SIGNATURE]: {
            inputs: { [TF_INPUT]: tensorInfo(TF_INPUT, 'DT_FLOAT', [-1, spec.obsSize]) },
            outputs,
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
      rl,
    },
  };
}

/** `GET /v1/models/<name>`: TF Serving's `GetModelStatusResponse` (UNLOADING while the server drains). */
export function tfModelStatus(draining: boolean): Record<string, unknown> {
  return { model_version_status: [{ version: TF_VERSION, state: draining ? 'UNLOADING' : 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
}

/** True for paths answered in TF Serving's shape (`{"error": …}`). */
export function isTfServingPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

/** What the TF Serving routes need of the server. */
export interface TfServingContext {
  /** The served model's name (`/v1/models/<name>`). */
  readonly modelName: string;
  /** The served policy's spaces and limits. */
  readonly spec: ActSchemaSpec;
  /** Mode (true) or sample (false) when a request does not say. */
  readonly deterministic: boolean;
  /** Answers observations with actions and their distributions (through the micro-batcher). */
  predict(rows: readonly (readonly number[])[], deterministic: boolean): Promise<JsonOutput[]>;
  /** Called once per answered prediction request with its number of observations. */
  onObservations(n: number): void;
  /** True while the server shuts down. */
  draining(): boolean;
  /** Our `GET /metadata` body. */
  metadata(): Record<string, unknown>;
  /** Names the route of a request for metrics and logs. */
  label(req: FastifyRequest, route: string): void;
}

const ROUTE_LABELS: Record<TfTarget['kind'], string> = {
  status: '/v1/models/:name',
  metadata: '/v1/models/:name/metadata',
  predict: '/v1/models/:name:predict',
  classify: '/v1/models/:name:classify',
  regress: '/v1/models/:name:regress',
};

/**
 * Registers the TF Serving routes (a Fastify plugin: `app.register(tfServingRoutes(ctx))`).
 * Every `/v1/*` request is routed here; its path decides status, metadata or predict.
 */
export function tfServingRoutes(ctx: TfServingContext) {
  const name = ctx.modelName;
  const routes = `GET /v1/models/${name}, GET /v1/models/${name}/metadata, POST /v1/models/${name}:predict`;
  const targets = new WeakMap<FastifyRequest, TfTarget>();
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, jsonBodyParser('expected a JSON object with "instances" or "inputs"'));
    app.route({
      method: [...HTTP_METHODS],
      url: '/v1/*',
      // Path, model, version and method are checked before the body is read.
      onRequest: async (req, reply) => {
        const path = req.url.split('?')[0]!;
        const t = parseTfPath(path);
        if (t === undefined) throw httpError(404, `no route ${req.method} ${quoteCapped(path)}; TF Serving routes of this server: ${routes}`);
        ctx.label(req, ROUTE_LABELS[t.kind]);
        if (t.name !== name) throw httpError(404, `Servable not found for request: Latest(${capText(t.name)}); this server serves the model "${name}"`);
        if (t.label !== undefined) throw httpError(404, `model "${name}" has no version labels; its one version is ${TF_VERSION} (/v1/models/${name}/versions/${TF_VERSION})`);
        if (t.version !== undefined && t.version !== TF_VERSION) {
          throw httpError(404, `Servable not found for request: Specific(${name}, ${capText(t.version)}); model "${name}" has version ${TF_VERSION} only`);
        }
        const verb = t.kind === 'status' || t.kind === 'metadata' ? ['GET'] : ['POST'];
        if (answerOtherMethods(req, reply, verb, path)) return reply;
        targets.set(req, t);
        return undefined;
      },
      handler: async (req) => {
        const t = targets.get(req)!;
        if (t.kind === 'status') return tfModelStatus(ctx.draining());
        if (t.kind === 'metadata') return tfModelMetadata(name, ctx.spec, ctx.metadata());
        if (t.kind !== 'predict') throw httpError(400, `model "${name}" has no ${t.kind} signature; its one signature "${TF_SIGNATURE}" is a predict signature (POST /v1/models/${name}:predict)`);
        const p = parsePredictBody(req.body, ctx.spec);
        const outputs = await ctx.predict(p.rows, p.deterministic ?? ctx.deterministic);
        ctx.onObservations(p.rows.length);
        return predictResponse(p.format, outputs);
      },
    });
  };
}
