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
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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
