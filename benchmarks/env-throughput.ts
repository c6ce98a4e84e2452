/**
 * Env throughput: steps/s of the generic `SyncVectorEnv` vs the native batched vector env, for
 * each classic-control env and N ∈ {1, 16, 64, 256, 1024, 4096}, with random actions drawn in
 * advance from a seeded `Rng` (so the timed loop only steps). Each figure is the median of a
 * few timed runs of ~0.25 s. Writes `results/env-throughput.{json,md}` and its section of
 * `RESULTS.md`.
 *
 *   npx tsx --conditions=source benchmarks/env-throughput.ts [--quick]
 *
 * `--quick` (or RL_BENCH_QUICK=1) runs tiny measurements, for the smoke test.
 */
import { makeVec, registeredIds, Rng, type VectorEnv } from '@rl/env';
import { machineInfo, markdownTable, median, writeReport } from './lib/report.js';

const QUICK = process.argv.includes('--quick') || process.env.RL_BENCH_QUICK === '1';
const SIZES = QUICK ? [1, 64] : [1, 16, 64, 256, 1024, 4096];
const MODES = ['generic', 'native'] as const;
const TARGET_S = QUICK ? 0.01 : 0.25; // seconds per timed run
const REPEATS = QUICK ? 1 : 5;
const GOAL = 30e6; // native CartPole, N ≥ 1024, one thread

/** One measured configuration. */
export interface ThroughputRow {
  readonly env: string;
  readonly numEnvs: number;
  readonly vectorization: (typeof MODES)[number];
  /** Median env steps per second (N × vector steps / s). */
  readonly stepsPerSec: number;
  /** Every timed run's steps/s. */
  readonly runs: number[];
  /** Vector steps per timed run. */
  readonly vectorSteps: number;
}

/** `count` batches of random actions for `venv`, drawn in advance. */
function actionBatches(venv: VectorEnv, count: number, rng: Rng): (Int32Array | Float32Array)[] {
  const sp = venv.singleActionSpace;
  const out: (Int32Array | Float32Array)[] = [];
  for (let b = 0; b < count; b++) {
    if (sp.type === 'Discrete') {
      const a = new Int32Array(venv.numEnvs);
      for (let i = 0; i < a.length; i++) a[i] = rng.int(sp.n);
      out.push(a);
    } else {
      const a = new Float32Array(venv.numEnvs * venv.actionDim);
      for (let i = 0; i < a.length; i++) a[i] = rng.uniform(sp.low[i % sp.size]!, sp.high[i % sp.size]!);
      out.push(a);
    }
  }
  return out;
}

function timeRun(venv: VectorEnv, acts: readonly ArrayLike<number>[], steps: number): number {
  const m = acts.length;
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < steps; t++) venv.step(acts[t % m]!);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Measures one configuration: calibrate the step count to ~TARGET_S, then REPEATS timed runs. */
export function measure(id: string, numEnvs: number, vectorization: (typeof MODES)[number]): ThroughputRow {
  const venv = makeVec(id, numEnvs, { vectorization });
  venv.reset({ seed: 0 });
  const acts = actionBatches(venv, Math.max(4, Math.min(64, Math.ceil(65536 / numEnvs))), new Rng(1));
  // Warm up (lets V8 optimise the loop) and calibrate.
  let steps = 1;
  let secs = timeRun(venv, acts, steps);
  while (secs < TARGET_S / 10) {
    steps *= 2;
    secs = timeRun(venv, acts, steps);
  }
  const vectorSteps = Math.max(1, Math.round((steps * TARGET_S) / secs));
  const runs: number[] = [];
  for (let r = 0; r < REPEATS; r++) runs.push((vectorSteps * numEnvs) / timeRun(venv, acts, vectorSteps));
  venv.close();
  return { env: id, numEnvs, vectorization, stepsPerSec: median(runs), runs, vectorSteps };
}

/** Runs every configuration and writes the report; returns the rows. */
export function main(): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  const t0 = Date.now();
  // CartPole first and alone at first, so its numbers are not affected by the other envs' code in the shared base class.
  const ids = ['CartPole-v1', ...registeredIds().filter((id) => id !== 'CartPole-v1')];
  for (const id of ids) {
    for (const mode of MODES) {
      for (const n of SIZES) {
        const row = measure(id, n, mode);
        rows.push(row);
        if (!QUICK) console.log(`${id.padEnd(26)} ${mode.padEnd(8)} N=${String(n).padStart(4)}  ${(row.stepsPerSec / 1e6).toFixed(3)}M steps/s`);
      }
    }
  }
  const fmt = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(1)}k`);
  const tables: string[] = [];
  for (const id of ids) {
    const body = SIZES.map((n) => {
      const g = rows.find((r) => r.env === id && r.numEnvs === n && r.vectorization === 'generic')!;
      const nat = rows.find((r) => r.env === id && r.numEnvs === n && r.vectorization === 'native')!;
      return [String(n), fmt(g.stepsPerSec), fmt(nat.stepsPerSec), fmt(Math.max(...nat.runs)), `${(nat.stepsPerSec / g.stepsPerSec).toFixed(1)}×`];
    });
    tables.push(`### ${id}\n\n${markdownTable(['N', 'generic steps/s (median)', 'native steps/s (median)', 'native (best run)', 'native / generic'], body)}`);
  }
  const cp = rows.filter((r) => r.env === 'CartPole-v1' && r.vectorization === 'native' && r.numEnvs >= 1024);
  const best = cp.length ? Math.max(...cp.map((r) => r.stepsPerSec)) : 0;
  const bestRun = cp.length ? Math.max(...cp.flatMap((r) => r.runs)) : 0;
  const met = best >= GOAL;
  const goalLine =
    `**Goal:** native CartPole ≥ 30M env steps/s at N ≥ 1024 on one thread (Python Gymnasium does about 0.1M/s; gymnax on an A100 about 20M/s). ` +
    `**Measured:** median ${fmt(best)} steps/s (best N ≥ 1024; fastest single run ${fmt(bestRun)}) — goal ${met ? 'met' : `not met (${((100 * best) / GOAL).toFixed(0)}% of it)`}${!met && bestRun >= GOAL ? ', though single runs reached it' : ''}.`;
  const md = [
    goalLine,
    '',
    `Random actions drawn in advance from a seeded Rng; each figure is the median of ${REPEATS} timed runs of ~${TARGET_S} s after warm-up; ` +
      'steps/s counts env steps (N × vector steps), including autoresets, time limits and action checks. ' +
      'One Node thread. The machine is shared with other engineers working at the same time, so figures are noisy (compare within a run).',
    '',
    tables.join('\n\n'),
  ].join('\n');
  if (!QUICK || process.env.RL_BENCH_RESULTS_DIR) {
    writeReport({
      name: 'env-throughput',
      title: 'Env throughput (generic vs native vector envs)',
      machine: machineInfo(),
      markdown: md,
      data: { goal: { stepsPerSec: GOAL, env: 'CartPole-v1', minNumEnvs: 1024, met, best, bestRun }, rows, quick: QUICK, elapsedSeconds: (Date.now() - t0) / 1000 },
    });
  }
  if (!QUICK) console.log(`\n${goalLine}\n(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return rows;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) main();
