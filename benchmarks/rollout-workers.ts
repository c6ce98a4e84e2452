/**
 * Rollout scaling with worker threads (`rl bench rollout --workers 1,2`): env steps per second
 * of batched CartPole-v1 rollouts with the 4→64→64→2 tanh MLP on wasm, for N ∈ {64, 256,
 * 1024, 4096}, with the envs sharded across k worker threads (`createWorkerRunner`, k ∈ {1, 2})
 * beside the single-process `createRunner` and the PyTorch peer (2 threads) in the same run.
 *
 * "env steps/s" = N·T / wall seconds of one `runner.rollout(T)` as the learner sees it: weights
 * out, every shard's rollout, the `[T, N, …]` batch assembled into tensors. T is sized so one
 * rollout takes ≥ `seconds`; each figure is the median of `repeats` rollouts after a warm-up.
 * The machine is shared (its load average is recorded with every row): timings are noisy.
 *
 *   npx tsx --conditions=source benchmarks/rollout-workers.ts [--quick] [--no-peer] [--workers 1,2] [--ns 64,1024]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeVec } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { createRunner, createWorkerRunner, type Runner, type WorkerRunner } from '@rl/runner';
import { initTf, tf } from '@rl/tf';
import { machineInfo, markdownTable, median, procLoadavg, writeReport } from './lib/report.js';

/** Options of {@link runWorkersBench}. */
export interface WorkersBenchOptions {
  /** Batch sizes N; default 64, 256, 1024, 4096. */
  readonly ns?: readonly number[];
  /** Worker counts k; default 1, 2. */
  readonly workers?: readonly number[];
  /** Also time the single-process runner; default true. */
  readonly inProcess?: boolean;
  /** Minimum seconds of one timed rollout; default 0.5. */
  readonly seconds?: number;
  /** Timed rollouts per figure (the median is reported); default 3. */
  readonly repeats?: number;
  /** Run the PyTorch peer when its Python is available; default true. */
  readonly peer?: boolean;
  /** Write JSON, markdown, SVG and the RESULTS.md section; default true. */
  readonly write?: boolean;
  /** Progress lines (default: console.log). */
  readonly log?: (line: string) => void;
}

/** One measured figure: `workers` 0 is the single-process runner. */
export interface WorkersBenchRow {
  readonly n: number;
  readonly workers: number;
  /** Median env steps per second. */
  readonly stepsPerSec: number;
  /** Vector steps T of one timed rollout. */
  readonly steps: number;
  /** Every timed rollout's steps/s. */
  readonly runs: readonly number[];
  /** Seconds to start the workers (import, tfjs, env, policy) before the first rollout. */
  readonly startSeconds: number;
  /** 1-minute load average when the row was measured (2 cores: above 2 means others were running). */
  readonly load1: number;
  /** Workers only: the slowest shard's time inside its worker / the learner's wall time of the rollout (median); 1 − this is the learner-side overhead. */
  readonly shardShare: number | undefined;
}

/** The peer's outcome. */
export interface WorkersPeerResult {
  readonly ran: boolean;
  readonly note: string;
  /** env steps/s per N (median repeat). */
  readonly stepsPerSec: Record<number, number>;
}

/** Everything the benchmark measured. */
export interface WorkersBenchResult {
  readonly rows: readonly WorkersBenchRow[];
  readonly peer: WorkersPeerResult;
  readonly markdown: string;
  /** /proc/loadavg before and after the run. */
  readonly load: { readonly before: string; readonly after: string };
}

const HERE = dirname(fileURLToPath(import.meta.url));
const PEER = join(HERE, 'peers', 'torch_reinforce', 'rollout_bench.py');
const PY = '/usr/bin/python3';
const ENV = 'CartPole-v1';
/** The peer is stopped (and reported as skipped) after this long: torch's 2 OpenMP threads crawl on an oversubscribed machine. */
const PEER_TIMEOUT_MS = 150_000;

/**
 * Times `runner.rollout(T)` with T sized so one call takes ≥ `seconds`: median steps/s of
 * `repeats` calls. A fresh worker's first rollouts are slow (JIT, wasm kernels, buffers): it is
 * warmed up for ≥ 0.4 s (and ≥ 3 calls) before T is sized.
 */
