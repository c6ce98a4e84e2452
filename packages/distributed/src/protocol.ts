/**
 * The wire format: small binary messages (little-endian header + Float32 payload), never JSON
 * arrays. Every message starts with the same 16 bytes:
 *
 *     0  u32  magic 0x524c4458 ("RLDX")
 *     4  u16  format version (FORMAT_VERSION)
 *     6  u16  kind (Kind)
 *     8  u32  round (the learner's round counter)
 *    12  u32  weights version (updates applied to θ)
 *
 * then a kind-specific body. Decoders check magic, version, kind, every length and that the
 * numbers are finite, and throw a {@link ProtocolError} whose `reason` the learner counts.
 */

/** "RLDX". */
export const MAGIC = 0x524c4458;
/** Format version of every message; a message of another version is rejected (`version`). */
export const FORMAT_VERSION = 1;
const HEADER = 16;

/** Message kinds. */
export const Kind = { weights: 1, weightsRef: 2, stats: 3, global: 4, grad: 5, gradRef: 6 } as const;
export type KindName = keyof typeof Kind;

/** Why a message was rejected (each is a counter in the learner's metrics). */
export type RejectReason = 'garbage' | 'truncated' | 'version' | 'kind' | 'shape' | 'shard' | 'nonFinite';

/** A message that does not decode. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** Fields every message carries. */
export interface Envelope {
  readonly round: number;
  readonly version: number;
}

/** θ of one version (the learner's KV `weights` key, inline when small). */
export interface WeightsMsg extends Envelope {
  /** FNV-1a hash of the training config: actors refuse weights of another config. */
  readonly configHash: number;
  /** Training is over: actors exit. */
  readonly final: boolean;
  readonly weights: Float32Array[];
}

/** Where θ of one version is, when it is too big for a KV value (Object Store). */
export interface WeightsRefMsg extends Envelope {
  readonly configHash: number;
  readonly final: boolean;
  /** Object name in the run's Object Store bucket. */
  readonly object: string;
  readonly bytes: number;
}

/** Phase 1 of a round (actor → learner): the shard's return statistics. */
export interface StatsMsg extends Envelope {
  readonly shard: number;
  /** Actor instance id (process id): a change means a replacement rejoined. */
  readonly instance: number;
  /** Real samples (steps) of the shard's batch. */
  readonly samples: number;
  /** Σ R_t, Σ R_t², count over the real samples (for the global baseline / normalisation). */
  readonly retSum: number;
  readonly retSumSq: number;
  readonly retCount: number;
  /** Episodes finished in the batch and the sum / min / max of their returns and sum of lengths. */
  readonly episodes: number;
  readonly epReturnSum: number;
  readonly epReturnMin: number;
  readonly epReturnMax: number;
  readonly epLengthSum: number;
}

/** Learner → actors: the global statistics of the round and which shards it includes. */
export interface GlobalMsg extends Envelope {
  /** Baseline b subtracted from every R_t. */
  readonly baseline: number;
  /** Mean and std (n − 1) of the returns over every included shard (normalisation). */
  readonly mean: number;
  readonly std: number;
  readonly count: number;
  /** Shards whose gradients the round will average. */
  readonly shards: number[];
}

/** Phase 2 (actor → learner): the shard's ∇θJ (its own 1/N_shard normalisation). */
export interface GradMsg extends Envelope {
  readonly shard: number;
  readonly instance: number;
  readonly samples: number;
  /** Number of envs N of the shard (the 1/N of its estimate). */
  readonly numEnvs: number;
  readonly loss: number;
  readonly entropy: number;
  readonly grads: Float32Array[];
}

function header(buf: DataView, kind: number, e: Envelope): void {
  buf.setUint32(0, MAGIC, true);
  buf.setUint16(4, FORMAT_VERSION, true);
  buf.setUint16(6, kind, true);
  buf.setUint32(8, e.round >>> 0, true);
  buf.setUint32(12, e.version >>> 0, true);
}

