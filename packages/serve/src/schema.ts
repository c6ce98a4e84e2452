/**
 * JSON schemas of `POST /act`, built from the policy's spaces, and the formatter that turns
 * a schema violation into one message naming the field, what it must be, and what came.
 */
import type { Space } from '@rl/env';

/** What the schemas and messages need to know about the served policy. */
export interface ActSchemaSpec {
  /** Flat number of values in one observation. */
  readonly obsSize: number;
  /** Shape of one observation (for messages). */
  readonly obsShape: readonly number[];
  /** The env the policy was trained on, when known (for messages), e.g. `CartPole-v1`. */
  readonly envId?: string | undefined;
  /** Most observations one request may carry in `observations`. */
  readonly maxRequestBatch: number;
  /** The policy's action space: decides the response shape. */
  readonly actionSpace: Space;
}

/** Largest finite float32: observations are float32, so anything beyond overflows to ±Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The field names `POST /act` accepts. */
export const ACT_FIELDS = ['observation', 'observations', 'deterministic', 'probabilities'] as const;

/** Most characters of a client's text (a field name, a model name, a path) an error message repeats. */
export const ECHO_MAX = 64;

/**
 * A client's text quoted for an error message, cut to {@link ECHO_MAX} characters with its
 * length when longer: `"obs"`, or `"aaaa…" (900000 characters)`. A response never grows
 * with what the client sent.
 */
export function quoteCapped(text: string, max = ECHO_MAX): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max)).slice(0, -1)}…" (${text.length} characters)`;
}

/** Like {@link quoteCapped}, unquoted: `abc`, or `aaaa… (900000 characters)`. */
export function capText(text: string, max = ECHO_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** JSON schema of the `POST /act` body. */
export function actBodySchema(spec: ActSchemaSpec): Record<string, unknown> {
  const observation = {
    type: 'array',
    minItems: spec.obsSize,
    maxItems: spec.obsSize,
    items: { type: 'number', minimum: -FLOAT32_MAX, maximum: FLOAT32_MAX },
  };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      observation,
      observations: { type: 'array', minItems: 1, maxItems: spec.maxRequestBatch, items: observation },
      deterministic: { type: 'boolean' },
      probabilities: { type: 'boolean' },
    },
    oneOf: [{ required: ['observation'] }, { required: ['observations'] }],
  };
}

/**
 * JSON schemas of the `POST /act` responses (fast serialisation): `action` / `actions`, and
 * with `"probabilities": true` the distribution's `probabilities` (Discrete) or `mean` and
 * `std` (Box), one row per observation for a batch.
 */
export function actResponseSchema(spec: ActSchemaSpec): Record<string, unknown> {
  const action = spec.actionSpace.type === 'Discrete' ? { type: 'integer' } : { type: 'array', items: { type: 'number' } };
  // A vector for one observation, a list of vectors for a batch: serialised as they are.
  const rows = { type: 'array' };
  return {
    type: 'object',
    properties: { action, actions: { type: 'array', items: action }, probabilities: rows, mean: rows, std: rows },
  };
}

/** One Ajv error as Fastify hands it to the schema error formatter (Ajv runs with `verbose`). */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
}

/** A validation error with its HTTP status (400, or 413 for too many observations). */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/** Short description of a received value for messages: `"NaN"`, `null`, `an object`, `7 items`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** `CartPole-v1 observation shape [4]`, or `observation shape [4]` when the env is unknown. */
export function obsLabel(spec: ActSchemaSpec): string {
  return `${spec.envId ? `${spec.envId} ` : ''}observation shape [${spec.obsShape.join(', ')}]`;
}

/**
 * The errors about observations and fields, worded once for `POST /act` (from Ajv's errors)
 * and TF Serving's `:predict` (checked by {@link checkObservationRows}). `field` is the path
 * of the value, e.g. `body/observations/3/1`.
 */
export const requestErrors = {
  notRow: (field: string, spec: ActSchemaSpec, v: unknown) => new RequestValidationError(`${field} must be an array of ${spec.obsSize} numbers (${obsLabel(spec)}), got ${describeValue(v)}`, 400),
  rowLength: (field: string, spec: ActSchemaSpec, v: unknown) => new RequestValidationError(`${field} must have ${spec.obsSize} numbers (${obsLabel(spec)}), got ${lengthOf(v)}`, 400),
  notNumber: (field: string, spec: ActSchemaSpec, v: unknown) => new RequestValidationError(`${field} must be a finite float32 number (${obsLabel(spec)}), got ${describeValue(v)}`, 400),
  notRows: (field: string, spec: ActSchemaSpec, v: unknown) =>
    new RequestValidationError(`${field} must be an array of observations, each an array of ${spec.obsSize} numbers (${obsLabel(spec)}), got ${describeValue(v)}`, 400),
  noRows: (field: string, spec: ActSchemaSpec) => new RequestValidationError(`${field} must hold at least 1 observation of ${spec.obsSize} numbers (${obsLabel(spec)}), got an empty array`, 400),
  tooManyRows: (field: string, spec: ActSchemaSpec, v: unknown) =>
    new RequestValidationError(`${field} holds ${lengthOf(v)} observations; at most ${spec.maxRequestBatch} are allowed per request`, 413),
  notBoolean: (field: string, v: unknown) => new RequestValidationError(`${field} must be true or false, got ${describeValue(v)}`, 400),
  unknownField: (field: string, name: string, allowed: readonly string[]) =>
    new RequestValidationError(`${field} has an unknown field ${quoteCapped(name)}; allowed fields: ${allowed.join(', ')}`, 400),
};