function timeRollouts(runner: Runner, n: number, seconds: number, repeats: number, shardMs?: () => readonly number[]): { perSec: number; runs: number[]; steps: number; shardShare: number[] } {
  const warm0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm0 < 400; i++) runner.rollout(32).dispose();
  let steps = 32;
  for (;;) {
    const t0 = performance.now();
    runner.rollout(steps).dispose();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds / 4 || steps >= 1 << 14) {
      steps = Math.max(32, Math.ceil((steps * seconds) / Math.max(dt, 1e-6)));
      break;
    }
    steps *= 4;
  }
  const runs: number[] = [];
  const shardShare: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    runner.rollout(steps).dispose();
    const ms = performance.now() - t0;
    runs.push((steps * n) / (ms / 1000));
    if (shardMs) shardShare.push(Math.max(...shardMs()) / ms);
  }
  return { perSec: median(runs), runs, steps, shardShare };
}

/** Runs the PyTorch peer's rollout benchmark with 2 threads, or says why not. */
function runPeer(ns: readonly number[], log: (l: string) => void): WorkersPeerResult {
  const probe = spawnSync(PY, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop() || `exit ${probe.status}`;
    return { ran: false, note: `skipped: \`${PY} -c "import torch"\` failed (${why})`, stepsPerSec: {} };
  }
  const args = [PEER, '--threads', '2', '--ns', ns.join(','), '--steps', '400', '--repeats', '3', '--no-breakdown', '--update-batches', ''];
  log(`peer: ${PY} ${args.join(' ')}`);
  // The peer prints one JSON line per N on stderr as it goes: a run stopped by the timeout still reports the N it finished.
  const r = spawnSync(PY, args, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: PEER_TIMEOUT_MS });
  const stepsPerSec: Record<number, number> = {};
  for (const line of (r.stderr ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const row = JSON.parse(line) as { type?: string; N?: number; env_steps_per_s?: number };
      if (row.type === 'rollout' && row.N !== undefined && row.env_steps_per_s !== undefined) stepsPerSec[row.N] = row.env_steps_per_s;
    } catch {
      // not one of the peer's JSON lines
    }
  }
  const cmd = `python3 benchmarks/peers/torch_reinforce/rollout_bench.py ${args.slice(1).join(' ')} (torch ${probe.stdout.trim()}, 2 threads)`;
  const got = Object.keys(stepsPerSec).length;
  if (got === 0) {
    const why = r.error ? r.error.message : `exit ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`;
    return { ran: false, note: `skipped: the peer failed (${why})`, stepsPerSec };
  }
  const partial = got < ns.length ? `; stopped after ${PEER_TIMEOUT_MS / 1000} s with ${got} of ${ns.length} N measured` : '';
  return { ran: true, note: `ran: ${cmd}${partial}`, stepsPerSec };
}

const seriesName = (k: number): string => (k === 0 ? 'single process' : `${k} worker${k > 1 ? 's' : ''}`);

async function plotSvg(rows: readonly WorkersBenchRow[], peer: WorkersPeerResult): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const byN = rows.map((r) => ({ N: r.n, stepsPerSec: r.stepsPerSec, series: seriesName(r.workers) }));
  for (const [n, v] of Object.entries(peer.stepsPerSec)) byN.push({ N: Number(n), stepsPerSec: v, series: 'PyTorch peer (2 threads)' });
  const byK = rows.filter((r) => r.workers > 0).map((r) => ({ workers: r.workers, stepsPerSec: r.stepsPerSec, N: `N = ${r.n}` }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'CartPole-v1 rollouts on worker threads, tanh 64-64 MLP, wasm',
    hconcat: [
      {
        width: 380,
        height: 300,
        data: { values: byN },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'N', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'N (envs in the batch)' },
          y: { field: 'stepsPerSec', type: 'quantitative', scale: { type: 'log' }, title: 'env steps / s' },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      {
        width: 240,
        height: 300,
        data: { values: byK },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'workers', type: 'quantitative', scale: { domain: [1, Math.max(2, ...byK.map((v) => v.workers))] }, axis: { tickMinStep: 1 }, title: 'worker threads k' },
          y: { field: 'stepsPerSec', type: 'quantitative', title: 'env steps / s' },
          color: { field: 'N', type: 'nominal', title: null, sort: null },
        },
      },
    ],
  };
  // vega-lite's TopLevelSpec type is a deep union; the spec above is plain JSON it validates at compile time.
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

