/**
 * Durable file writing (Node only), the one module every writer of the framework uses: policy
 * directories (`savePolicy`), the CLI's run files and checkpoints, the distributed learner's
 * checkpoints. It lives in `@rl/policy`'s Node entry because that is the lowest package that
 * writes files (`@rl/env` and `@rl/tf` do no file IO) and every other writer depends on it; the
 * browser entry does not export it.
 *
 * What "durable" means here: a file's bytes are fsynced before it is renamed into place, and
 * the directory holding a new or renamed entry is fsynced after, so after a crash or power loss
 * a reader sees the old file or the complete new one, never a torn one or a missing entry.
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** fsyncs a file or a directory by path (a directory: so an entry created or renamed in it is durable). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
}

/** Writes `data` to `path` (replacing it) and fsyncs the file. Not atomic on its own: see {@link writeFileAtomic}. */
export function writeFileSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames `from` to `to` (a file or a directory) and fsyncs the directory of `to`, so the new entry survives a crash. */
export function renameDurably(from: string, to: string): void {
  renameSync(from, to);
  fsyncPath(dirname(to));
}

/**
 * Replaces `path` atomically: writes a temporary file beside it, fsyncs it, renames it over
 * `path` and fsyncs the directory. A reader (or a crash) sees the old file or the new one,
 * never a torn one. Creates the parent directories.
 *
 * @example
 * writeFileAtomic('runs/x/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSynced(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncPath(dir);
}

/**
 * Appends one whole line with a single write (a killed process never leaves half a line behind
 * a complete one; a torn last line after a power loss is what readers must tolerate). With
 * `sync`, also fsyncs the file.
 */
export function appendLine(path: string, line: string, sync = false): void {
  const fd = openSync(path, 'a');
  try {
    writeAll(fd, line.endsWith('\n') ? line : `${line}\n`);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The temporary names the framework's writers use, `.<name>.<kind>-<pid>[-…]`: {@link writeFileAtomic}'s
 * `.<file>.tmp-<pid>`, `savePolicy`'s `.<dir>.tmp-<pid>-…` / `.link-` / `.old-`, `rl train`'s
 * `.<run>.staging-<pid>` / `.replaced-<pid>`.
 */
const TEMPORARY = /^\..+?\.(?:tmp|link|old|staging|replaced)-(\d+)(?:-.*)?$/;

/**
 * Whether `path` is a temporary file or directory (see {@link TEMPORARY}) left by a process that
 * is gone: not this process, no process of that pid alive here, untouched for `minAgeMs`.
 */
export function isStaleTemporary(path: string, minAgeMs = 0): boolean {
  const m = TEMPORARY.exec(basename(path));
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid || processAlive(pid)) return false;
  if (minAgeMs <= 0) return true;
  try {
    const st = lstatSync(path);
    return Date.now() - Math.max(st.mtimeMs, st.ctimeMs) >= minAgeMs;
  } catch {
    return false;
  }
}

/**
 * Removes the temporaries of killed processes in `dir` (see {@link isStaleTemporary}), only
 * those whose name starts with `prefix` when it is given. Returns the names removed.
 *
 * @example
 * removeStaleTemporaries('runs/x'); // ['.metrics.jsonl.tmp-4242', '.curve.svg.tmp-4242']
 */
export function removeStaleTemporaries(dir: string, opts: { readonly prefix?: string; readonly minAgeMs?: number } = {}): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    if (opts.prefix !== undefined && !name.startsWith(opts.prefix)) continue;
    const p = join(dir, name);
    if (!isStaleTemporary(p, opts.minAgeMs)) continue;
    rmSync(p, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