/** Checks one observation at `field`: exactly `obsSize` finite float32 numbers. */
function checkObservation(v: unknown, field: string, spec: ActSchemaSpec): number[] {
  if (!Array.isArray(v)) throw requestErrors.notRow(field, spec, v);
  if (v.length !== spec.obsSize) throw requestErrors.rowLength(field, spec, v);
  for (let j = 0; j < v.length; j++) {
    const x: unknown = v[j];
    if (typeof x !== 'number' || !(Math.abs(x) <= FLOAT32_MAX)) throw requestErrors.notNumber(`${field}/${j}`, spec, x);
  }
  return v as number[];
}

/**
 * Checks a list of observations at `field` (1 to `maxRequestBatch` rows of `obsSize` finite
 * float32 numbers), the way `POST /act`'s schema checks `observations`; throws a
 * {@link RequestValidationError} naming the first bad value.
 */
export function checkObservationRows(v: unknown, field: string, spec: ActSchemaSpec, row: (x: unknown, i: number) => unknown = (x) => x): number[][] {
  if (!Array.isArray(v)) throw requestErrors.notRows(field, spec, v);
  if (v.length === 0) throw requestErrors.noRows(field, spec);
  if (v.length > spec.maxRequestBatch) throw requestErrors.tooManyRows(field, spec, v);
  return v.map((x: unknown, i) => checkObservation(row(x, i), `${field}/${i}`, spec));
}

/**
 * Turns Ajv's errors for one request body into a {@link RequestValidationError} whose message
 * names the field (`body/observations/3/1`), what it must be, and what was received.
 */
export function formatActErrors(errors: readonly SchemaError[], spec: ActSchemaSpec, dataVar = 'body'): RequestValidationError {
  const n = spec.obsSize;
  const either =
    `${dataVar} must have exactly one of "observation" (${n} numbers) or "observations" ` +
    `(1 to ${spec.maxRequestBatch} arrays of ${n} numbers) (${obsLabel(spec)})`;
  // Prefer the deepest error: it is the most specific (oneOf reports its branches' errors too).
  const sorted = [...errors].sort((a, b) => depth(b.instancePath) - depth(a.instancePath));
  const e = sorted[0];
  if (e === undefined) return new RequestValidationError(`${dataVar} is invalid`, 400);
  const parts = e.instancePath.split('/').slice(1);
  const field = [dataVar, ...parts].join('/');
  const bad = (msg: string): RequestValidationError => new RequestValidationError(msg, 400);

  if (parts.length === 0) {
    // Ajv checks oneOf before type, so a non-object body shows up as a oneOf error.
    if (e.keyword === 'type' || typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) {
      return bad(`${dataVar} must be a JSON object with "observation" or "observations", got ${describeValue(e.data)}`);
    }
    if (e.keyword === 'additionalProperties') return requestErrors.unknownField(dataVar, String(e.params.additionalProperty), ACT_FIELDS);
    return bad(either);
  }
  const [top, i, j] = parts;
  if (top === 'deterministic' || top === 'probabilities') return requestErrors.notBoolean(field, e.data);
  // A row is `observation` itself, or `observations/i`; its elements are one level deeper.
  const rowLevel = top === 'observation' ? i === undefined : top === 'observations' && i !== undefined && j === undefined;
  const elementLevel = top === 'observation' ? i !== undefined : top === 'observations' && j !== undefined;
  if (rowLevel) return e.keyword === 'type' ? requestErrors.notRow(field, spec, e.data) : requestErrors.rowLength(field, spec, e.data);
  if (elementLevel) return requestErrors.notNumber(field, spec, e.data);
  if (top === 'observations') {
    if (e.keyword === 'maxItems') return requestErrors.tooManyRows(field, spec, e.data);
    if (e.keyword === 'minItems') return requestErrors.noRows(field, spec);
    return requestErrors.notRows(field, spec, e.data);
  }
  return bad(`${field}: ${e.message ?? 'is invalid'}`);
}

function depth(path: string): number {
  return path === '' ? 0 : path.split('/').length - 1;
}

function lengthOf(v: unknown): string {
  return Array.isArray(v) ? String(v.length) : describeValue(v);
}
