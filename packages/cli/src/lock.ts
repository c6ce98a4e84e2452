/**
 * One lock per run directory: `rl train --out D` and `rl resume D` hold it from before anything
 * is written (before the slow backend start-up) until they exit, so two processes never write
 * one run, and `--force` never replaces a run a live process holds.
 *
 * The lock is the file `.<name>.lock` beside the run directory `<name>` (beside, not inside: a
 * new run is assembled elsewhere and renamed into place, and `--force` renames the old one
 * away, while the lock stays put). It holds the holder's pid, host, command, start time and a
 * random token.
 * - Taking it is atomic: the record is written whole into a temporary file, then link(2)ed to
 *   the lock's name, which fails if the name exists. Exactly one of any number of contenders wins.
 * - A lock whose holder is gone (same host, pid not alive) is taken over atomically: a contender
 *   first creates `.<name>.lock.break-<token of the stale lock>` exclusively — one contender per
 *   stale lock can — re-reads the lock, and only if it still holds that token renames its own
 *   record over it (rename(2): the name is never absent, so no plain link can slip in). The others
 *   back off and find the new holder alive.
 * - A holder re-checks that the lock still holds its token before every step that replaces
 *   files (`assertHeld`), and stops without writing if it does not.
 * - A lock held on another host (a run directory on a shared file system) is never taken over;
 *   the message says how to remove it.
 *
 * Test hook (read only here): `RL_TEST_LOCK_DELAY=<step>=<ms>[,<step>=<ms>…]` makes a contender
 * sleep `ms` after a step of taking the lock — `read` (it has read the lock and judged it),
 * `claim` (it holds the break claim of a stale lock), `written` (its record is written, not yet
 * linked) — so a test can interleave two contenders at those points. Never set it outside tests.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncPath, processAlive, writeFileSynced } from '@rl/policy/durable';
import { CliError } from './errors.js';

/** What the lock file holds. */
interface LockRecord {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  readonly token: string;
}

/** A held run-directory lock. */
export interface RunLock {
  /** The lock file. */
  readonly path: string;
  /** Throws a {@link CliError} unless this process still holds the lock (call before replacing files of the run). */
  assertHeld(): void;
  /** Releases the lock (also done on process exit); safe to call twice. */
  release(): void;
}

/** Where the lock of run directory `dir` lives: `.<name>.lock` beside it (the real parent directory, so two spellings of one path share one lock). */
export function lockPathOf(dir: string): string {
  const abs = resolve(dir);
  let parent = dirname(abs);
  try {
    parent = realpathSync(parent);
  } catch {
    // the parent does not exist yet: the lock creates it
  }
  return join(parent, `.${basename(abs)}.lock`);
}

function delay(step: 'read' | 'claim' | 'written'): void {
  const hook = process.env.RL_TEST_LOCK_DELAY;
  if (!hook) return;
  const ms = Number(hook.split(',').map((kv) => kv.split('=')).find(([k]) => k === step)?.[1] ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readRecord(path: string): LockRecord | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    if (typeof r.pid !== 'number' || typeof r.host !== 'string') return 'unreadable';
    // a lock of an older rl has no token: its text identifies it
    return { pid: r.pid, host: r.host, command: String(r.command ?? '?'), since: String(r.since ?? '?'), token: typeof r.token === 'string' ? r.token : `text-${Buffer.from(text).toString('base64url').slice(0, 48)}` };
  } catch {
    return 'unreadable';
  }
}

/** The lock holder's record, when a live process (of this host) or another host holds the lock of `dir`. */
export function lockHolder(dir: string): { pid: number; host: string; command: string; since: string } | undefined {
  const r = readRecord(lockPathOf(dir));
  if (r === undefined || r === 'unreadable') return undefined;
  if (r.host === hostname() && !processAlive(r.pid)) return undefined;
  return r;
}

const inUse = (dir: string, path: string, r: LockRecord): CliError =>
  r.host === hostname()
    ? new CliError(`${dir}: in use by process ${r.pid} (rl ${r.command} since ${r.since}); stop it first (the run's lock is ${path})`)
    : new CliError(`${dir}: in use by process ${r.pid} on host ${r.host} (rl ${r.command} since ${r.since}); if that process is gone, delete ${path}`);

