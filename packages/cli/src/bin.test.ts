/**
 * The `rl` command as the README tells users to start it (`./rl …` at the repo root), in real
 * processes: SIGTERM reaches the server and the trainer themselves (no wrapper process to be
 * killed in their place), and `--json` prints exactly one JSON document on stdout through every
 * entry (`./rl`, node_modules/.bin/rl, `npx rl`, `pnpm rl`).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const RL = join(ROOT, 'rl');
const work = mkdtempSync(join(tmpdir(), 'rl-bin-'));
const run = join(work, 'run');

/** The ways to start `rl` in this repo: the documented `./rl` first. */
const ENTRIES: Record<string, readonly string[]> = {
  './rl': [RL],
  'node_modules/.bin/rl': [join(ROOT, 'node_modules', '.bin', 'rl')],
  'npx rl': ['npx', 'rl'],
  'pnpm rl': ['pnpm', 'rl'],
};

/** Starts `./rl ...args`, collecting its output. */
function start(args: readonly string[]): { child: ChildProcess; out: () => string; done: Promise<{ status: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(RL, args, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (status, signal) => res({ status, signal })));
  return { child, out: () => out, done };
}

/** Resolves once `check` holds, polling every 50 ms (fails after 60 s, with `what`). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Pids of the processes whose parent is `pid` (ps exits 1 when there are none). */
const childrenOf = (pid: number): number[] =>
  spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split('\n').map(Number).filter((n) => n > 0);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(() => {
  execFileSync(RL, ['train', '--env', 'CartPole-v1', '--total-steps', '2048', '--eval-episodes', '0', '--out', run], { cwd: ROOT, env: childEnv(), stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('./rl, the documented entry', () => {
  it('is one process: SIGTERM to it stops rl serve cleanly (exit 0, nothing left listening, no orphan)', async () => {
    const s = start(['serve', run, '--port', '0']);
    await until(() => /http:\/\/127\.0\.0\.1:\d+/.test(s.out()), 'rl serve to listen');
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(s.out())![0];
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(childrenOf(s.child.pid!)).toEqual([]); // the server itself, not a wrapper around it
    s.child.kill('SIGTERM');
    expect(await s.done).toEqual({ status: 0, signal: null });
    expect(alive(s.child.pid!)).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('SIGTERM to rl train writes a checkpoint and exits 0', async () => {
    const out = join(work, 'long');
    const s = start(['train', '--env', 'CartPole-v1', '--total-steps', '100000000', '--out', out]);
    await until(() => existsSync(join(out, 'metrics.jsonl')) && readFileSync(join(out, 'metrics.jsonl'), 'utf8').includes('\n'), 'the first iteration');
    expect(childrenOf(s.child.pid!)).toEqual([]);
    s.child.kill('SIGTERM');
    expect(await s.done).toEqual({ status: 0, signal: null });
    expect(readdirSync(join(out, 'checkpoints')).length).toBeGreaterThan(0);
  });

  it.each(Object.keys(ENTRIES))('%s check-env CartPole-v1 --json: stdout is exactly one JSON document', (entry) => {
    const [cmd, ...pre] = ENTRIES[entry]!;
    const stdout = execFileSync(cmd!, [...pre, 'check-env', 'CartPole-v1', '--json'], { cwd: ROOT, env: childEnv(), encoding: 'utf8' });
    expect(JSON.parse(stdout)).toMatchObject({ env: 'CartPole-v1', ok: true });
  });

  it('./rl eval --json: stdout is exactly one JSON document', () => {
    const stdout = execFileSync(RL, ['eval', run, '--episodes', '3', '--json'], { cwd: ROOT, env: childEnv(), encoding: 'utf8' });
    expect(JSON.parse(stdout)).toMatchObject({ episodes: 3 });
  });
});
