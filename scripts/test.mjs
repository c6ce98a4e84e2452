#!/usr/bin/env node
// The whole test suite: type-check every package (Node and browser code), build the packages'
// dist/ (scripts/build.mjs: skipped when up to date), then run vitest once over all of them.
// The build comes first so that the tests that run the bins or pack the packages find it fresh
// and nothing rebuilds it while they run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
for (const project of ['tsconfig.json', 'apps/web/tsconfig.json', 'apps/web/node/tsconfig.json']) {
  run('npx', ['--no-install', 'tsc', '-p', project]);
}
run(process.execPath, [join(import.meta.dirname, 'build.mjs')]);
run('npx', ['--no-install', 'vitest', 'run', ...process.argv.slice(2)]);