/**
 * Takes the lock of run directory `dir` for `command` (see the file header), creating the
 * directories above `dir` when missing (removed again on release if this created them and they
 * are empty). Throws a {@link CliError} naming the holder when a live process holds it.
 *
 * @example
 * const lock = acquireRunLock('runs/x', 'train'); // … lock.assertHeld() before each replacing write … lock.release();
 */
export function acquireRunLock(dir: string, command: string): RunLock {
  const shown = dir;
  const path = lockPathOf(dir);
  const parent = dirname(path);
  const created = mkdirSync(parent, { recursive: true });
  const mine: LockRecord = { pid: process.pid, host: hostname(), command, since: new Date().toISOString(), token: randomBytes(12).toString('hex') };
  const tmp = `${path}.tmp-${process.pid}-${mine.token}`;
  writeFileSynced(tmp, `${JSON.stringify(mine)}\n`);
  try {
    take(shown, path, tmp, mine);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (created) removeCreated(created, parent);
    throw err;
  }
  rmSync(tmp, { force: true });
  fsyncPath(parent);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const now = readRecord(path);
    if (now !== undefined && now !== 'unreadable' && now.token === mine.token) rmSync(path, { force: true });
    if (created) removeCreated(created, parent);
  };
  process.on('exit', release);
  return {
    path,
    assertHeld(): void {
      const now = readRecord(path);
      if (released || now === undefined || now === 'unreadable' || now.token !== mine.token) {
        const by = now !== undefined && now !== 'unreadable' ? ` (it is now held by process ${now.pid}, rl ${now.command})` : '';
        throw new CliError(`${shown}: this process no longer holds the run's lock ${path}${by}; stopping without writing`);
      }
    },
    release,
  };
}

/** The attempts: link our record in; or find the holder alive (refuse), or stale (break it), or mid-write by an older rl (wait). */
function take(dir: string, path: string, tmp: string, mine: LockRecord): void {
  for (let attempt = 0; attempt < 200; attempt++) {
    delay('written');
    try {
      linkSync(tmp, path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readRecord(path);
    delay('read');
    if (held === undefined) continue; // released meanwhile: try again
    if (held === 'unreadable') {
      // an older rl writes its lock after creating it: give it a moment, then treat it as stale
      if (Date.now() - mtimeOf(path) < 2_000) {
        sleep(20);
        continue;
      }
      if (breakStale(path, tmp, mine, undefined)) return;
      continue;
    }
    if (held.token === mine.token) return;
    if (held.host !== hostname() || processAlive(held.pid)) throw inUse(dir, path, held);
    if (breakStale(path, tmp, mine, held.token)) return;
    sleep(10 + Math.floor(Math.random() * 20)); // another contender is breaking it: see who won
  }
  throw new CliError(`${dir}: could not take the run's lock ${path} (it kept changing hands)`);
}

/**
 * Replaces the stale lock whose token is `stale` (undefined: an unreadable one) with `tmp`'s
 * record, if this contender is the one that claims it. Returns whether it now holds the lock.
 */
function breakStale(path: string, tmp: string, mine: LockRecord, stale: string | undefined): boolean {
  const claim = `${path}.break-${stale ?? 'unreadable'}`;
  let fd: number;
  try {
    fd = openSync(claim, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // a claim whose contender died before finishing (seconds old) is removed; the next attempt claims anew
    if (Date.now() - mtimeOf(claim) > 5_000) rmSync(claim, { force: true });
    return false;
  }
  try {
    writeSync(fd, `${JSON.stringify({ pid: mine.pid, token: mine.token })}\n`);
    closeSync(fd);
    delay('claim');
    const now = readRecord(path);
    const still = stale === undefined ? now === 'unreadable' : now !== undefined && now !== 'unreadable' && now.token === stale;
    if (!still) return false;
    // our whole record over the stale one in one rename: the lock's name is never absent
    const copy = `${tmp}.take`;
    linkSync(tmp, copy);
    renameSync(copy, path);
    return true;
  } finally {
    rmSync(claim, { force: true });
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes the directories `mkdirSync(recursive)` created (from `first` down to `last`) when they are empty. */
function removeCreated(first: string, last: string): void {
  for (let d = last; d.length >= first.length; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (or gone): keep it and what is above
    }
    if (d === first) return;
  }
}
