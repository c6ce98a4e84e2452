import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** fsyncs a file or directory by path (directories: so a rename or new entry is durable). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` and fsyncs it (not atomic on its own; see {@link writeFileAtomic}). */
export function writeFileSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` atomically: writes a temporary file beside it, fsyncs it, renames it over
 * `path` and fsyncs the directory. A reader (or a crash) sees the old file or the new one,
 * never a torn one.
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
 * `sync`, also fsyncs it.
 */
export function appendLine(path: string, line: string, sync = false): void {
  const fd = openSync(path, 'a');
  try {
    const buf = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
    let off = 0;
    while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
