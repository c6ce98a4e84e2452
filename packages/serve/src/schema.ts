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
export const ACT_FIELDS = ['observation', 'observations', 'deterministic'] as const;

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
    },
    oneOf: [{ required: ['observation'] }, { required: ['observations'] }],
  };
}

/** JSON schemas of the `POST /act` responses (fast serialisation). */
export function actResponseSchema(spec: ActSchemaSpec): Record<string, unknown> {
  const action = spec.actionSpace.type === 'Discrete' ? { type: 'integer' } : { type: 'array', items: { type: 'number' } };
  return {
    type: 'object',
    properties: { action, actions: { type: 'array', items: action } },
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
 * Turns Ajv's errors for one request body into a {@link RequestValidationError} whose message
 * names the field (`body/observations/3/1`), what it must be, and what was received.
 */
export function formatActErrors(errors: readonly SchemaError[], spec: ActSchemaSpec, dataVar = 'body'): RequestValidationError {
  const shape = obsLabel(spec);
  const n = spec.obsSize;
  const either =
    `${dataVar} must have exactly one of "observation" (${n} numbers) or "observations" ` +
    `(1 to ${spec.maxRequestBatch} arrays of ${n} numbers) (${shape})`;
  // Prefer the deepest error: it is the most specific (oneOf reports its branches' errors too).
  const sorted = [...errors].sort((a, b) => depth(b.instancePath) - depth(a.instancePath));
  const e = sorted[0];
  if (e === undefined) return new RequestValidationError(`${dataVar} is invalid`, 400);
  const parts = e.instancePath.split('/').slice(1);
  const field = [dataVar, ...parts].join('/');
  const got = `got ${describeValue(e.data)}`;
  const bad = (msg: string, status = 400): RequestValidationError => new RequestValidationError(msg, status);

  if (parts.length === 0) {
    // Ajv checks oneOf before type, so a non-object body shows up as a oneOf error.
    if (e.keyword === 'type' || typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) return bad(`${dataVar} must be a JSON object with "observation" or "observations", ${got}`);
    if (e.keyword === 'additionalProperties') {
      const extra = String(e.params.additionalProperty);
      return bad(`${dataVar} has an unknown field ${JSON.stringify(extra)}; allowed fields: ${ACT_FIELDS.join(', ')}`);
    }
    return bad(either);
  }
  const [top, i, j] = parts;
  if (top === 'deterministic') return bad(`${field} must be true or false, ${got}`);
  if (top === 'observation') {
    if (i === undefined) {
      if (e.keyword === 'type') return bad(`${field} must be an array of ${n} numbers (${shape}), ${got}`);
      return bad(`${field} must have ${n} numbers (${shape}), got ${lengthOf(e.data)}`);
    }
    return bad(`${field} must be a finite float32 number (${shape}), ${got}`);
  }
  if (top === 'observations') {
    if (i === undefined) {
      if (e.keyword === 'maxItems') {
        return bad(`${field} holds ${lengthOf(e.data)} observations; at most ${spec.maxRequestBatch} are allowed per request`, 413);
      }
      if (e.keyword === 'minItems') return bad(`${field} must hold at least 1 observation of ${n} numbers (${shape}), got an empty array`);
      return bad(`${field} must be an array of observations, each an array of ${n} numbers (${shape}), ${got}`);
    }
    if (j === undefined) {
      if (e.keyword === 'type') return bad(`${field} must be an array of ${n} numbers (${shape}), ${got}`);
      return bad(`${field} must have ${n} numbers (${shape}), got ${lengthOf(e.data)}`);
    }
    return bad(`${field} must be a finite float32 number (${shape}), ${got}`);
  }
  return bad(`${field}: ${e.message ?? 'is invalid'}`);
}

function depth(path: string): number {
  return path === '' ? 0 : path.split('/').length - 1;
}

function lengthOf(v: unknown): string {
  return Array.isArray(v) ? String(v.length) : describeValue(v);
}
