import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { verifyPolicyDir } from '@rl/policy';
import { listCheckpoints, readCheckpoint } from '@rl/trainer/checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPid, rl, rlSpawn, type RlResult } from './harness.js';
import { acquireRunLock, lockPathOf } from './lock.js';
import { readMetrics } from './metrics.js';
import { openRunDir } from './rundir.js';

// Issue 16 items 1 and 2: concurrent commands on one run directory. Tiny runs; the children
// ignore the repo's configs/ so their size is what the flags say.
let root: string;
let env: Record<string, string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-lock-'));
  env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = ['--num-envs', '4', '--steps-per-iter', '16', '--eval-episodes', '0', '--checkpoint-every', '4', '--curve-seconds', '0.2'];

/** What a run directory written by one process at a time satisfies (nothing interleaved, nothing half-replaced). */
function checkIntact(dir: string): number {
  openRunDir(dir);
  const metrics = readMetrics(join(dir, 'metrics.jsonl')); // iterations 1, 2, 3, … exactly once each, every line whole
  const ckpts = listCheckpoints(join(dir, 'checkpoints'));
  for (const c of ckpts) expect(readCheckpoint(c.dir).iteration).toBe(c.iteration);
  expect(ckpts[ckpts.length - 1]!.iteration).toBe(metrics.length);
  verifyPolicyDir(dir);
  const siblings = readdirSync(dirname(dir)).filter((n) => n.startsWith(`.${basename(dir)}.`));
  expect(siblings, 'no staging, replaced or lock files left beside the run').toEqual([]);
  return metrics.length;
}

async function waitFor(cond: () => boolean, what: string, ms = 90_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.concurrent('one lock per run directory', () => {
  it('item 1: three `rl train --force --out D` started together: one trains, the others refuse, naming it; D is never mixed', async () => {
    const dir = join(root, 'forced');
    const first = await rl(['train', '--out', dir, '--total-steps', '256', ...tiny], { env });
    expect(first.status, first.stderr).toBe(0);
    const procs = [0, 1, 2].map(() => rlSpawn(['train', '--out', dir, '--force', '--total-steps', '10000000', ...tiny], { env }));
    const results: (RlResult | undefined)[] = [undefined, undefined, undefined];
    procs.forEach((p, i) => void p.done.then((r) => (results[i] = r)));
    await waitFor(() => results.filter(Boolean).length === 2, 'two of the three to refuse');
    const winner = results.findIndex((r) => r === undefined);
    // the winner trains; let it write a few checkpoints, then stop it the documented way
    await waitFor(() => existsSync(join(dir, 'metrics.jsonl')) && readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').length > 9, 'the winner to train');
    procs[winner]!.child.kill('SIGTERM');
    const won = await procs[winner]!.done;
    expect(won.status, won.stderr).toBe(0);
    for (const [i, r] of results.entries()) {
      if (i === winner) continue;
      expect(r!.status).toBe(1);
      expect(r!.stderr).toMatch(new RegExp(`^rl train: ${dir}: in use by process ${procs[winner]!.child.pid} \\(rl train since [^)]+\\); stop it first \\(the run's lock is ${lockPathOf(dir).replace(/[.]/g, '\\.')}\\)\\n$`));
    }
    expect(checkIntact(dir)).toBeGreaterThan(8);
    // a run being trained is never replaced, with or without --force (checked while one trains)
    const busy = join(root, 'busy');
    const trainer = rlSpawn(['train', '--out', busy, '--total-steps', '10000000', ...tiny], { env });
    await waitFor(() => existsSync(join(busy, 'run.json')), 'the run to start');
    const [forced, resumed] = await Promise.all([rl(['train', '--out', busy, '--force', ...tiny], { env }), rl(['resume', busy], { env })]);
    for (const r of [forced, resumed]) expect(r.stderr).toMatch(new RegExp(`${busy}: in use by process ${trainer.child.pid} \\(rl train since`));
    trainer.child.kill('SIGTERM');
    expect((await trainer.done).status).toBe(0);
    checkIntact(busy);
  }, 240_000);

  it('item 2: two `rl resume D` delayed between reading a stale lock and breaking it (test hook): exactly one holds it', async () => {
    const dir = join(root, 'stale');
    const first = await rl(['train', '--out', dir, '--total-steps', '256', ...tiny], { env });
    expect(first.status, first.stderr).toBe(0);
    // the lock a SIGKILLed process left: its pid is gone
    const dead = deadPid();
    writeFileSync(lockPathOf(dir), `${JSON.stringify({ pid: dead, host: hostname(), command: 'resume', since: new Date().toISOString(), token: 'stale' })}\n`);
    // both read the stale lock, judge it stale, then wait 1.5 s: both try to break the same stale lock
    const delayed = { ...env, RL_TEST_LOCK_DELAY: 'read=1500,claim=300' };
    const procs = [0, 1].map(() => rlSpawn(['resume', dir, '--total-steps', '10000000'], { env: delayed }));
    const results: (RlResult | undefined)[] = [undefined, undefined];
    procs.forEach((p, i) => void p.done.then((r) => (results[i] = r)));
    await waitFor(() => results.some(Boolean), 'one of the two to refuse');
    const loser = results.findIndex(Boolean);
    const winner = 1 - loser;
    expect(results[loser]!.status, results[loser]!.stderr).toBe(1);
    expect(results[loser]!.stderr).toMatch(new RegExp(`^rl resume: ${dir}: in use by process ${procs[winner]!.child.pid} \\(rl resume since`));
    await waitFor(() => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').length > 12, 'the winner to train');
    procs[winner]!.child.kill('SIGTERM');
    const won = await procs[winner]!.done;
    expect(won.status, won.stderr).toBe(0);
    expect(checkIntact(dir)).toBeGreaterThan(8); // each iteration written once, by the one holder
    expect(readdirSync(dirname(dir)).filter((n) => n.startsWith('.stale.'))).toEqual([]); // the stale lock is gone too
  }, 240_000);

  it('in one process: a stale lock is taken over, a live one refused, a lost lock noticed before writing', () => {
    const dir = join(root, 'unit', 'run');
    const stale = acquireRunLock(dir, 'train');
    const path = stale.path;
    expect(path).toBe(join(root, 'unit', '.run.lock'));
    // as if this lock's holder had died: its pid replaced by a dead one
    const rec = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...rec, pid: deadPid() }));
    const mine = acquireRunLock(dir, 'resume');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'resume' });
    expect(() => stale.assertHeld()).toThrow(/this process no longer holds the run's lock .*run\.lock \(it is now held by process \d+, rl resume\); stopping without writing/);
    mine.assertHeld();
    expect(() => acquireRunLock(dir, 'train')).toThrow(new RegExp(`in use by process ${process.pid} \\(rl resume since`));
    // a lock of another host is never taken over
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'elsewhere', command: 'train', since: 'then', token: 't' }));
    expect(() => acquireRunLock(dir, 'train')).toThrow(/in use by process 1 on host elsewhere \(rl train since then\); if that process is gone, delete .*\.run\.lock/);
    rmSync(path);
    const last = acquireRunLock(dir, 'train');
    last.release();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(root, 'unit'))).toEqual([]);
  });
});
