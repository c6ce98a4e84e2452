/**
 * Crash-safe checkpoints (Node only): the one checkpoint format of the framework, written by
 * `rl train` / `rl resume` (a trainer's state) and by `@rl/distributed`'s learner (its round
 * state). A checkpoint is a directory `ckpt-<iteration>` holding `checkpoint.json` (format,
 * counters, the state as JSON with references) and `state.bin` (every typed array of the state,
 * sha256-checked; see `state_codec.ts`). The payload is any plain-data record, so a driver can
 * store more records beside the trainer's state.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncPath, renameDurably, writeFileSynced } from '@rl/policy/durable';
import { decodeState, encodeState } from './state_codec.js';

export { decodeState, encodeState, type EncodedState } from './state_codec.js';

/** A checkpoint that is missing, corrupt or of another format; the message names the file. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** Counters saved beside the trainer's state in every checkpoint. */
export interface CheckpointMeta {
  /** Iterations completed (metrics.jsonl holds exactly this many lines at this checkpoint). */
  readonly iteration: number;
  /** Env steps taken. */
  readonly envSteps: number;
  /** Seconds of training so far. */
  readonly wallSeconds: number;
}

/** A checkpoint read back from disk. */
export interface Checkpoint<S = unknown> extends CheckpointMeta {
  /** Directory of the checkpoint. */
  readonly dir: string;
  /** The state as it was written (e.g. a trainer's `getState()`). */
  readonly state: S;
}

const FORMAT = 'rl-checkpoint';
const VERSION = 1;
const NAME = /^ckpt-(\d{8})$/;

/** Directory name of the checkpoint at an iteration (`ckpt-00000012`). */
export function checkpointName(iteration: number): string {
  return `ckpt-${String(iteration).padStart(8, '0')}`;
}

/** Complete checkpoints in `dir`, oldest first (temporary directories are not listed). */
export function listCheckpoints(dir: string): { readonly iteration: number; readonly dir: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ iteration: Number(x.m[1]), dir: join(dir, x.name) }))
    .sort((a, b) => a.iteration - b.iteration);
}

/** Removes temporary directories left by a checkpoint write that was killed. */
export function removeTempCheckpoints(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith('.tmp-')) rmSync(join(dir, name), { recursive: true, force: true });
}

/**
 * Writes a checkpoint atomically: into `checkpoints/.tmp-…`, each file fsynced, the temporary
 * directory fsynced, renamed to `ckpt-<iteration>`, the parent fsynced. A crash at any point
 * leaves either the complete checkpoint or none. Then deletes all but the newest `keep`.
 */
