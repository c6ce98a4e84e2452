/**
 * `--env-module`: a user's own env from a file outside the repo (TypeScript and JavaScript, in a
 * directory without package.json or node_modules), trained with `rl train`, then evaluated,
 * resumed, checked and served from other working directories without the flag (config.json
 * records the module), a module that moved, distributed learner and actor, and every way a
 * module can be wrong. Real `rl` processes and files.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalNats } from '@rl/distributed';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { rl, rlServe } from './harness.js';
import { readMetrics } from './metrics.js';
import { RUN_FILES } from './rundir.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'rl-env-module-'));
const elsewhere = join(work, 'elsewhere');
mkdirSync(join(work, 'envs'));
mkdirSync(elsewhere);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The repo's example env (TypeScript, with getState/setState), as a user's file outside the repo. */
const reachTs = join(work, 'envs', 'reach-env.ts');
copyFileSync(join(ROOT, 'examples', 'reach-env.ts'), reachTs);

/** The repo's JavaScript example env (no getState), and modules that are wrong in one way each. */
const walk = join(work, 'envs', 'walk.js');
copyFileSync(join(ROOT, 'examples', 'walk-env.js'), walk);
const file = (name: string, text: string): string => {
  writeFileSync(join(work, 'envs', name), text);
  return join(work, 'envs', name);
};

const tiny = ['--num-envs', '4', '--steps-per-iter', '16', '--hidden', '8', '--backend', 'cpu', '--eval-episodes', '0', '--checkpoint-every', '2'];
const config = (run: string): Record<string, unknown> => JSON.parse(readFileSync(join(run, RUN_FILES.config), 'utf8')) as Record<string, unknown>;
const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

/** Starts `rl serve …args`, answers one /act, stops it with SIGTERM; returns the answer, /metadata and stderr. */
async function serveOnce(args: readonly string[], observation: number[]): Promise<{ action: unknown; metadata: Record<string, unknown>; stderr: string }> {
  const { child, done, url } = await rlServe(args);
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const act = (await (await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observation }) })).json()) as { action: unknown };
  const metadata = (await (await fetch(`${url}/metadata`)).json()) as Record<string, unknown>;
  child.kill('SIGTERM');
  const r = await done;
  expect(r.status, r.stderr).toBe(0);
  return { action: act.action, metadata, stderr: r.stderr };
}

