/**
 * The packages as a user outside this repo gets them: `pnpm pack` of env, tf, policy, runner and
 * trainer, the tarballs installed with npm into a project in a temp dir, and plain `node` (no
 * tsx, no workspace) loading a model written by `rl train`, answering actions, and training an env
 * of its own through `train()`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const PACKED = ['env', 'tf', 'policy', 'runner', 'trainer'];
const work = mkdtempSync(join(tmpdir(), 'rl-pack-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
const run = join(work, 'run');

/** Bytes of all files under `dir` (symlinks not followed), as `du --apparent-size` counts them. */
function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? treeBytes(p) : lstatSync(p).size;
  }
  return total;
}

/** The files of a tarball, without npm's `package/` prefix. */
const entries = (tgz: string): string[] =>
  execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));

/** Every path an exports/imports map points at. */
const targets = (map: unknown): string[] => (typeof map === 'string' ? [map] : map && typeof map === 'object' ? Object.values(map).flatMap(targets) : []);

beforeAll(() => {
  mkdirSync(tarballs);
  mkdirSync(project);
  for (const p of PACKED) execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(ROOT, 'packages', p), stdio: 'pipe' });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'rl-outside', private: true, type: 'module' }));
  const tgzs = readdirSync(tarballs).map((f) => join(tarballs, f));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tgzs], { cwd: project, stdio: 'pipe' });
  // a small model written by the CLI of this repo
  execFileSync(process.execPath, [join(ROOT, 'rl'), 'train', '--env', 'CartPole-v1', '--total-steps', '2048', '--eval-episodes', '0', '--out', run], {
    env: { ...process.env, RL_LOG_LEVEL: 'silent' },
    stdio: 'pipe',
  });
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the published packages (pnpm pack, installed with npm outside the workspace)', () => {
  it('each tarball holds dist/ (JS + .d.ts), README.md and package.json only, and its manifest points only at what it ships', () => {
    for (const p of PACKED) {
      const tgz = join(tarballs, `rl-${p}-0.1.0.tgz`);
      const files = entries(tgz);
      expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md'), p).toEqual([]);
      expect(files, p).toContain('README.md');
      expect(files, p).toContain('dist/index.js');
      expect(files, p).toContain('dist/index.d.ts');
      expect(files.filter((f) => /\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts')), p).toEqual([]);
      const manifest = JSON.parse(execFileSync('tar', ['xzf', tgz, '-O', 'package/package.json'], { encoding: 'utf8' })) as Record<string, Record<string, string>>;
      for (const target of [...targets(manifest.exports), ...targets(manifest.imports)]) expect(files, `${p}: ${target}`).toContain(target.replace(/^\.\//, ''));
      expect(JSON.stringify(manifest.exports ?? {}) + JSON.stringify(manifest.imports ?? {}), p).not.toMatch(/"source"|src\//);
      expect(Object.values({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((v) => v.startsWith('workspace:')), p).toEqual([]);
    }
  });

  it('installs tfjs core, layers, cpu and wasm only (no umbrella, converter, data, WebGL or WebGPU)', () => {
    const tfjs = readdirSync(join(project, 'node_modules', '@tensorflow')).sort();
    expect(tfjs).toEqual(['tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-core', 'tfjs-layers']);
    const mb = treeBytes(join(project, 'node_modules')) / 1e6;
    console.log(`installed size of ${PACKED.map((p) => `@rl/${p}`).join(', ')} and their dependencies: ${mb.toFixed(1)} MB`);
    expect(mb).toBeLessThan(150); // with the @tensorflow/tfjs umbrella: 339 MB
  });

  it('plain node loads a model written by rl train, answers actions, and trains an env of its own through train()', () => {
    writeFileSync(
      join(project, 'check.mjs'),
      `
import { Box, Discrete, Rng, checkEnv, make, register } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { loadPolicy } from '@rl/policy';
import { train } from '@rl/trainer';

await initTf({ backend: 'wasm' });
const served = await loadPolicy(process.argv[2]);
const actions = [[0, 0, 0, 0], [0.1, 0.5, -0.2, -1], [-0.1, -0.5, 0.2, 1]].map((o) => served.act(o, { deterministic: true }));
served.dispose();

/** Walk to a target on a line: obs [position, target], actions left / right, reward −distance. */
class Reach {
  id = 'Reach-v0';
  observationSpace = new Box(-1, 1, [2]);
  actionSpace = new Discrete(2);
  unwrapped = this;
  rng = new Rng(0);
  pos = 0;
  target = 0;
  reset(opts = {}) {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.pos = this.rng.uniform(-1, 1);
    this.target = this.rng.uniform(-1, 1);
    return { obs: this.obs(), info: {} };
  }
  step(a) {
    if (!this.actionSpace.contains(a)) throw new RangeError('Reach-v0: action ' + a + ' is not in ' + this.actionSpace);
    this.pos = Math.min(1, Math.max(-1, this.pos + (a === 1 ? 0.1 : -0.1)));
    const d = Math.abs(this.pos - this.target);
    return { obs: this.obs(), reward: -d, terminated: d < 0.1, truncated: false, info: {} };
  }
  obs() {
    return Float32Array.of(this.pos, this.target);
  }
  close() {}
}
register('Reach-v0', { entryPoint: () => new Reach(), maxEpisodeSteps: 40 });
const findings = checkEnv(make('Reach-v0')).filter((f) => !/getState/.test(f.check + f.problem));
const { trainer, result } = await train({ env: 'Reach-v0', envVectorization: 'generic', numEnvs: 8, stepsPerIter: 32, totalSteps: 4096, hidden: [16], seed: 1, evalEpisodes: 0, logLevel: 'silent' });
const out = { actions, findings, reason: result.reason, envSteps: result.envSteps, iterations: trainer.iteration, returnMean: result.last?.returnMean };
trainer.dispose();
console.log(JSON.stringify({ ...out, numTensors: tf.memory().numTensors, from: import.meta.resolve('@rl/trainer') }));
`,
    );
    const out = execFileSync(process.execPath, ['check.mjs', join(run, 'model')], { cwd: project, encoding: 'utf8', env: { ...process.env, RL_LOG_LEVEL: 'silent' } });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { actions: number[]; findings: unknown[]; reason: string; envSteps: number; iterations: number; returnMean: number; numTensors: number; from: string };
    expect(r.from).toContain(join(project, 'node_modules', '@rl', 'trainer', 'dist'));
    expect(r.actions.every((a) => a === 0 || a === 1)).toBe(true);
    expect(r.findings).toEqual([]);
    expect(r.reason).toBe('totalSteps');
    expect(r.envSteps).toBe(4096);
    expect(r.iterations).toBe(16);
    expect(Number.isFinite(r.returnMean)).toBe(true);
    expect(r.numTensors).toBe(0);
  });

  it("plain node: train({ envModule }) imports a user's env module; a TypeScript one without a loader is refused, saying what to do", () => {
    mkdirSync(join(project, 'envs'));
    // the repo's JavaScript example env, and the same file named .ts (Node alone imports no .ts)
    for (const name of ['walk.js', 'walk-typed.ts']) copyFileSync(join(ROOT, 'examples', 'walk-env.js'), join(project, 'envs', name));
    writeFileSync(
      join(project, 'module.mjs'),
      `import { train } from '@rl/trainer';
import { loadEnvModule } from '@rl/env/module';
const { trainer, result } = await train({ env: 'Walk-v0', envModule: 'envs/walk.js', numEnvs: 4, stepsPerIter: 16, totalSteps: 128, hidden: [8], evalEpisodes: 0, logLevel: 'silent' });
const out = { envModule: trainer.config.envModule, envSteps: result.envSteps };
trainer.dispose();
try {
  await loadEnvModule('envs/walk-typed.ts');
} catch (e) {
  out.typescript = e.message;
}
console.log(JSON.stringify(out));
`,
    );
    const out = execFileSync(process.execPath, ['module.mjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, RL_LOG_LEVEL: 'silent' } });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { envModule: string; envSteps: number; typescript: string };
    expect(r.envModule).toBe(join(project, 'envs', 'walk.js'));
    expect(r.envSteps).toBe(128);
    expect(r.typescript).toBe(
      `env module ${join(project, 'envs', 'walk-typed.ts')}: cannot import TypeScript in this process: run it under tsx (\`pnpm tsx script.ts\`, \`node --import tsx …\`) or compile the module to JavaScript`,
    );
  });
});
