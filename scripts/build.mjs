#!/usr/bin/env node
// `pnpm build`: builds dist/ (JavaScript + .d.ts, by tsc) of the packages under packages/, as many
// at once as there are cores, each after the packages it depends on and against their built types
// (tsconfig.build.json). A package whose dist/ matches its sources (scripts/build-stamp.mjs) is
// skipped; any other is rebuilt from an empty dist/, so nothing of a deleted source lingers into
// a tarball.
//
//   node scripts/build.mjs                 every package
//   node scripts/build.mjs packages/trainer [...]   these and the workspace packages they depend on
//   --force                                rebuild even when up to date
//
// Each package's `build` and `prepack` scripts call this, so `pnpm pack` always packs a fresh build.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { inputsHash, isBuilt, ROOT, STAMP } from './build-stamp.mjs';

/** Files tsc does not emit that the build copies from src/ to dist/ as they are: hand-written CommonJS and its types (@rl/tf's tfjs.cjs). */
const COPIED = ['.cjs', '.d.cts'];

const args = process.argv.slice(2);
const force = args.includes('--force');
const requested = args.filter((a) => a !== '--force').map((a) => resolve(a));

const packagesDir = join(ROOT, 'packages');
const packages = new Map(); // name -> { dir, deps }
for (const d of readdirSync(packagesDir)) {
  const manifest = join(packagesDir, d, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies });
  packages.set(pkg.name, { dir: join(packagesDir, d), deps });
}
const byDir = new Map([...packages].map(([name, p]) => [p.dir, name]));
for (const dir of requested) {
  if (!byDir.has(dir)) {
    console.error(`build: ${relative(process.cwd(), dir) || '.'} is not a package under packages/ (have: ${[...byDir.keys()].map((d) => relative(ROOT, d)).join(', ')})`);
    process.exit(2);
  }
}

// Dependency order: a package after every workspace package it depends on.
const order = [];
const seen = new Set();
const visit = (name) => {
  if (seen.has(name) || !packages.has(name)) return;
  seen.add(name);
  for (const dep of packages.get(name).deps) visit(dep);
  order.push(name);
};
for (const name of requested.length > 0 ? requested.map((d) => byDir.get(d)) : [...packages.keys()].sort()) visit(name);

const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');

/** Builds one package: tsc into an emptied dist/, the hand-written CommonJS copied, then the stamp. */
async function build(name) {
  const { dir } = packages.get(name);
  if (!force && isBuilt(dir)) {
    console.log(`build: ${name} up to date`);
    return;
  }
  const started = Date.now();
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const status = await new Promise((done) => {
    const child = spawn(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit', cwd: dir });
    child.on('error', () => done(127));
    child.on('close', (code, signal) => done(code ?? signal));
  });
  if (status !== 0) throw new Error(`build: ${name} failed (tsc -p ${relative(ROOT, join(dir, 'tsconfig.build.json'))}, exit ${status})`);
  const src = join(dir, 'src');
  for (const rel of readdirSync(src, { recursive: true })) {
    if (!COPIED.some((ext) => rel.endsWith(ext))) continue;
    const to = join(dir, 'dist', rel);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(src, rel), to);
  }
  writeFileSync(join(dir, STAMP), inputsHash(dir) + '\n');
  console.log(`build: ${name} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// As many builds at once as there are cores, each once the packages it depends on are built.
const pending = new Set(order);
const running = new Map();
const built = new Set();
const ready = (name) => packages.get(name).deps.every((d) => !pending.has(d) || built.has(d));
try {
  while (pending.size > 0 || running.size > 0) {
    for (const name of pending) {
      if (running.size >= availableParallelism()) break;
      if (running.has(name) || !ready(name)) continue;
      running.set(name, build(name).then(() => name));
    }
    const name = await Promise.race(running.values());
    running.delete(name);
    pending.delete(name);
    built.add(name);
  }
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