/**
 * Measures rollout throughput vs worker threads (see the file header) and, unless
 * `write: false`, writes `benchmarks/results/rollout-workers.{json,md,svg}` and the
 * RESULTS.md section.
 * @example
 * const r = await runWorkersBench({ ns: [64], workers: [1], peer: false, write: false });
 */
export async function runWorkersBench(opts: WorkersBenchOptions = {}): Promise<WorkersBenchResult> {
  const ns = opts.ns ?? [64, 256, 1024, 4096];
  const ks = opts.workers ?? [1, 2];
  const seconds = opts.seconds ?? 0.5;
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? ((l: string) => console.log(l));
  const loadBefore = procLoadavg();
  log(`load before: ${loadBefore}`);
  await initTf({ backend: 'wasm' });
  const rows: WorkersBenchRow[] = [];
  for (const n of ns) {
    const probe = makeVec(ENV, 1);
    const policy = createPolicy(probe.singleObservationSpace, probe.singleActionSpace, { seed: 1, hidden: [64, 64], activation: 'tanh' });
    const configs = [...(opts.inProcess === false ? [] : [0]), ...ks];
    for (const k of configs) {
      const t0 = performance.now();
      let runner: Runner;
      let close: () => Promise<void>;
      let shardMs: (() => readonly number[]) | undefined;
      if (k === 0) {
        runner = createRunner(policy, makeVec(ENV, n, { seed: 1 }), { seed: 1, checkNaN: false });
        close = async () => runner.dispose();
      } else {
        const w = createWorkerRunner(policy, { envId: ENV, numEnvs: n, workers: k, seed: 1, backend: 'wasm', checkNaN: false });
        await w.ready();
        runner = w;
        close = () => w.close();
        shardMs = () => (w as WorkerRunner).lastShardMs;
      }
      const startSeconds = (performance.now() - t0) / 1000;
      try {
        const t = timeRollouts(runner, n, seconds, repeats, shardMs);
        const shardShare = t.shardShare.length ? median(t.shardShare) : undefined;
        const row: WorkersBenchRow = { n, workers: k, stepsPerSec: t.perSec, steps: t.steps, runs: t.runs, startSeconds, load1: loadavg()[0]!, shardShare };
        rows.push(row);
        log(`N=${String(n).padStart(4)} ${seriesName(k).padEnd(14)} ${Math.round(row.stepsPerSec).toLocaleString('en-US').padStart(11)} steps/s  T=${t.steps}  start ${startSeconds.toFixed(1)} s  load ${row.load1.toFixed(2)}${shardShare === undefined ? '' : `  slowest shard ${(100 * shardShare).toFixed(0)} % of wall`}`);
      } finally {
        await close();
      }
    }
    policy.dispose();
  }
  const peer = opts.peer === false ? { ran: false, note: 'skipped: --no-peer', stepsPerSec: {} } : runPeer(ns, log);
  log(`peer: ${peer.note}`);
  const loadAfter = procLoadavg();
  log(`load after: ${loadAfter}`);
  const markdown = report(rows, peer, { ns, ks, seconds, repeats, loadBefore, loadAfter });
  if (opts.write ?? true) {
    writeReport({
      name: 'rollout-workers',
      title: 'Rollout scaling with worker threads (CartPole-v1, tanh 64-64 MLP, wasm)',
      machine: machineInfo({ tfjs: tf.version.tfjs, backend: 'wasm' }),
      markdown,
      data: { rows, peer, load: { before: loadBefore, after: loadAfter }, options: { ns, workers: ks, seconds, repeats } },
      files: { 'rollout-workers.svg': await plotSvg(rows, peer) },
    });
  }
  return { rows, peer, markdown, load: { before: loadBefore, after: loadAfter } };
}

