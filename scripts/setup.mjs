#!/usr/bin/env node
// One command for a newcomer: install pnpm if missing, install every dependency, then run the
// main job (train a CartPole-v1 policy with `rl train`). Extra arguments go to `rl train`.
// Uses only Node built-ins, so it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '9.15.9';

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`setup: Node ${process.versions.node} found; this project needs Node 20 or newer.`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function has(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

// corepack's pnpm fails signature checks on some machines, so never rely on corepack:
// use a pnpm on PATH, else run the pinned pnpm through npx (no global install, no sudo).
const pnpm = has('pnpm', ['--version']) ? ['pnpm'] : ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
const lockfile = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
if (run(pnpm[0], [...pnpm.slice(1), 'install', ...lockfile]) !== 0) {
  console.error('setup: dependency installation failed (see the pnpm output above).');
  process.exit(1);
}

console.log('\nsetup: dependencies installed; training a CartPole-v1 policy (rl train) ...\n');
const status = run(process.execPath, [join(root, 'packages/cli/bin/rl.mjs'), 'train', '--env', 'CartPole-v1', ...process.argv.slice(2)]);
process.exit(status);
