import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPolicyDir } from '@rl/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPid, rl, rlSpawn } from './harness.js';
import { readMetrics } from './metrics.js';

// Issue 16 item 7: an interrupted set-up cleans up after itself, and what a killed process left
// is removed by the next command on that directory.
let root: string;
let env: Record<string, string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-setup-'));
  env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = ['--total-steps', '256', '--num-envs', '4', '--steps-per-iter', '16', '--eval-episodes', '0'];

/** Starts `rl train --out <dir>` and resolves once its staging directory exists (set-up under way: the backend is starting). */
async function inSetup(dir: string): Promise<ReturnType<typeof rlSpawn>> {
  const t = rlSpawn(['train', '--out', dir, ...tiny], { env });
  const staging = `.${dir.split('/').pop()}.staging-${t.child.pid}`;
  const t0 = Date.now();
  while (!existsSync(join(root, staging)) && t.child.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 2));
  expect(existsSync(join(root, staging)), 'the staging directory appeared').toBe(true);
  return t;
}

describe.concurrent('interrupted set-up', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s during set-up: exit 0, nothing written, no staging directory or lock left', async (signal) => {
    const dir = join(root, `signal-${signal}`);
    const t = await inSetup(dir);
    t.child.kill(signal);
    const r = await t.done;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`rl train: stopped by ${signal} during set-up; nothing was written (${dir} is as it was)\n`);
    expect(readdirSync(root).filter((n) => n.includes(`signal-${signal}`))).toEqual([]);
  });

  it('SIGKILL during set-up leaves a staging directory and a lock; the next rl train on that directory removes both and trains', async () => {
    const dir = join(root, 'killed');
    const t = await inSetup(dir);
    t.child.kill('SIGKILL');
    await t.done;
    expect(readdirSync(root).filter((n) => n.startsWith('.killed.')).sort()).toEqual([`.killed.lock`, `.killed.staging-${t.child.pid}`]);
    const again = await rl(['train', '--out', dir, ...tiny], { env });
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(root).filter((n) => n.startsWith('.killed.'))).toEqual([]);
    verifyPolicyDir(dir);
  });
});

describe('leftovers of killed processes', () => {
  it('rl resume removes the temporaries of dead processes (metrics, curve, config, model, checkpoint, staging) and keeps a live process’s', async () => {
    const dir = join(root, 'leftovers');
    const first = await rl(['train', '--out', dir, ...tiny], { env });
    expect(first.status, first.stderr).toBe(0);
    const dead = deadPid();
    const files = [`.metrics.jsonl.tmp-${dead}`, `.curve.svg.tmp-${dead}`, `.config.json.tmp-${dead}`].map((n) => join(dir, n));
    const dirs = [
      join(dir, `.model.tmp-${dead}-1733000000000-0`),
      join(dir, `.model.old-${dead}-1733000000000-1`),
      join(dir, 'checkpoints', `.tmp-ckpt-00000009-${dead}`),
      join(root, `.leftovers.staging-${dead}`),
      join(root, `.leftovers.replaced-${dead}`),
    ];
    for (const f of files) writeFileSync(f, 'partial');
    for (const d of dirs) mkdirSync(d);
    const link = join(dir, `.model.link-${dead}-1733000000000-2`);
    symlinkSync('.model.v1', link);
    const planted = [...files, ...dirs, link];
    const present = (p: string): boolean => {
      try {
        lstatSync(p);
        return true;
      } catch {
        return false;
      }
    };
    expect(planted.filter(present)).toEqual(planted);
    const live = join(dir, `.metrics.jsonl.tmp-${process.pid}`); // a live process's: not this command's to remove
    writeFileSync(live, 'in use');
    const r = await rl(['resume', dir, '--total-steps', '320'], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(planted.filter(present)).toEqual([]);
    expect(existsSync(live)).toBe(true);
    expect(readMetrics(join(dir, 'metrics.jsonl'))).toHaveLength(5);
  });
});
