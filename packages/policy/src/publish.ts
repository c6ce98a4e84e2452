/**
 * Publishing a directory with no instant at which its path is missing or holds a mix of two
 * versions (Node only): what `savePolicy` does for every target path — a run's `model/`, the
 * distributed learner's model, any directory a user saves a policy into.
 *
 * Layout (Linux, macOS): the path `<name>` is a symbolic link to a version directory
 * `.<name>.v<seq>` beside it. A save writes a fresh `.<name>.tmp-…` directory (every file and
 * the directory fsynced), renames it to the next `.<name>.v<seq>`, creates a temporary link to
 * it and renames the link over `<name>` — rename(2) replaces a link atomically, so a reader
 * that opens `<name>/…` finds the old version or the new one, complete. Readers resolve the link
 * once ({@link resolvePublished}) and read every file from that version directory, which is
 * never modified after it is published. Old versions are removed only when they are neither the
 * current one nor among the {@link KEEP_PREVIOUS} before it, and {@link GRACE_MS} have passed
 * since they were replaced (or more than {@link MAX_VERSIONS} exist), so a reader in the middle
 * of a load keeps its files; a reader that still loses them — stalled for longer — retries the
 * whole read on the version published since ({@link readPublished}). The link is relative,
 * so a moved or copied directory (`cp -r`, `rsync -a`, tar) keeps working. Plain tfjs loading
 * `<name>/model.json` by path or over HTTP follows the link like any directory.
 *
 * A target that is still a real directory (written by an older version, or by a user) becomes
 * a link on its first save here: the directory is renamed aside and the link renamed in — the
 * one save with a brief instant without `<name>`.
 *
 * Windows: creating a symbolic link needs Developer Mode or administrator rights, and a rename
 * cannot replace a directory; there (and wherever a link cannot be created) a save falls back to
 * the {@link PublishLayout} `swap`: the old directory renamed aside, the new one renamed into
 * place (two renames, a brief instant without `<name>`), and readers retry a whole load when a
 * file vanished or did not match its recorded sha256 during it.
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncPath, removeStaleTemporaries } from './durable.js';

/** How a directory is published: a symbolic link swung atomically to a fresh version (`link`), or two renames (`swap`, where links are unavailable). */
export type PublishLayout = 'link' | 'swap';

/** Versions kept before the current one, whatever their age. */
export const KEEP_PREVIOUS = 2;
/** Older versions are removed only this long after they were replaced (ms)… */
export const GRACE_MS = 5_000;
/** …unless there are more than this many versions in all (the current one included): a run saving many times a second keeps at most this many. */
export const MAX_VERSIONS = 8;

/** The steps of a publication, in order (see {@link publishDirectory}); the test hook pauses at one of them. */
export const PUBLISH_STEPS = ['written', 'versioned', 'linked', 'published'] as const;
/** A step of {@link PUBLISH_STEPS}. */
export type PublishStep = (typeof PUBLISH_STEPS)[number];

const VERSION = /^\.(.+)\.v(\d+)$/;
let counter = 0;

/** Options of {@link publishDirectory}. */
export interface PublishOptions {
  /** Default: `link`, or `swap` on Windows. */
  readonly layout?: PublishLayout;
  /** How long after it was replaced an old version may be removed (ms); default {@link GRACE_MS}. */
  readonly graceMs?: number;
}

/** The default layout of this platform. */
export function defaultLayout(): PublishLayout {
  return process.platform === 'win32' ? 'swap' : 'link';
}

/** `.<name>.v<seq>` */
export function versionName(name: string, seq: number): string {
  return `.${name}.v${seq}`;
}

/** The version directories of `target` (`.<name>.v<seq>` beside it), oldest first. */
export function listVersions(target: string): { readonly seq: number; readonly path: string }[] {
  const parent = dirname(resolve(target));
  const name = basename(resolve(target));
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  return entries
    .map((e) => ({ e, m: VERSION.exec(e) }))
    .filter((x) => x.m !== null && x.m[1] === name)
    .map((x) => ({ seq: Number(x.m![2]), path: join(parent, x.e) }))
    .sort((a, b) => a.seq - b.seq);
}

