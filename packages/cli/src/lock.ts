import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.js';

/** Name of the lock file in a run directory. */
export const LOCK_FILE = '.lock';

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Throws a {@link CliError} when a live process holds the run directory's lock. */
export function assertUnlocked(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return;
  let held: Partial<LockInfo> = {};
  try {
    held = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
  } catch {
    return;
  }
  if (typeof held.pid === 'number' && held.pid !== process.pid && held.host === hostname() && alive(held.pid)) {
    throw new CliError(`${dir}: in use by process ${held.pid} (rl ${held.command ?? '?'} since ${held.since ?? '?'}); stop it first (if that process is not rl, delete ${path})`);
  }
}

/**
 * Takes the run directory's lock (`.lock`: pid, host, command), so two `rl train`/`rl resume`
 * processes never write one run at once. A lock left by a killed process (its pid is gone) is
 * taken over. Returns the release function (also called on process exit).
 */
export function acquireRunLock(dir: string, command: string): () => void {
  const path = join(dir, LOCK_FILE);
  assertUnlocked(dir);
  rmSync(path, { force: true });
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${dir}: another rl process took the run's lock at the same moment (${path})`);
    throw err;
  }
  const info: LockInfo = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  writeSync(fd, `${JSON.stringify(info)}\n`);
  closeSync(fd);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      const now = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
      if (now.pid === process.pid) rmSync(path, { force: true });
    } catch {
      // already gone, or replaced by a run directory rename: nothing to release
    }
  };
  process.on('exit', release);
  return release;
}