export function writeCheckpoint(dir: string, meta: CheckpointMeta, state: unknown, keep: number): string {
  mkdirSync(dir, { recursive: true });
  const final = join(dir, checkpointName(meta.iteration));
  if (existsSync(final)) return final;
  const enc = encodeState(state);
  const tmp = join(dir, `.tmp-${checkpointName(meta.iteration)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileSynced(join(tmp, 'state.bin'), enc.blob);
  const doc = { format: FORMAT, version: VERSION, ...meta, createdAt: new Date().toISOString(), blobBytes: enc.blob.byteLength, blobSha256: enc.sha256, state: enc.json };
  writeFileSynced(join(tmp, 'checkpoint.json'), JSON.stringify(doc));
  fsyncPath(tmp);
  renameDurably(tmp, final);
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    // rename first (atomic), then delete: a crash mid-delete leaves a .tmp- directory, never a half checkpoint
    const doomed = join(dir, `.tmp-delete-${basename(old.dir)}-${process.pid}`);
    renameSync(old.dir, doomed);
    rmSync(doomed, { recursive: true, force: true });
  }
  return final;
}

/** Reads one checkpoint directory; throws a {@link CheckpointError} naming the file that is missing or corrupt. */
export function readCheckpoint(ckptDir: string): Checkpoint {
  const jsonPath = join(ckptDir, 'checkpoint.json');
  const binPath = join(ckptDir, 'state.bin');
  for (const p of [jsonPath, binPath]) if (!existsSync(p)) throw new CheckpointError(`${p}: file missing from checkpoint`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  if (doc.format !== FORMAT || doc.version !== VERSION) {
    throw new CheckpointError(`${jsonPath}: not an rl checkpoint (format ${JSON.stringify(doc.format)} version ${JSON.stringify(doc.version)}; expected ${FORMAT} ${VERSION})`);
  }
  for (const k of ['iteration', 'envSteps', 'wallSeconds', 'blobBytes'] as const) {
    if (typeof doc[k] !== 'number' || !Number.isFinite(doc[k]) || (doc[k] as number) < 0) {
      throw new CheckpointError(`${jsonPath}: field "${k}" must be a non-negative number, got ${JSON.stringify(doc[k])}`);
    }
  }
  const blob = new Uint8Array(readFileSync(binPath));
  if (blob.byteLength !== doc.blobBytes) throw new CheckpointError(`${binPath}: ${blob.byteLength} bytes, expected ${String(doc.blobBytes)} (truncated or corrupt)`);
  let state: unknown;
  try {
    state = decodeState(doc.state, blob, String(doc.blobSha256));
  } catch (err) {
    throw new CheckpointError(`${binPath}: corrupt checkpoint data (${(err as Error).message})`);
  }
  return { dir: ckptDir, iteration: doc.iteration as number, envSteps: doc.envSteps as number, wallSeconds: doc.wallSeconds as number, state };
}

/** The newest complete checkpoint in `dir`; throws a {@link CheckpointError} when there is none. */
export function readLatestCheckpoint(dir: string): Checkpoint {
  const all = listCheckpoints(dir);
  const last = all[all.length - 1];
  if (!last) throw new CheckpointError(`${dir}: no checkpoint found (expected a ckpt-NNNNNNNN directory)`);
  return readCheckpoint(last.dir);
}

/** What {@link readNewestIntactCheckpoint} found: the checkpoint, and the newer ones that failed to read (newest first) with why. */
export interface IntactCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly skipped: readonly { readonly dir: string; readonly error: CheckpointError }[];
}

/**
 * The newest checkpoint in `dir` that reads back whole (every file present, sha256 of the state
 * as recorded), and the newer ones that do not. Throws a {@link CheckpointError} naming each
 * checkpoint and its fault when none is intact, or there is none.
 *
 * @example
 * const { checkpoint, skipped } = readNewestIntactCheckpoint('runs/x/checkpoints');
 */
export function readNewestIntactCheckpoint(dir: string): IntactCheckpoint {
  const all = listCheckpoints(dir).reverse();
  if (all.length === 0) throw new CheckpointError(`${dir}: no checkpoint found (expected a ckpt-NNNNNNNN directory)`);
  const skipped: { dir: string; error: CheckpointError }[] = [];
  for (const c of all) {
    try {
      return { checkpoint: readCheckpoint(c.dir), skipped };
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      skipped.push({ dir: c.dir, error: err });
    }
  }
  throw new CheckpointError(`${dir}: no intact checkpoint (${skipped.map((s) => s.error.message).join('; ')})`);
}

/**
 * Moves a bad checkpoint out of the way without deleting it: `ckpt-N` → `.bad-ckpt-N`
 * (`.bad-ckpt-N-2`, … when taken), a name no listing counts and no pruning removes, so the next
 * checkpoint at that iteration can be written. Returns the new path.
 */
export function moveAsideCheckpoint(ckptDir: string): string {
  const parent = dirname(ckptDir);
  const base = `.bad-${basename(ckptDir)}`;
  let to = join(parent, base);
  for (let k = 2; existsSync(to); k++) to = join(parent, `${base}-${k}`);
  renameDurably(ckptDir, to);
  return to;
}