/** The version `target` links to now, if it is a link to one of its versions. */
function currentSeq(target: string): number | undefined {
  try {
    const m = VERSION.exec(basename(readlinkSync(target)));
    return m && m[1] === basename(target) ? Number(m[2]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Test hook (read only here, documented as one): `RL_TEST_PUBLISH_PAUSE=<step>[@<n>]` makes the
 * n-th publication of this process (default the first) stop for good right after `<step>`
 * (one of {@link PUBLISH_STEPS}), printing `rl-test-hook: publish paused after <step>` on
 * stderr, so a test can kill the process between two steps. Never set it outside tests.
 */
let publications = 0;
function testPause(step: PublishStep, nth: number): void {
  const hook = process.env.RL_TEST_PUBLISH_PAUSE;
  if (!hook) return;
  const [want, at] = hook.split('@');
  if (want !== step || nth !== (at ? Number(at) : 1)) return;
  process.stderr.write(`rl-test-hook: publish paused after ${step} (pid ${process.pid}, ${nth})\n`);
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

/**
 * Publishes a directory at `target`: `fill(dir)` writes its files into a fresh temporary
 * directory (fsyncing each file); it is then fsynced and published by `layout` (see the file
 * header). A failure before publication leaves `target` untouched. Returns the version
 * directory now behind `target` (`target` itself with the `swap` layout).
 *
 * @example
 * await publishDirectory('runs/x/model', async (dir) => writeFileSynced(join(dir, 'a.json'), '{}'));
 */
export async function publishDirectory(target: string, fill: (dir: string) => Promise<void> | void, opts: PublishOptions = {}): Promise<string> {
  const layout = opts.layout ?? defaultLayout();
  const graceMs = opts.graceMs ?? GRACE_MS;
  const path = resolve(target);
  const parent = dirname(path);
  const name = basename(path);
  mkdirSync(parent, { recursive: true });
  removeStaleTemporaries(parent, { prefix: `.${name}.`, minAgeMs: graceMs }); // what killed publications of `name` left
  const nth = ++publications;
  const stamp = `${process.pid}-${Date.now()}-${counter++}`;
  const tmp = join(parent, `.${name}.tmp-${stamp}`);
  mkdirSync(tmp);
  try {
    await fill(tmp);
    fsyncPath(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  testPause('written', nth);
  if (layout === 'swap') return swapInto(tmp, path, stamp);

  // the next free version number: rename(2) of a directory onto a non-empty one fails, so two writers never share one
  let seq = Math.max(0, currentSeq(path) ?? 0, ...listVersions(path).map((v) => v.seq)) + 1;
  let version: string;
  for (;;) {
    version = join(parent, versionName(name, seq));
    try {
      renameSync(tmp, version);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        rmSync(tmp, { recursive: true, force: true });
        throw err;
      }
      seq++;
    }
  }
  testPause('versioned', nth);
  const link = join(parent, `.${name}.link-${stamp}`);
  try {
    symlinkSync(basename(version), link, 'dir');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EINVAL') return swapInto(version, path, stamp); // no links here
    throw err;
  }
  testPause('linked', nth);
  let isDir = false;
  try {
    isDir = lstatSync(path).isDirectory();
  } catch {
    // absent: the rename below creates it
  }
  if (isDir) {
    // a real directory (older layout): move it aside, then the link in (one brief instant without `target`)
    const old = join(parent, `.${name}.old-${stamp}`);
    renameSync(path, old);
    renameSync(link, path);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(link, path); // atomic: the old link or the new one, never neither
  }
  fsyncPath(parent);
  testPause('published', nth);
  prune(path, seq, graceMs);
  return version;
}

/** The `swap` layout: the old directory renamed aside, `dir` renamed into place, the old one removed. */
function swapInto(dir: string, path: string, stamp: string): string {
  const old = join(dirname(path), `.${basename(path)}.old-${stamp}`);
  let hadOld = false;
  try {
    lstatSync(path);
    hadOld = true;
  } catch {
    // nothing to move aside
  }
  if (hadOld) renameSync(path, old);
  try {
    renameSync(dir, path);
  } catch (err) {
    if (hadOld) renameSync(old, path);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  fsyncPath(dirname(path));
  if (hadOld) rmSync(old, { recursive: true, force: true });
  return path;
}

/** When a version was published: its directory's last change (the rename into place). */
function publishedAt(path: string): number {
  try {
    const st = statSync(path);
    return Math.max(st.mtimeMs, st.ctimeMs);
  } catch {
    return 0;
  }
}

/**
 * Removes old versions of `path`: older than the current one `seq`, not among the
 * {@link KEEP_PREVIOUS} before it, and replaced at least `graceMs` ago or beyond the newest
 * {@link MAX_VERSIONS} (a reader that loses one then retries, see {@link readPublished}).
 */
function prune(path: string, seq: number, graceMs: number): void {
  const versions = listVersions(path);
  const older = versions.filter((v) => v.seq < seq);
  const now = Date.now();
  const beyondCap = versions.length - MAX_VERSIONS;
  for (const [i, v] of older.slice(0, Math.max(0, older.length - KEEP_PREVIOUS)).entries()) {
    const successor = versions[versions.indexOf(v) + 1]!; // exists: the current version is newer
    if (i >= beyondCap && now - publishedAt(successor.path) < graceMs) continue;
    // renamed first (atomic), so a version is whole or gone from its name
    const doomed = join(dirname(path), `.${basename(path)}.old-${process.pid}-${now}-${counter++}`);
    try {
      renameSync(v.path, doomed);
    } catch {
      continue; // another writer pruned it
    }
    rmSync(doomed, { recursive: true, force: true });
  }
}

/**
 * The directory a reader should read `path` from: the version directory a published link
 * points to (resolved once, so every file of one load comes from one version), else `path`.
 */
export function resolvePublished(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Whether an error (or its cause) says a file vanished. */
function vanished(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if ((e as Error).name === 'PolicyIntegrityError' && (e as { kind?: string }).kind === 'digest') return true;
  }
  return false;
}

/**
 * Reads a published directory: `read(dir)` with the directory resolved once. When a file
 * vanished (or did not match its recorded digest) during the read and `path` has been published
 * again since — or it is a plain directory, which the `swap` layout replaces in place — the
 * whole read is retried (up to 3 times); any other error is thrown as it is.
 */
export function readPublished<T>(path: string, read: (dir: string) => T): T {
  for (let attempt = 1; ; attempt++) {
    const dir = resolvePublished(path);
    try {
      return read(dir);
    } catch (err) {
      const republished = resolvePublished(path) !== dir || dir === resolve(path);
      if (attempt >= 3 || !vanished(err) || !republished) throw err;
      if (dir === resolve(path)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // swap layout: let the second rename land
    }
  }
}
