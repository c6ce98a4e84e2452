import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@rl/env';
import { TIMING_FIELDS } from '@rl/trainer';
import { verifyPolicyDir } from '@rl/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCheckpoints, readCheckpoint } from '@rl/trainer/checkpoint';
import { rl, rlSpawn } from './harness.js';
import { readMetrics, type MetricsRecord } from './metrics.js';
import { openRunDir } from './rundir.js';

// SIGKILL real `rl train` / `rl resume` children at random moments (20 kill points: 4 chains of
// 5 run concurrently), checking after every kill that each file of the run directory parses and
// that at most one checkpoint interval was lost; then `rl resume` to the end must reproduce the
// metrics of an uninterrupted run exactly: chains 0-1 in episodes mode, chains 2-3 in steps mode
// (the default; episodes run on across iterations and checkpoints, and resume bit-identically).
const CHAINS = 4;
const KILLS_PER_CHAIN = 5;
const EVERY = 2; // checkpoint interval (iterations)
const TOTAL = '8000';
type Mode = 'episodes' | 'steps';
const modeOf = (chain: number): Mode => (chain < CHAINS / 2 ? 'episodes' : 'steps');
const args = (mode: Mode): string[] => ['--mode', mode, '--num-envs', '4', '--steps-per-iter', '32', '--total-steps', TOTAL, '--eval-episodes', '0', '--checkpoint-every', String(EVERY), '--keep-checkpoints', '2', '--curve-seconds', '0.05', '--seed', '7'];

let root: string;
let env: Record<string, string>; // children ignore the repo's tuned configs/, so the runs stay tiny and fixed
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-crash-'));
  env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
});
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); // after a failure, stop the other chains
  rmSync(root, { recursive: true, force: true, maxRetries: 5 });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const timeless = (recs: readonly MetricsRecord[]): Record<string, unknown>[] => recs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k))));

/** What a killed run directory must satisfy; returns the newest checkpoint's iteration and the metrics line count. */
function checkAfterKill(dir: string, where: string): { ckpt: number; lines: number } {
  openRunDir(dir); // run.json and the file set
  JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const ckpts = listCheckpoints(join(dir, 'checkpoints'));
  expect(ckpts.length, where).toBeGreaterThan(0);
  for (const c of ckpts) expect(readCheckpoint(c.dir).iteration, where).toBe(c.iteration); // every complete checkpoint parses
  const metrics = readMetrics(join(dir, 'metrics.jsonl'), { tornTail: true }); // consecutive iterations, no duplicates
  const ckpt = ckpts[ckpts.length - 1]!.iteration;
  expect(metrics.length, where).toBeGreaterThanOrEqual(ckpt);
  expect(metrics.length - ckpt, `${where}: iterations since the last checkpoint`).toBeLessThanOrEqual(EVERY);
  if (existsSync(join(dir, 'curve.svg'))) expect(readFileSync(join(dir, 'curve.svg'), 'utf8').trimEnd().endsWith('</svg>'), where).toBe(true);
  // model/ is published atomically (a link swung to a whole version): after any kill it is there and verifies
  expect(() => verifyPolicyDir(dir), where).not.toThrow();
  return { ckpt, lines: metrics.length };
}

async function chain(index: number): Promise<{ dir: string; kills: number; mode: Mode }> {
  const rng = new Rng(1000 + index);
  const dir = join(root, `chain-${index}`);
  let kills = 0;
  let lastCkpt = 0;
  for (let k = 0; k < KILLS_PER_CHAIN; k++) {
    const argv = k === 0 ? ['train', '--out', dir, ...args(modeOf(index))] : ['resume', dir];
    const resumes = (): number => (readFileSync(join(dir, 'train.log'), 'utf8').match(/"msg":"run resumed"/g) ?? []).length;
    const resumesBefore = k === 0 ? 0 : resumes();
    const { child, done } = rlSpawn(argv, { env });
    children.add(child);
    let exited = false;
    void done.then(() => (exited = true));
    const t0 = Date.now();
    const duringStartup = k > 0 && rng.float() < 0.25;
    if (duringStartup) await sleep(rng.uniform(0, 300));
    else {
      // wait until this process has (re)opened the run, let it complete 0-3 iterations, then kill at a
      // random moment of the next one (rollout, update, metrics append, checkpoint or curve write)
      const ready = (): boolean => (k === 0 ? existsSync(join(dir, 'run.json')) : resumes() > resumesBefore);
      while (!exited && !ready() && Date.now() - t0 < 60_000) await sleep(5);
      const lines = (): number => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').length - 1;
      const target = lines() + rng.int(4);
      while (!exited && lines() < target && Date.now() - t0 < 60_000) await sleep(2);
      await sleep(rng.uniform(0, 25));
    }
    if (exited) {
      // finished before the kill point: it must have finished cleanly, with nothing left to interrupt
      const r = await done;
      expect(r.status, `chain ${index}, process ${k + 1} exited before its kill point: ${r.stderr}`).toBe(0);
      break;
    }
    child.kill('SIGKILL');
    const r = await done;
    expect(r.signal, `chain ${index}, process ${k + 1}: ${r.stderr}`).toBe('SIGKILL');
    kills++;
    const where = `chain ${index}, kill ${k + 1} (${duringStartup ? 'start-up' : 'training'})`;
    const now = checkAfterKill(dir, where);
    expect(now.ckpt, `${where}: checkpoints never go back`).toBeGreaterThanOrEqual(lastCkpt);
    lastCkpt = now.ckpt;
  }
  const fin = await rl(['resume', dir], { env });
  expect(fin.stderr, `chain ${index} final resume`).toBe('');
  expect(fin.status).toBe(0);
  return { dir, kills, mode: modeOf(index) };
}

describe('crash safety', () => {
  it(`SIGKILL at ${CHAINS * KILLS_PER_CHAIN} random moments, then resume: files parse, ≤ 1 checkpoint interval lost, same metrics as an uninterrupted run`, async () => {
    const refDir = (mode: Mode): string => join(root, `reference-${mode}`);
    const refs = Promise.all((['episodes', 'steps'] as const).map((m) => rl(['train', '--out', refDir(m), ...args(m)], { env })));
    const [refResults, chains] = await Promise.all([refs, Promise.all(Array.from({ length: CHAINS }, (_, i) => chain(i)))]);
    for (const ref of refResults) expect(ref.status, ref.stderr).toBe(0);
    expect(chains.reduce((s, c) => s + c.kills, 0)).toBe(CHAINS * KILLS_PER_CHAIN);
    for (const c of chains) {
      const metrics = readMetrics(join(c.dir, 'metrics.jsonl'));
      expect(timeless(metrics), `chain ${c.dir} (${c.mode} mode)`).toEqual(timeless(readMetrics(join(refDir(c.mode), 'metrics.jsonl'))));
      expect(readFileSync(join(c.dir, 'model', 'weights.bin')).equals(readFileSync(join(refDir(c.mode), 'model', 'weights.bin')))).toBe(true);
      expect(readdirSync(c.dir).filter((n) => n.startsWith('.') && !/^\.model(-last)?\.v\d+$/.test(n))).toEqual([]); // no temporary leftovers after a clean finish (the versions of model/ and model-last/ stay)
      expect(readdirSync(join(c.dir, 'checkpoints')).filter((n) => n.startsWith('.'))).toEqual([]);
      for (const line of readFileSync(join(c.dir, 'train.log'), 'utf8').trimEnd().split('\n')) JSON.parse(line);
    }
  }, 300_000);
});
