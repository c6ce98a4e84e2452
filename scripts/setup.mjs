#!/usr/bin/env node
// `npm run setup`: everything a fresh machine with Node and npm needs, then the main job.
//  1. the system packages the test suite needs (Debian): Chromium (browser tests; its SwiftShader
//     Vulkan driver for the WebGPU tests), nats-server (@rl/distributed's tests) and the Vulkan
//     loader libvulkan1 — installed with apt when running as root, else the one command to run is
//     printed and setup stops with exit status 1;
//  2. pnpm (a global `npm install -g pnpm@9`, else through npx; never corepack, whose pnpm fails
//     its signature checks on some machines) and every dependency (pnpm install --frozen-lockfile);
//  3. the packages' dist/ (scripts/build.mjs), so `./rl` starts without compiling TypeScript;
//  4. trains a CartPole-v1 policy: `./rl train --env CartPole-v1` (extra arguments go to it).
// `--no-train` stops after 3 (.ci/run); `--check` only reports the system packages (exit 1 if any is
// missing); `--skip-system` skips 1 (another OS: install the equivalents yourself).
// The PyTorch peer of the benchmarks (python3-torch, python3-numpy, libopenblas0-openmp) is not
// installed: neither the tests nor `rl train` need it, and the benchmarks say "peer skipped: …"
// without it; install it by hand to compare against it.
// Node built-ins only: this runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const PNPM_VERSION = '9.15.9';
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const check = flag('--check');
const skipSystem = flag('--skip-system');
const noTrain = flag('--no-train');

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`setup: Node ${process.versions.node} found; this project needs Node 20 or newer.`);
  process.exit(1);
}

function run(cmd, cmdArgs, opts = {}) {
  console.log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...opts });
  return r.error ? 127 : (r.status ?? 1);
}

const onPath = (cmd) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
const dpkgInstalled = (pkg) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return !r.error && r.status === 0 && r.stdout.includes('install ok installed');
};
const libDirs = ['/usr/lib', '/usr/lib64', '/lib', ...['/usr/lib', '/lib'].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((s) => s.endsWith('-linux-gnu')).map((s) => join(d, s)) : []))];

/** What the test suite needs from the system: a Debian package name, what it is for, and how to see it is there. */
const SYSTEM = [
  {
    pkg: 'chromium',
    why: 'the browser and WebGPU tests (apps/web) drive it headless; its SwiftShader Vulkan driver backs WebGPU in Node',
    present: () => (process.env.CHROMIUM_PATH ? existsSync(process.env.CHROMIUM_PATH) : existsSync('/usr/bin/chromium') || onPath('chromium')),
  },
  { pkg: 'nats-server', why: "@rl/distributed's tests run a local NATS server", present: () => onPath('nats-server') },
  { pkg: 'libvulkan1', why: 'the Vulkan loader the WebGPU-in-Node tests (Dawn) open', present: () => dpkgInstalled('libvulkan1') || libDirs.some((d) => existsSync(join(d, 'libvulkan.so.1'))) },
];

if (!skipSystem) {
  const missing = SYSTEM.filter((s) => !s.present());
  for (const s of SYSTEM) console.log(`setup: ${s.pkg.padEnd(12)} ${missing.includes(s) ? 'MISSING' : 'ok     '} (${s.why})`);
  if (missing.length > 0) {
    const pkgs = missing.map((s) => s.pkg);
    const hasApt = onPath('apt-get');
    if (!check && hasApt && process.getuid?.() === 0) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      if (run('apt-get', ['update'], { env }) !== 0 || run('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env }) !== 0) {
        console.error(`setup: apt-get could not install ${pkgs.join(', ')} (see its output above).`);
        process.exit(1);
      }
    } else {
      console.error(
        hasApt
          ? `\nsetup: the test suite needs ${pkgs.join(', ')}. Install ${pkgs.length > 1 ? 'them' : 'it'}, then run \`npm run setup\` again:\n\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}\n`
          : `\nsetup: the test suite needs ${pkgs.join(', ')} (Debian package names; no apt-get here). Install the equivalents ` +
              '(CHROMIUM_PATH may point at a Chromium), then run `npm run setup -- --skip-system`.\n',
      );
      process.exit(1);
    }
  }
  if (check) process.exit(0);
} else if (check) {
  process.exit(0);
}

const pnpmWorks = (cmd, pre = []) => {
  const r = spawnSync(cmd, [...pre, '--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0 && r.stdout.trim().startsWith('9.');
};
let pnpm = ['pnpm'];
if (!pnpmWorks('pnpm')) {
  if (run('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`]) === 0 && pnpmWorks('pnpm')) {
    pnpm = ['pnpm'];
  } else {
    console.log(`setup: no global pnpm 9 (npm install -g failed or is not on PATH); using npx pnpm@${PNPM_VERSION} (type that where the README says pnpm).`);
    pnpm = ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
  }
}
const lockfile = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
if (run(pnpm[0], [...pnpm.slice(1), 'install', ...lockfile]) !== 0) {
  console.error('setup: dependency installation failed (see the pnpm output above).');
  process.exit(1);
}
if (run(process.execPath, [join(root, 'scripts', 'build.mjs')]) !== 0) {
  console.error('setup: building the packages failed (see the tsc output above).');
  process.exit(1);
}
if (noTrain) process.exit(0);

console.log('\nsetup: done; training a CartPole-v1 policy (./rl train) ...\n');
process.exit(run(process.execPath, [join(root, 'rl'), 'train', '--env', 'CartPole-v1', ...args]));
