// How a bin of a workspace package (`rl`, `rl-serve`, `rl-distributed`) runs in this repo:
// - from the built JavaScript (dist/main.js, plain Node: no TypeScript compiler on the way),
//   when every package's dist/ was built from the sources as they are now (`pnpm build`;
//   scripts/build-stamp.mjs);
// - else from the TypeScript sources, as `node --conditions=source --import tsx src/main.ts`
//   would, so an edit of a source takes effect at once and a stale build never runs.
// Either way in this one process (no re-spawn), so signals sent to the pid the user started
// reach the command itself. A published package has no src/ and its bin imports dist/ directly.
import { existsSync, readdirSync } from 'node:fs';
import { register } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBuilt, ROOT } from './build-stamp.mjs';

/** The packages (directories with a tsconfig.build.json) under `packagesDir` whose dist/ is missing or not built from their sources as they are. */
export function staleBuilds(packagesDir = join(ROOT, 'packages')) {
  return readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'tsconfig.build.json')) && !isBuilt(join(packagesDir, d)));
}

/** Lets this process import TypeScript sources with the "source" export condition (tsx's ESM hooks). */
export async function enableSources() {
  register(pathToFileURL(join(ROOT, 'scripts', 'source-condition.mjs')));
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  // tsx turns on source-map support, which makes Node read the .map file of every CommonJS module
  // it loads (tfjs ships large ones): ~0.1 s of start-up. Keep it only when debugging.
  if (!process.env.RL_DEBUG) process.setSourceMapsEnabled(false);
}

/**
 * Runs the package at `pkgDir` (a directory URL or path): its dist/main.js when every package
 * under `packagesDir` is built from its current sources, else its src/main.ts.
 */
export async function launch(pkgDir, packagesDir = join(ROOT, 'packages')) {
  const dir = pkgDir instanceof URL ? pkgDir : pathToFileURL(join(pkgDir, '/'));
  const stale = staleBuilds(packagesDir);
  if (stale.length === 0) {
    await import(new URL('dist/main.js', dir).href);
    return;
  }
  if (process.stderr.isTTY && process.env.RL_LOG_LEVEL !== 'silent') {
    process.stderr.write(`(running from TypeScript sources: ${stale.map((d) => relative(ROOT, join(packagesDir, d))).join(', ')} changed since the last \`pnpm build\`, which makes start-up faster)\n`);
  }
  await enableSources();
  await import(new URL('src/main.ts', dir).href);
}
