/**
 * Time to solve CartPole-v1 with rollout workers on vs off: the trainer's own update
 * (`reinforceUpdate`, `createOptimizer`, `DEFAULT_CONFIG`: N = 16, T = 64, Adam 1e-3,
 * reward-to-go, mean baseline, normalised advantages, tanh 64-64) on wasm, with the rollouts
 * from `createRunner` (off) or `createWorkerRunner` with k threads (on). Solved = mean return
 * of the last 100 finished episodes ≥ 475. Both runs use the same seeds; with workers the
 * sampling streams differ (per shard), so the learning curves are not identical — one seed
 * each is an anecdote, not a statistic. The machine is shared: wall times are noisy.
 *
 *   npx tsx --conditions=source benchmarks/train-workers.ts [--workers 2] [--num-envs 16] [--max-seconds 150]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { makeVec } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { createRunner, createWorkerRunner, type Runner, type WorkerRunner } from '@rl/runner';
import { initTf, tf } from '@rl/tf';
import { DEFAULT_CONFIG, createOptimizer, reinforceUpdate, type Learner } from '@rl/trainer';
import { machineInfo, markdownTable, writeReport } from './lib/report.js';

/** Options of {@link runTrainWorkersBench}. */
export interface TrainWorkersOptions {
  /** Worker threads of the "on" run; default 2. */
  readonly workers?: number;
  /** N; default the trainer's default (16). */
  readonly numEnvs?: number;
  /** T; default the trainer's default (64). */
  readonly stepsPerIter?: number;
  /** Give up after this many wall seconds per run; default 150. */
  readonly maxSeconds?: number;
  /** Give up after this many env steps per run; default 1,000,000. */
  readonly maxSteps?: number;
  /** Seed; default 1. */
  readonly seed?: number;
  /** Write JSON, markdown and the RESULTS.md section; default true. */
  readonly write?: boolean;
  readonly log?: (line: string) => void;
}

/** One run. */
export interface TrainWorkersRow {
  /** 0 = single process. */
  readonly workers: number;
  readonly solved: boolean;
  readonly seconds: number;
  readonly envSteps: number;
  readonly iterations: number;
  /** Mean return of the last 100 episodes at the end. */
  readonly finalMean100: number;
  /** Seconds in rollouts / in updates. */
  readonly rolloutSeconds: number;
  readonly updateSeconds: number;
  readonly load1: number;
}

function trainOnce(workers: number, o: Required<Omit<TrainWorkersOptions, 'write' | 'log'>>): TrainWorkersRow & { close?: () => Promise<void> } {
  const cfg = DEFAULT_CONFIG;
  const probe = makeVec(cfg.env, 1);
  const policy = createPolicy(probe.singleObservationSpace, probe.singleActionSpace, { hidden: cfg.hidden, activation: cfg.activation, seed: o.seed });
  const optimizer = createOptimizer(policy.trainableVariables, { kind: cfg.optimizer, lr: cfg.lr });
  const learner: Learner = { policy, optimizer, ema: undefined };
  const runner: Runner =
    workers === 0
      ? createRunner(policy, makeVec(cfg.env, o.numEnvs, { seed: o.seed }), { seed: o.seed })
      : createWorkerRunner(policy, { envId: cfg.env, numEnvs: o.numEnvs, workers, seed: o.seed, backend: 'wasm' });
  const t0 = performance.now();
  const last: number[] = [];
  let iterations = 0;
  let rolloutMs = 0;
  let updateMs = 0;
  let solved = false;
  while (!solved && runner.stats.envSteps < o.maxSteps && (performance.now() - t0) / 1000 < o.maxSeconds) {
    const a = performance.now();
    const batch = runner.rollout(o.stepsPerIter);
    const b = performance.now();
    try {
      reinforceUpdate(learner, batch, cfg, ++iterations);
    } finally {
      batch.dispose();
    }
    updateMs += performance.now() - b;
    rolloutMs += b - a;
    for (const r of batch.episodeReturns) last.push(r);
    if (last.length > 100) last.splice(0, last.length - 100);
    solved = last.length === 100 && last.reduce((x, y) => x + y, 0) / 100 >= 475;
  }
  const seconds = (performance.now() - t0) / 1000;
  const row = {
    workers,
    solved,
    seconds,
    envSteps: runner.stats.envSteps,
    iterations,
    finalMean100: last.length ? last.reduce((x, y) => x + y, 0) / last.length : 0,
    rolloutSeconds: rolloutMs / 1000,
    updateSeconds: updateMs / 1000,
    load1: loadavg()[0]!,
  };
  optimizer.dispose();
  return {
    ...row,
    close: async () => {
      if (workers > 0) await (runner as WorkerRunner).close();
      else runner.dispose();
      policy.dispose();
    },
  };
}

