#!/usr/bin/env node
// The whole test suite: type-check every package (Node and browser code), then run vitest once over all of them.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
for (const project of ['tsconfig.json', 'apps/web/tsconfig.json', 'apps/web/node/tsconfig.json']) {
  run('npx', ['--no-install', 'tsc', '-p', project]);
}
run('npx', ['--no-install', 'vitest', 'run', ...process.argv.slice(2)]);
