/**
 * Start-up of `rl train`: from process start to the first rollout and to the end of the first
 * iteration, in wall and CPU time, as `rl train` logs them in train.log (`msSinceProcessStart`
 * phases of "run started", and "first iteration done"). Each run is a whole `./rl train` process
 * (CartPole-v1, 1,024 env steps, no evaluation). Goal (issue 14): ≤ 0.5 s to the first rollout.
 * The bins run the built dist/ when it matches the sources (scripts/launch.mjs); the report says
 * which one ran. To see where the time goes: `node --cpu-prof packages/cli/bin/rl.mjs train …`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, markdownTable, median, writeReport } from './lib/report.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Milliseconds since process start of one `rl train` run. */
export interface StartupRun {
  readonly trainerLoaded: number;
  readonly backendReady: number;
  readonly trainerBuilt: number;
  /** The run directory is written: the first rollout starts. */
  readonly runDirWritten: number;
  readonly firstIterationDone: number;
  readonly cpuFirstIterationDone: number;
}

/** One `./rl train` process; its phases from train.log. */
function oneRun(dir: string): StartupRun {
  execFileSync(join(ROOT, 'rl'), ['train', '--env', 'CartPole-v1', '--total-steps', '1024', '--eval-episodes', '0', '--out', dir, '--force'], {
    cwd: ROOT,
    env: { ...process.env, RL_LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const lines = readFileSync(join(dir, 'train.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const phases = lines.find((l) => typeof l.msSinceProcessStart === 'object')!.msSinceProcessStart as Record<string, number>;
  const first = lines.find((l) => l.msg === 'first iteration done')!;
  return {
    trainerLoaded: phases.trainerLoaded!,
    backendReady: phases.backendReady!,
    trainerBuilt: phases.trainerBuilt!,
    runDirWritten: phases.runDirWritten!,
    firstIterationDone: first.msSinceProcessStart as number,
    cpuFirstIterationDone: first.cpuMsSinceProcessStart as number,
  };
}

/** Runs `./rl train` `runs` times; reports median and min of each phase. */
export async function runStartupBench(opts: { runs?: number } = {}): Promise<StartupRun[]> {
  const { staleBuilds } = (await import(join(ROOT, 'scripts', 'launch.mjs'))) as { staleBuilds: () => string[] };
  const stale = staleBuilds();
  const runs = opts.runs ?? 9;
  const work = mkdtempSync(join(tmpdir(), 'rl-startup-'));
  const loadBefore = loadavg()[0]!;
  const results: StartupRun[] = [];
  try {
    for (let i = 0; i < runs; i++) results.push(oneRun(join(work, 'run')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const loadAfter = loadavg()[0]!;
  const keys = Object.keys(results[0]!) as (keyof StartupRun)[];
  const rows = keys.map((k) => [k, median(results.map((r) => r[k])), Math.min(...results.map((r) => r[k]))]);
  const goalMet = median(results.map((r) => r.runDirWritten)) <= 500;
  const md = [
    `${runs} runs of \`./rl train --env CartPole-v1 --total-steps 1024 --eval-episodes 0\`, ms since process start; ` +
      `ran from ${stale.length === 0 ? 'dist/ (the build matched the sources)' : `the TypeScript sources (stale builds: ${stale.join(', ')})`}; ` +
      `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    '',
    markdownTable(['phase', 'median ms', 'min ms'], rows),
    '',
    `Goal: first rollout (runDirWritten) ≤ 500 ms — ${goalMet ? 'met' : 'missed'} (median).`,
  ].join('\n');
  console.log(md);
  writeReport({ name: 'startup', title: 'Start-up of rl train', machine: machineInfo(), markdown: md, data: { runs: results, stale, loadBefore, loadAfter, goalMet } });
  return results;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) await runStartupBench({ runs: process.argv.includes('--quick') ? 3 : undefined });
