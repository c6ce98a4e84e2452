/**
 * The learner's checkpoint: one file written atomically (temp file, fsync, rename), so a
 * learner killed mid-write leaves the previous checkpoint intact.
 *
 *     0  "RLCK"  u32 JSON length  JSON meta  pad to 4  float32 arrays (sizes in meta)
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OptimizerState } from '@rl/trainer';

const MAGIC = 0x4b434c52; // "RLCK" little-endian
/** File name inside the checkpoint directory. */
export const CHECKPOINT_FILE = 'checkpoint.bin';

/** Everything the learner needs to resume. */
export interface LearnerCheckpoint {
  /** sharedConfigKey of the run (a resume with another config is refused). */
  readonly configKey: string;
  /** Weights version (updates applied). */
  readonly version: number;
  /** Next round number. */
  readonly round: number;
  readonly envSteps: number;
  readonly episodes: number;
  readonly ema: number | undefined;
  readonly recentReturns: number[];
  readonly weights: Float32Array[];
  readonly optimizer: OptimizerState;
}

/** Writes `dir/checkpoint.bin` atomically. */
export function saveCheckpoint(dir: string, c: LearnerCheckpoint): string {
  mkdirSync(dir, { recursive: true });
  const arrays = [...c.weights, ...c.optimizer.m, ...c.optimizer.v];
  const meta = {
    format: 'rl-distributed-checkpoint',
    formatVersion: 1,
    configKey: c.configKey,
    version: c.version,
    round: c.round,
    envSteps: c.envSteps,
    episodes: c.episodes,
    ema: c.ema ?? null,
    recentReturns: c.recentReturns,
    optimizer: { kind: c.optimizer.kind, step: c.optimizer.step, lr: c.optimizer.lr },
    sizes: { weights: c.weights.map((a) => a.length), m: c.optimizer.m.map((a) => a.length), v: c.optimizer.v.map((a) => a.length) },
  };
  const json = new TextEncoder().encode(JSON.stringify(meta));
  let off = 8 + json.length;
  off += (4 - (off % 4)) % 4;
  const bytes = new Uint8Array(off + arrays.reduce((s, a) => s + a.byteLength, 0));
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, json.length, true);
  bytes.set(json, 8);
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  const path = join(dir, CHECKPOINT_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}

/** Reads `dir/checkpoint.bin`; undefined when there is none; throws naming the file when it is damaged. */
export function loadCheckpoint(dir: string): LearnerCheckpoint | undefined {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return undefined;
  const buf = readFileSync(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${path} is damaged: ${why}`);
  };
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) fail('bad magic');
  const len = dv.getUint32(4, true);
  if (8 + len > bytes.byteLength) fail('truncated metadata');
  let meta: {
    format: string;
    formatVersion: number;
    configKey: string;
    version: number;
    round: number;
    envSteps: number;
    episodes: number;
    ema: number | null;
    recentReturns: number[];
    optimizer: { kind: 'adam' | 'sgd'; step: number; lr: number };
    sizes: { weights: number[]; m: number[]; v: number[] };
  };
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch (e) {
    return fail(`metadata is not JSON (${(e as Error).message})`);
  }
  if (meta.format !== 'rl-distributed-checkpoint' || meta.formatVersion !== 1) fail(`format ${meta.format} v${meta.formatVersion}`);
  let off = 8 + len;
  off += (4 - (off % 4)) % 4;
  const take = (sizes: number[]): Float32Array[] =>
    sizes.map((n) => {
      if (off + 4 * n > bytes.byteLength) fail(`truncated arrays (need ${off + 4 * n} bytes, have ${bytes.byteLength})`);
      const a = new Float32Array(n);
      new Uint8Array(a.buffer).set(bytes.subarray(off, off + 4 * n));
      off += 4 * n;
      return a;
    });
  const weights = take(meta.sizes.weights);
  const m = take(meta.sizes.m);
  const v = take(meta.sizes.v);
  return {
    configKey: meta.configKey,
    version: meta.version,
    round: meta.round,
    envSteps: meta.envSteps,
    episodes: meta.episodes,
    ema: meta.ema ?? undefined,
    recentReturns: meta.recentReturns,
    weights,
    optimizer: { ...meta.optimizer, m, v },
  };
}
