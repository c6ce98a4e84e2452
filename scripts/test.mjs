#!/usr/bin/env node
// The whole test suite: type-check every package, then run vitest once over all of them.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json']);
run('npx', ['--no-install', 'vitest', 'run', ...process.argv.slice(2)]);