/** Checks the common header; returns the kind, round and version. */
export function peek(bytes: Uint8Array): { kind: number; round: number; version: number } {
  if (bytes.byteLength < 4) throw new ProtocolError('truncated', `message of ${bytes.byteLength} bytes is shorter than the magic`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new ProtocolError('garbage', `bad magic 0x${dv.getUint32(0, true).toString(16)} (expected 0x${MAGIC.toString(16)})`);
  if (bytes.byteLength < HEADER) throw new ProtocolError('truncated', `message of ${bytes.byteLength} bytes is shorter than the ${HEADER}-byte header`);
  const v = dv.getUint16(4, true);
  if (v !== FORMAT_VERSION) throw new ProtocolError('version', `format version ${v}, this build reads ${FORMAT_VERSION}`);
  return { kind: dv.getUint16(6, true), round: dv.getUint32(8, true), version: dv.getUint32(12, true) };
}

function expectKind(bytes: Uint8Array, kind: number, name: string): DataView {
  const p = peek(bytes);
  if (p.kind !== kind) throw new ProtocolError('kind', `expected a ${name} message (kind ${kind}), got kind ${p.kind}`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function need(dv: DataView, n: number, what: string): void {
  if (dv.byteLength < n) throw new ProtocolError('truncated', `${what}: ${dv.byteLength} bytes, needs ${n}`);
}

function finite(what: string, ...xs: number[]): void {
  for (const x of xs) if (!Number.isFinite(x)) throw new ProtocolError('nonFinite', `${what}: non-finite value ${x}`);
}

// Arrays section: u32 count, u32 size each, pad to 4, then the float32 data.
function arraysBytes(arrays: readonly Float32Array[]): number {
  const head = 4 + 4 * arrays.length;
  return head + ((4 - (head % 4)) % 4) + arrays.reduce((s, a) => s + a.byteLength, 0);
}

function writeArrays(bytes: Uint8Array, at: number, arrays: readonly Float32Array[]): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  dv.setUint32(at, arrays.length, true);
  arrays.forEach((a, i) => dv.setUint32(at + 4 + 4 * i, a.length, true));
  let off = at + 4 + 4 * arrays.length;
  off += (4 - (off % 4)) % 4;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
}

function readArrays(bytes: Uint8Array, at: number, what: string, sizes?: readonly number[]): Float32Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  need(dv, at + 4, what);
  const n = dv.getUint32(at, true);
  if (sizes && n !== sizes.length) throw new ProtocolError('shape', `${what}: ${n} arrays, expected ${sizes.length}`);
  if (n > 65536) throw new ProtocolError('garbage', `${what}: ${n} arrays`);
  need(dv, at + 4 + 4 * n, what);
  const lens: number[] = [];
  for (let i = 0; i < n; i++) lens.push(dv.getUint32(at + 4 + 4 * i, true));
  if (sizes) lens.forEach((l, i) => {
    if (l !== sizes[i]) throw new ProtocolError('shape', `${what}: array ${i} has ${l} values, expected ${sizes[i]}`);
  });
  let off = at + 4 + 4 * n;
  off += (4 - (off % 4)) % 4;
  const total = lens.reduce((s, l) => s + l, 0);
  if (bytes.byteLength !== off + 4 * total) {
    throw new ProtocolError(bytes.byteLength < off + 4 * total ? 'truncated' : 'garbage', `${what}: ${bytes.byteLength} bytes, sizes [${lens.join(', ')}] need ${off + 4 * total}`);
  }
  // copy into aligned arrays (the NATS payload may sit at any offset)
  const out: Float32Array[] = [];
  for (const l of lens) {
    const a = new Float32Array(l);
    new Uint8Array(a.buffer).set(bytes.subarray(off, off + 4 * l));
    for (let i = 0; i < l; i++) if (!Number.isFinite(a[i]!)) throw new ProtocolError('nonFinite', `${what}: array ${out.length} value ${i} is ${a[i]}`);
    out.push(a);
    off += 4 * l;
  }
  return out;
}

/** Weights: header, u32 configHash, u32 flags (bit 0 final), arrays. */
export function encodeWeights(m: WeightsMsg): Uint8Array {
  const bytes = new Uint8Array(HEADER + 8 + arraysBytes(m.weights));
  const dv = new DataView(bytes.buffer);
  header(dv, Kind.weights, m);
  dv.setUint32(HEADER, m.configHash >>> 0, true);
  dv.setUint32(HEADER + 4, m.final ? 1 : 0, true);
  writeArrays(bytes, HEADER + 8, m.weights);
  return bytes;
}

/** Decodes {@link encodeWeights}; `sizes` (values per array) checks the shapes. */
export function decodeWeights(bytes: Uint8Array, sizes?: readonly number[]): WeightsMsg {
  const dv = expectKind(bytes, Kind.weights, 'weights');
  need(dv, HEADER + 8, 'weights');
  return {
    round: dv.getUint32(8, true),
    version: dv.getUint32(12, true),
    configHash: dv.getUint32(HEADER, true),
    final: (dv.getUint32(HEADER + 4, true) & 1) === 1,
    weights: readArrays(bytes, HEADER + 8, 'weights', sizes),
  };
}

/** Weights reference: header, u32 configHash, u32 flags, f64 bytes, u32 name length, utf-8 name. */
export function encodeWeightsRef(m: WeightsRefMsg): Uint8Array {
  const name = new TextEncoder().encode(m.object);
  const bytes = new Uint8Array(HEADER + 20 + name.length);
  const dv = new DataView(bytes.buffer);
  header(dv, Kind.weightsRef, m);
  dv.setUint32(HEADER, m.configHash >>> 0, true);
  dv.setUint32(HEADER + 4, m.final ? 1 : 0, true);
  dv.setFloat64(HEADER + 8, m.bytes, true);
  dv.setUint32(HEADER + 16, name.length, true);
  bytes.set(name, HEADER + 20);
  return bytes;
}

/** Decodes {@link encodeWeightsRef}. */
export function decodeWeightsRef(bytes: Uint8Array): WeightsRefMsg {
  const dv = expectKind(bytes, Kind.weightsRef, 'weights reference');
  need(dv, HEADER + 20, 'weights reference');
  const len = dv.getUint32(HEADER + 16, true);
  if (bytes.byteLength !== HEADER + 20 + len) throw new ProtocolError('truncated', `weights reference: ${bytes.byteLength} bytes, name needs ${HEADER + 20 + len}`);
  return {
    round: dv.getUint32(8, true),
    version: dv.getUint32(12, true),
    configHash: dv.getUint32(HEADER, true),
    final: (dv.getUint32(HEADER + 4, true) & 1) === 1,
    bytes: dv.getFloat64(HEADER + 8, true),
    object: new TextDecoder().decode(bytes.subarray(HEADER + 20)),
  };
}

const STATS_BYTES = HEADER + 4 * 3 + 8 * 8;

/** Stats: header, u32 shard, u32 instance, u32 samples, f64 × 8. */
export function encodeStats(m: StatsMsg): Uint8Array {
  const bytes = new Uint8Array(STATS_BYTES);
  const dv = new DataView(bytes.buffer);
  header(dv, Kind.stats, m);
  dv.setUint32(HEADER, m.shard, true);
  dv.setUint32(HEADER + 4, m.instance >>> 0, true);
  dv.setUint32(HEADER + 8, m.samples, true);
  [m.retSum, m.retSumSq, m.retCount, m.episodes, m.epReturnSum, m.epReturnMin, m.epReturnMax, m.epLengthSum].forEach((x, i) => dv.setFloat64(HEADER + 12 + 8 * i, x, true));
  return bytes;
}

/** Decodes {@link encodeStats}. */
export function decodeStats(bytes: Uint8Array): StatsMsg {
  const dv = expectKind(bytes, Kind.stats, 'stats');
  if (dv.byteLength !== STATS_BYTES) throw new ProtocolError(dv.byteLength < STATS_BYTES ? 'truncated' : 'garbage', `stats: ${dv.byteLength} bytes, expected ${STATS_BYTES}`);
  const f = (i: number) => dv.getFloat64(HEADER + 12 + 8 * i, true);
  const m: StatsMsg = {
    round: dv.getUint32(8, true),
    version: dv.getUint32(12, true),
    shard: dv.getUint32(HEADER, true),
    instance: dv.getUint32(HEADER + 4, true),
    samples: dv.getUint32(HEADER + 8, true),
    retSum: f(0),
    retSumSq: f(1),
    retCount: f(2),
    episodes: f(3),
    epReturnSum: f(4),
    epReturnMin: f(5),
    epReturnMax: f(6),
    epLengthSum: f(7),
  };
  finite('stats', m.retSum, m.retSumSq, m.retCount, m.episodes, m.epReturnSum, m.epLengthSum);
  return m;
}

/** Global: header, f64 baseline, mean, std, count, u32 number of shards, u32 each. */
export function encodeGlobal(m: GlobalMsg): Uint8Array {
  const bytes = new Uint8Array(HEADER + 32 + 4 + 4 * m.shards.length);
  const dv = new DataView(bytes.buffer);
  header(dv, Kind.global, m);
  [m.baseline, m.mean, m.std, m.count].forEach((x, i) => dv.setFloat64(HEADER + 8 * i, x, true));
  dv.setUint32(HEADER + 32, m.shards.length, true);
  m.shards.forEach((s, i) => dv.setUint32(HEADER + 36 + 4 * i, s, true));
  return bytes;
}

/** Decodes {@link encodeGlobal}. */
export function decodeGlobal(bytes: Uint8Array): GlobalMsg {
  const dv = expectKind(bytes, Kind.global, 'global');
  need(dv, HEADER + 36, 'global');
  const n = dv.getUint32(HEADER + 32, true);
  if (dv.byteLength !== HEADER + 36 + 4 * n) throw new ProtocolError('truncated', `global: ${dv.byteLength} bytes for ${n} shards`);
  const shards: number[] = [];
  for (let i = 0; i < n; i++) shards.push(dv.getUint32(HEADER + 36 + 4 * i, true));
  const [baseline, mean, std, count] = [0, 1, 2, 3].map((i) => dv.getFloat64(HEADER + 8 * i, true)) as [number, number, number, number];
  finite('global', baseline, mean, std, count);
  return { round: dv.getUint32(8, true), version: dv.getUint32(12, true), baseline, mean, std, count, shards };
}

/** Gradient: header, u32 shard, u32 instance, u32 samples, u32 numEnvs, f64 loss, f64 entropy, arrays. */
export function encodeGrad(m: GradMsg): Uint8Array {
  const bytes = new Uint8Array(HEADER + 32 + arraysBytes(m.grads));
  const dv = new DataView(bytes.buffer);
  header(dv, Kind.grad, m);
  dv.setUint32(HEADER, m.shard, true);
  dv.setUint32(HEADER + 4, m.instance >>> 0, true);
  dv.setUint32(HEADER + 8, m.samples, true);
  dv.setUint32(HEADER + 12, m.numEnvs, true);
  dv.setFloat64(HEADER + 16, m.loss, true);
  dv.setFloat64(HEADER + 24, m.entropy, true);
  writeArrays(bytes, HEADER + 32, m.grads);
  return bytes;
}

/** Decodes {@link encodeGrad}; `sizes` (values per variable) checks the shapes. */
export function decodeGrad(bytes: Uint8Array, sizes?: readonly number[]): GradMsg {
  const dv = expectKind(bytes, Kind.grad, 'gradient');
  need(dv, HEADER + 32, 'gradient');
  const m = {
    round: dv.getUint32(8, true),
    version: dv.getUint32(12, true),
    shard: dv.getUint32(HEADER, true),
    instance: dv.getUint32(HEADER + 4, true),
    samples: dv.getUint32(HEADER + 8, true),
    numEnvs: dv.getUint32(HEADER + 12, true),
    loss: dv.getFloat64(HEADER + 16, true),
    entropy: dv.getFloat64(HEADER + 24, true),
  };
  finite('gradient', m.loss, m.entropy);
  return { ...m, grads: readArrays(bytes, HEADER + 32, `gradient of shard ${m.shard}`, sizes) };
}

/** Where a gradient too big for one NATS message is (Object Store), published on the gradients subject. */
export interface GradRefMsg extends Envelope {
  readonly shard: number;
  /** Object name in the run's gradients bucket. */
  readonly object: string;
  readonly bytes: number;
}

/** Gradient reference: header, u32 shard, f64 bytes, u32 name length, utf-8 name. */
export function encodeGradRef(m: GradRefMsg): Uint8Array {
  const name = new TextEncoder().encode(m.object);
  const bytes = new Uint8Array(HEADER + 16 + name.length);
  const dv = new DataView(bytes.buffer);
  header(dv, Kind.gradRef, m);
  dv.setUint32(HEADER, m.shard, true);
  dv.setFloat64(HEADER + 4, m.bytes, true);
  dv.setUint32(HEADER + 12, name.length, true);
  bytes.set(name, HEADER + 16);
  return bytes;
}

/** Decodes {@link encodeGradRef}. */
export function decodeGradRef(bytes: Uint8Array): GradRefMsg {
  const dv = expectKind(bytes, Kind.gradRef, 'gradient reference');
  need(dv, HEADER + 16, 'gradient reference');
  const len = dv.getUint32(HEADER + 12, true);
  if (bytes.byteLength !== HEADER + 16 + len) throw new ProtocolError('truncated', `gradient reference: ${bytes.byteLength} bytes, name needs ${HEADER + 16 + len}`);
  return { round: dv.getUint32(8, true), version: dv.getUint32(12, true), shard: dv.getUint32(HEADER, true), bytes: dv.getFloat64(HEADER + 4, true), object: new TextDecoder().decode(bytes.subarray(HEADER + 16)) };
}

/** FNV-1a (32 bit) of a string: the config fingerprint carried with the weights. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