function report(
  rows: readonly WorkersBenchRow[],
  peer: WorkersPeerResult,
  o: { ns: readonly number[]; ks: readonly number[]; seconds: number; repeats: number; loadBefore: string; loadAfter: string },
): string {
  const get = (n: number, k: number): WorkersBenchRow | undefined => rows.find((r) => r.n === n && r.workers === k);
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '–');
  const kMax = Math.max(...o.ks);
  const header = ['N', ...(get(o.ns[0]!, 0) ? ['single process'] : []), ...o.ks.map((k) => seriesName(k)), ...(kMax > 1 && o.ks.includes(1) ? [`${kMax}w / 1w`] : []), 'PyTorch peer', `best / peer`, 'T', 'slowest shard / wall', 'load (1 min)'];
  const body = o.ns.map((n) => {
    const single = get(n, 0);
    const cells: (string | number)[] = [n];
    if (get(o.ns[0]!, 0)) cells.push(single ? Math.round(single.stepsPerSec) : '–');
    for (const k of o.ks) cells.push(get(n, k) ? Math.round(get(n, k)!.stepsPerSec) : '–');
    if (kMax > 1 && o.ks.includes(1)) cells.push(ratio(get(n, kMax)?.stepsPerSec, get(n, 1)?.stepsPerSec));
    const p = peer.stepsPerSec[n];
    const best = Math.max(...rows.filter((r) => r.n === n).map((r) => r.stepsPerSec));
    cells.push(p ? Math.round(p) : '–', ratio(best, p));
    cells.push(rows.filter((r) => r.n === n && r.workers > 0).map((r) => r.steps).join(' / '));
    cells.push(rows.filter((r) => r.n === n && r.shardShare !== undefined).map((r) => `${Math.round(100 * r.shardShare!)} %`).join(' / '));
    cells.push(rows.filter((r) => r.n === n).map((r) => r.load1.toFixed(1)).join(' / '));
    return cells;
  });
  const goal1 = o.ns.filter((n) => n >= 1024).map((n) => ({ n, r: (get(n, 2)?.stepsPerSec ?? 0) / (get(n, 1)?.stepsPerSec ?? Infinity) }));
  const goal2 = o.ns.filter((n) => n >= 64).map((n) => ({ n, r: Math.max(...rows.filter((x) => x.n === n).map((x) => x.stepsPerSec)) / (peer.stepsPerSec[n] ?? NaN) }));
  const start = rows.filter((r) => r.workers > 0).map((r) => r.startSeconds);
  return [
    `Env steps/s (median of ${o.repeats} rollouts of ≥ ${o.seconds} s, T sized per row) of CartPole-v1 with a 4→64→64→2 tanh MLP (categorical, fused fast path), wasm. ` +
      '`single process`: `createRunner` over `makeVec`; `k workers`: `createWorkerRunner` (N envs in k contiguous shards, one wasm backend per worker thread; weights in and the `[T, N, …]` arrays out through SharedArrayBuffers; the learner assembles one RolloutBatch). ' +
      `Peer: ${peer.note}.`,
    markdownTable(header, body),
    `**Goals.** At N ≥ 1024, 2 workers ≥ 1.8× 1 worker: ${goal1.length && o.ks.includes(2) ? goal1.map((g) => `N=${g.n} ${g.r.toFixed(2)}× ${g.r >= 1.8 ? 'met' : 'NOT met'}`).join(', ') : 'not measured'}. ` +
      `Best configuration ≥ 1.0× the peer at N ≥ 64: ${peer.ran ? goal2.map((g) => `N=${g.n} ${g.r.toFixed(2)}× ${g.r >= 1 ? 'met' : 'NOT met'}`).join(', ') : 'peer not run'}.`,
    `**Load.** This 2-core machine was shared with other engineers' tests and benchmarks during the run: /proc/loadavg before \`${o.loadBefore}\`, after \`${o.loadAfter}\` (a 1-minute load above 2 means more runnable threads than cores, so two workers cannot both have a core). ` +
      `Worker start-up (import, tfjs wasm init, env and policy per thread) took ${start.length ? `${Math.min(...start).toFixed(1)}–${Math.max(...start).toFixed(1)} s` : '–'}, once per runner.`,
    'Plot: `results/rollout-workers.svg` (left: steps/s vs N per configuration, log-log; right: steps/s vs worker threads per N).',
  ].join('\n\n');
}

function parseArgs(argv: readonly string[]): WorkersBenchOptions {
  const val = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (s: string | undefined): number[] | undefined => (s ? s.split(',').map(Number) : undefined);
  const ns = list(val('--ns'));
  const workers = list(val('--workers'));
  return {
    ...(argv.includes('--quick') ? { ns: [64, 1024], seconds: 0.15, repeats: 1 } : {}),
    ...(ns ? { ns } : {}),
    ...(workers ? { workers } : {}),
    ...(argv.includes('--no-peer') ? { peer: false } : {}),
    ...(argv.includes('--no-write') ? { write: false } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const r = await runWorkersBench(parseArgs(process.argv.slice(2)));
  console.log(`\n${r.markdown}\n\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