/**
 * Trains CartPole-v1 to 475 without and with k rollout workers (see the file header); unless
 * `write: false`, writes `benchmarks/results/train-workers.{json,md}` and the RESULTS.md section.
 */
export async function runTrainWorkersBench(opts: TrainWorkersOptions = {}): Promise<{ rows: TrainWorkersRow[]; markdown: string }> {
  const o = {
    workers: opts.workers ?? 2,
    numEnvs: opts.numEnvs ?? DEFAULT_CONFIG.numEnvs,
    stepsPerIter: opts.stepsPerIter ?? DEFAULT_CONFIG.stepsPerIter,
    maxSeconds: opts.maxSeconds ?? 150,
    maxSteps: opts.maxSteps ?? 1_000_000,
    seed: opts.seed ?? 1,
  };
  const log = opts.log ?? ((l: string) => console.log(l));
  await initTf({ backend: 'wasm' });
  const rows: TrainWorkersRow[] = [];
  for (const k of [0, o.workers]) {
    const { close, ...row } = trainOnce(k, o);
    await close?.();
    rows.push(row);
    log(`${k === 0 ? 'single process' : `${k} workers`}: ${row.solved ? 'solved' : 'NOT solved'} in ${row.seconds.toFixed(1)} s, ${row.envSteps} env steps, ${row.iterations} iterations (rollouts ${row.rolloutSeconds.toFixed(1)} s, updates ${row.updateSeconds.toFixed(1)} s), last-100 mean ${row.finalMean100.toFixed(1)}, load ${row.load1.toFixed(1)}`);
  }
  const markdown = [
    `Time to solve CartPole-v1 (mean of the last 100 episodes ≥ 475) with the trainer's update and default config (N = ${o.numEnvs}, T = ${o.stepsPerIter}, Adam 1e-3, reward-to-go, mean baseline, tanh 64-64), wasm, seed ${o.seed}, rollouts in the learner's thread vs on ${o.workers} worker threads. One seed per row; the worker run samples from per-shard streams, so its learning curve differs. Capped at ${o.maxSeconds} s / ${o.maxSteps.toLocaleString('en-US')} steps. Shared 2-core machine: the 1-minute load average is in the table.`,
    markdownTable(
      ['rollouts', 'solved', 'wall s', 'env steps', 'iterations', 'rollout s', 'update s', 'last-100 mean', 'load (1 min)'],
      rows.map((r) => [r.workers === 0 ? 'single process' : `${r.workers} workers`, r.solved ? 'yes' : 'no', r.seconds.toFixed(1), r.envSteps, r.iterations, r.rolloutSeconds.toFixed(1), r.updateSeconds.toFixed(1), r.finalMean100.toFixed(1), r.load1.toFixed(1)]),
    ),
    '`rollout s` / `update s` split each run: workers can only shorten the rollout part; the update (one forward + backward over T·N samples, Adam) stays on the learner thread.',
  ].join('\n\n');
  if (opts.write ?? true) {
    writeReport({ name: 'train-workers', title: 'Time to solve CartPole-v1, rollout workers on vs off', machine: machineInfo({ tfjs: tf.version.tfjs, backend: 'wasm' }), markdown, data: { rows, options: o } });
  }
  return { rows, markdown };
}

function parseArgs(argv: readonly string[]): TrainWorkersOptions {
  const val = (k: string): number | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const w = val('--workers');
  const n = val('--num-envs');
  const s = val('--max-seconds');
  return { ...(w ? { workers: w } : {}), ...(n ? { numEnvs: n } : {}), ...(s ? { maxSeconds: s } : {}), ...(argv.includes('--no-write') ? { write: false } : {}) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runTrainWorkersBench(parseArgs(process.argv.slice(2)));
  console.log(`\n${r.markdown}`);
}
