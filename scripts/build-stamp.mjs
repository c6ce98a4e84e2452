// Whether a package's dist/ was built from the sources as they are now: `scripts/build.mjs`
// writes dist/.build-hash, a hash of every input of the build, after a build succeeds; the
// workspace launcher (scripts/launch.mjs) runs dist/ only while that hash still matches, else
// the TypeScript sources — so a stale build never runs, and an edit of a source takes effect.
// Node built-ins only. Hashing every package's inputs (~130 files, 0.7 MB) takes a few ms.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The stamp a successful build leaves in a package (not packed: `files` leaves out dist/.*). */
export const STAMP = join('dist', '.build-hash');

/** The repo root (this file is scripts/build-stamp.mjs). */
export const ROOT = join(import.meta.dirname, '..');

/** Every file a package's build reads: src/ except tests, its package.json and tsconfigs, and the shared base config. */
export function buildInputs(pkgDir) {
  const src = join(pkgDir, 'src');
  const files = readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
  files.push(...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => join(pkgDir, f)), join(ROOT, 'tsconfig.base.json'));
  return files.sort();
}

/** A hash over the names and contents of {@link buildInputs}. */
export function inputsHash(pkgDir) {
  const h = createHash('sha256');
  for (const f of buildInputs(pkgDir)) h.update(relative(pkgDir, f)).update('\0').update(existsSync(f) ? readFileSync(f) : '').update('\0');
  return h.digest('hex');
}

/** True when the package's dist/ was built from its current inputs. */
export function isBuilt(pkgDir) {
  const stamp = join(pkgDir, STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === inputsHash(pkgDir);
}
