/**
 * The lossless encoding of a state (Node only): plain JSON with every typed array moved into one
 * sha256-checked binary blob. What `checkpoint.ts` writes into a checkpoint directory.
 */
import { createHash } from 'node:crypto';

/** Typed arrays a checkpoint can hold, by constructor name. */
const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

/** A state split into JSON (with references) and one binary blob holding every typed array. */
export interface EncodedState {
  /** JSON-safe value: typed arrays replaced by `{ $typed, offset, length }`, non-finite numbers by `{ $num }`. */
  readonly json: unknown;
  /** The bytes of every typed array, each 8-byte aligned. */
  readonly blob: Uint8Array;
  /** sha256 of `blob`, hex. */
  readonly sha256: string;
}

function typedName(v: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return undefined;
  const name = v.constructor.name as TypedName;
  return name in TYPED ? name : undefined;
}

/**
 * Encodes an arbitrary state (plain objects, arrays, numbers, strings, booleans, null and
 * typed arrays, e.g. a trainer's `getState()`) losslessly: float64 values, NaN and ±Infinity
 * survive bit for bit. Throws a TypeError naming the path of anything else (functions,
 * class instances such as tensors), so a checkpoint never silently drops state.
 */
export function encodeState(state: unknown): EncodedState {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (v === undefined) return { $undefined: true };
    const tn = typedName(v);
    if (tn) {
      const t = v as Typed;
      const pad = (8 - (size % 8)) % 8;
      if (pad) {
        chunks.push(new Uint8Array(pad));
        size += pad;
      }
      const bytes = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      chunks.push(bytes.slice());
      const ref = { $typed: tn, offset: size, length: t.length };
      size += t.byteLength;
      return ref;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`checkpoint state: ${path} is a ${proto?.constructor?.name ?? 'non-plain object'}; only plain objects, arrays, numbers, strings, booleans and typed arrays can be saved`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${path}.${k}`);
      return out;
    }
    throw new TypeError(`checkpoint state: ${path} is a ${typeof v}, which cannot be saved`);
  };
  const json = walk(state, 'state');
  const blob = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    blob.set(c, off);
    off += c.byteLength;
  }
  return { json, blob, sha256: createHash('sha256').update(blob).digest('hex') };
}

/**
 * Inverse of {@link encodeState}. Throws an Error (the caller adds the file name) when the
 * blob's hash differs or a reference points outside it.
 */
export function decodeState(json: unknown, blob: Uint8Array, sha256: string): unknown {
  const got = createHash('sha256').update(blob).digest('hex');
  if (got !== sha256) throw new Error(`sha256 mismatch (expected ${sha256}, got ${got})`);
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    const o = v as Record<string, unknown>;
    if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
    if (o.$undefined === true && Object.keys(o).length === 1) return undefined;
    if (typeof o.$typed === 'string' && typeof o.offset === 'number' && typeof o.length === 'number') {
      const Ctor = TYPED[o.$typed as TypedName];
      if (!Ctor) throw new Error(`${path}: unknown typed array ${o.$typed}`);
      const bytes = o.length * Ctor.BYTES_PER_ELEMENT;
      if (o.offset < 0 || o.offset + bytes > blob.byteLength) {
        throw new Error(`${path}: ${o.$typed} of ${o.length} at byte ${o.offset} lies outside the ${blob.byteLength}-byte blob`);
      }
      const copy = blob.slice(o.offset, o.offset + bytes);
      return new Ctor(copy.buffer, 0, o.length);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x, `${path}.${k}`);
    return out;
  };
  return walk(json, 'state');
}
