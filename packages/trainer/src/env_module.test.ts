/**
 * The trainer's `envModule`, in a real Node process (vitest's module runner bypasses Node's
 * resolution hooks): examples/reach-env.ts copied to a directory outside the repo, given as a
 * relative path, trained in this thread and in worker threads, resumed from a state whose
 * module path differs, and refused with a wrong env id.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'rl-trainer-env-module-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('createTrainer({ envModule })', () => {
  it('imports the module before the env id is looked up, records its absolute path, trains in workers too, and resumes from a state saved with another path', () => {
    copyFileSync(join(ROOT, 'examples', 'reach-env.ts'), join(work, 'reach-env.ts'));
    const script = join(work, 'train.mjs');
    writeFileSync(
      script,
      `const { createTrainer, TIMING_FIELDS } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'index.ts')).href)});
const cfg = { env: 'Reach-v0', envModule: 'reach-env.ts', seed: 3, numEnvs: 4, stepsPerIter: 8, hidden: [8], backend: 'cpu', logLevel: 'silent' };
const numbers = (m) => Object.fromEntries(Object.entries(m).filter(([k]) => !TIMING_FIELDS.includes(k)));
const t = await createTrainer(cfg);
t.step();
t.step();
const state = t.getState();
const third = numbers(t.step());
// the same run resumed by a trainer that found the module elsewhere (the state still names the old path)
const u = await createTrainer(cfg);
u.setState({ ...state, config: { ...state.config, envModule: '/where/it/was/reach-env.ts' } });
const resumed = numbers(u.step());
const w = await createTrainer({ ...cfg, workers: 2 });
const inWorkers = w.step();
let wrongId;
try {
  await createTrainer({ ...cfg, env: 'Rach-v0' });
} catch (e) {
  wrongId = e.name + ': ' + e.message;
}
console.log(JSON.stringify({ envModule: t.config.envModule, third, resumed, inWorkers: { envSteps: inWorkers.envSteps, loss: inWorkers.loss }, wrongId }));
for (const x of [t, u, w]) x.dispose();
process.exit(0);`,
    );
    const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href; // as `node --import tsx` in the repo
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', tsx, script], { cwd: work, encoding: 'utf8', env: { ...process.env, RL_LOG_LEVEL: 'silent' }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { envModule: string; third: Record<string, number>; resumed: Record<string, number>; inWorkers: { envSteps: number; loss: number }; wrongId: string };
    expect(out.envModule).toBe(join(work, 'reach-env.ts'));
    expect(out.third.iteration).toBe(3);
    expect(out.resumed).toEqual(out.third); // the env's state and every stream came back exactly
    expect(out.inWorkers.envSteps).toBe(32);
    expect(Number.isFinite(out.inWorkers.loss)).toBe(true);
    expect(out.wrongId).toBe(`EnvModuleError: env module ${join(work, 'reach-env.ts')}: registers Reach-v0, not env id "Rach-v0"`);
  });
});