describe('rl … --env-module (real processes, a user env outside the repo)', () => {
  it('rl train records the module; eval, resume, check-env and serve of the run find it from other directories', async () => {
    const run = join(work, 'reach');
    const t = await rl(['train', '--env-module', 'envs/reach-env.ts', '--env', 'Reach-v0', '--total-steps', '128', ...tiny, '--out', 'reach'], { cwd: work });
    expect(t.status, t.stderr).toBe(0);
    expect(config(run)).toMatchObject({ env: 'Reach-v0', envModule: reachTs }); // absolute: it resolves from anywhere

    const [ev, check] = await Promise.all([rl(['eval', '../reach', '--episodes', '3', '--json'], { cwd: elsewhere }), rl(['check-env', '../reach'], { cwd: elsewhere })]);
    expect(ev.status, ev.stderr).toBe(0);
    expect(lastJson(ev.stdout)).toMatchObject({ env: 'Reach-v0', episodes: 3 });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toBe('Reach-v0: no problems found\n');

    const r = await rl(['resume', run, '--total-steps', '192'], { cwd: elsewhere });
    expect(r.status, r.stderr).toBe(0);
    expect(readMetrics(join(run, RUN_FILES.metrics)).map((m) => m.iteration)).toEqual([1, 2, 3]);
    expect(config(run)).toMatchObject({ totalSteps: 192, envModule: reachTs });

    const served = await serveOnce([run, '--port', '0', '--backend', 'cpu'], [0.1, 0.4]);
    expect([0, 1, 2]).toContain(served.action); // Reach-v0's Discrete(3)
    expect(served.metadata).toMatchObject({ envId: 'Reach-v0', modelName: 'Reach-v0' });
    expect(served.stderr).not.toContain('warning');

    // a relative path in config.json (a run moved together with its module) is relative to the run directory
    writeFileSync(join(run, RUN_FILES.config), JSON.stringify({ ...config(run), envModule: '../envs/reach-env.ts' }));
    const relative = await rl(['eval', run, '--episodes', '2', '--json'], { cwd: elsewhere });
    expect(relative.status, relative.stderr).toBe(0);
    expect(lastJson(relative.stdout)).toMatchObject({ env: 'Reach-v0', episodes: 2 });
  }, 180_000);

  it('a JavaScript module: check-env warns of the missing getState, train picks the one env it registers, and a module that moved is named', async () => {
    const check = await rl(['check-env', '--env-module', walk, 'Walk-v0']);
    expect(check.status, check.stderr).toBe(0); // warnings do not fail the command
    expect(check.stdout).toMatch(/^Walk-v0: 1 warning found\n {2}- warning \[state-missing\] env has no getState\(\) and setState\(\)/);

    const run = join(work, 'walk');
    const t = await rl(['train', '--env-module', walk, '--total-steps', '128', ...tiny, '--workers', '2', '--out', run]);
    expect(t.status, t.stderr).toBe(0);
    expect(config(run)).toMatchObject({ env: 'Walk-v0', envModule: walk, workers: 2 }); // no --env: the env the module registers

    const moved = join(work, 'moved-walk.js');
    renameSync(walk, moved);
    try {
      const lost = await rl(['eval', run, '--episodes', '2'], { cwd: elsewhere });
      expect(lost.status).toBe(1);
      expect(lost.stderr).toBe(`rl eval: ${join(run, RUN_FILES.config)}: envModule ${walk}: no such file (the run was trained with it: give --env-module FILE where it is now)\n`);
      const found = await rl(['eval', run, '--episodes', '2', '--env-module', '../moved-walk.js'], { cwd: elsewhere });
      expect(found.status, found.stderr).toBe(0);
      // the policy alone is enough to serve: a recorded module that is gone is a warning
      const served = await serveOnce([run, '--port', '0', '--backend', 'cpu'], [0.3]);
      expect([0, 1]).toContain(served.action);
      expect(served.metadata).toMatchObject({ envId: 'Walk-v0' });
      expect(served.stderr).toContain(`rl serve: warning: ${join(run, RUN_FILES.config)}: envModule ${walk}: no such file`);
      // a module given with the flag must fit the policy: one whose Walk-v0 has other spaces is refused
      const wide = file('wide.js', `import { Box, Discrete, register } from '@rl/env';\nregister('Walk-v0', { entryPoint: () => ({ id: 'Walk-v0', observationSpace: new Box(-1, 1, [3]), actionSpace: new Discrete(2), close() {} }) });\n`);
      const refused = await rl(['serve', run, '--port', '0', '--env-module', wide]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(
        `rl serve: ${join(run, 'model')}: the policy's spaces (observation Box(shape [1], low [-1], high [1]), action Discrete(2)) are not those of Walk-v0 as ${wide} registers it (observation Box(shape [3], low [-1, -1, -1], high [1, 1, 1]), action Discrete(2))\n`,
      );
      // resume with the module where it is now records the new path
      const r = await rl(['resume', run, '--total-steps', '192', '--env-module', moved]);
      expect(r.status, r.stderr).toBe(0);
      expect(config(run)).toMatchObject({ envModule: moved, totalSteps: 192 });
    } finally {
      renameSync(moved, walk);
    }
  }, 180_000);

  it('names the flag, the file and what is wrong, and writes nothing', async () => {
    const throws = file('throws.js', `throw new Error('no physics table');\n`);
    const nothing = file('nothing.ts', `export const size: number = 3;\n`);
    const out = join(work, 'never');
    const cfg = file('nope.json', JSON.stringify({ envModule: 'envs/nope.js', numEnvs: 4 }));
    const [missing, fromConfig, thrown, empty, otherId, envAsFile] = await Promise.all([
      rl(['train', '--env-module', 'envs/nope.ts', '--out', out], { cwd: work }),
      rl(['train', '--config', cfg, '--out', out], { cwd: work }),
      rl(['train', '--env-module', throws, '--out', out]),
      rl(['train', '--env-module', nothing, '--out', out]),
      rl(['train', '--env-module', reachTs, '--env', 'Mine-v0', '--out', out]),
      rl(['train', '--env', './envs/reach-env.ts', '--out', out], { cwd: work }),
    ]);
    expect(missing.stderr).toBe(`rl train: --env-module envs/nope.ts (${join(work, 'envs', 'nope.ts')}): no such file\n`);
    expect(fromConfig.stderr).toBe(`rl train: ${cfg}: envModule envs/nope.js (${join(work, 'envs', 'nope.js')}): no such file\n`);
    expect(thrown.stderr).toBe(`rl train: --env-module ${throws}: cannot import it: no physics table\n`);
    expect(empty.stderr).toMatch(new RegExp(`^rl train: --env-module ${nothing}: registers no env: importing it must call register\\(id, …\\) of @rl/env`));
    expect(otherId.stderr).toBe(`rl train: --env-module ${reachTs}: registers Reach-v0, not env id "Mine-v0"\n`);
    expect(envAsFile.stderr).toMatch(/env = "\.\/envs\/reach-env\.ts": unknown env id; registered: CartPole-v1, .* \(from --env\); a file is given with --env-module \.\/envs\/reach-env\.ts/);
    for (const r of [missing, fromConfig, thrown, empty, otherId, envAsFile]) expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('rl train --distributed: learner and actor each import the module, relative to their own directory', async () => {
    const nats = await startLocalNats();
    try {
      const common = ['train', '--distributed', '--nats', nats.url, '--shards', '1', '--num-envs', '4', '--steps-per-iter', '16', '--hidden', '8', '--run', 'env-module', '--backend', 'cpu', '--env', 'Reach-v0'];
      const ck = join(work, 'dist');
      const [learner, actor] = await Promise.all([
        rl([...common, '--env-module', 'envs/reach-env.ts', '--role', 'learner', '--iterations', '2', '--checkpoint-dir', ck], { cwd: work }),
        rl([...common, '--env-module', '../envs/reach-env.ts', '--role', 'actor', '--shard', '0'], { cwd: elsewhere }),
      ]);
      expect(learner.status, learner.stderr).toBe(0);
      expect(actor.status, actor.stderr).toBe(0);
      expect(lastJson(learner.stdout)).toMatchObject({ role: 'learner', reason: 'iterations', version: 2 });
      expect(lastJson(actor.stdout)).toMatchObject({ role: 'actor', gradients: 2 });
    } finally {
      await nats.stop();
    }
  }, 120_000);
});
