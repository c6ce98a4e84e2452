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
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { makeVec } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { createRunner, createWorkerRunner, threadTimes, type Runner, type ShardTimes, type WorkerRunner } from '@rl/runner';
import { initTf, tf } from '@rl/tf';
import { machineInfo, markdownTable, median, procLoadavg, writeReport } from './lib/report.js';
import { runRolloutPeer } from './lib/torch_peer.js';

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
  /**
   * Per rollout (medians, ms; Linux schedstat, NaN elsewhere): the learner thread's CPU (its
   * serial share: posting, assembling the batch; it sleeps while the shards run) and, workers
   * only, the busiest shard's CPU and the shards' mean wait for a core.
   */
  readonly learnerCpuMs: number;
  readonly shardCpuMs: number | undefined;
  readonly shardWaitMs: number | undefined;
}

/** The peer's outcome (at its best: the faster of 2 threads and 1 per N). */
export interface WorkersPeerResult {
  readonly ran: boolean;
  readonly note: string;
  /** env steps/s per N (median repeat of the faster thread count). */
  readonly stepsPerSec: Record<number, number>;
  /** The thread count that gave `stepsPerSec[N]`. */
  readonly threads?: Record<number, number>;
}

/** Everything the benchmark measured. */
export interface WorkersBenchResult {
  readonly rows: readonly WorkersBenchRow[];
  readonly peer: WorkersPeerResult;
  readonly markdown: string;
  /** /proc/loadavg before and after the run. */
  readonly load: { readonly before: string; readonly after: string };
}

const ENV = 'CartPole-v1';
/** Each peer run (one thread count) is stopped after this long, keeping the N it finished: torch's 2 OpenMP threads crawl on an oversubscribed machine. */
const PEER_TIMEOUT_MS = 150_000;

/**
 * Times `runner.rollout(T)` with T sized so one call takes ≥ `seconds`: median steps/s of
 * `repeats` calls. A fresh worker's first rollouts are slow (JIT, wasm kernels, buffers): it is
 * warmed up for ≥ 0.4 s (and ≥ 3 calls) before T is sized.
 */
function timeRollouts(runner: Runner, n: number, seconds: number, repeats: number, shards?: () => readonly ShardTimes[]): { perSec: number; runs: number[]; steps: number; shardShare: number[]; learnerCpu: number[]; shardCpu: number[]; shardWait: number[] } {
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
  const learnerCpu: number[] = [];
  const shardCpu: number[] = [];
  const shardWait: number[] = [];
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (let r = 0; r < repeats; r++) {
    const c0 = threadTimes();
    const t0 = performance.now();
    runner.rollout(steps).dispose();
    const ms = performance.now() - t0;
    const c1 = threadTimes();
    runs.push((steps * n) / (ms / 1000));
    learnerCpu.push(c0 && c1 ? c1.cpuMs - c0.cpuMs : NaN);
    if (shards) {
      const t = shards();
      shardShare.push(Math.max(...t.map((x) => x.wallMs)) / ms);
      shardCpu.push(Math.max(...t.map((x) => x.cpuMs)));
      shardWait.push(mean(t.map((x) => x.waitMs)));
    }
  }
  return { perSec: median(runs), runs, steps, shardShare, learnerCpu, shardCpu, shardWait };
}

/** Runs the PyTorch peer's rollout benchmark at its best (lib/torch_peer.ts: 2 threads and 1, the faster per N), or says why not. */
function runPeer(ns: readonly number[], log: (l: string) => void): WorkersPeerResult {
  const r = runRolloutPeer(ns, { steps: 400, repeats: 3, timeoutMs: PEER_TIMEOUT_MS, log });
  return { ran: r.ran, note: r.note, stepsPerSec: r.stepsPerSec, threads: r.threads };
}

const seriesName = (k: number): string => (k === 0 ? 'single process' : `${k} worker${k > 1 ? 's' : ''}`);

async function plotSvg(rows: readonly WorkersBenchRow[], peer: WorkersPeerResult): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const byN = rows.map((r) => ({ N: r.n, stepsPerSec: r.stepsPerSec, series: seriesName(r.workers) }));
  for (const [n, v] of Object.entries(peer.stepsPerSec)) byN.push({ N: Number(n), stepsPerSec: v, series: 'PyTorch peer (at its best)' });
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
      let shardTimes: (() => readonly ShardTimes[]) | undefined;
      if (k === 0) {
        runner = createRunner(policy, makeVec(ENV, n, { seed: 1 }), { seed: 1, checkNaN: false });
        close = async () => runner.dispose();
      } else {
        const w = createWorkerRunner(policy, { envId: ENV, numEnvs: n, workers: k, seed: 1, backend: 'wasm', checkNaN: false });
        await w.ready();
        runner = w;
        close = () => w.close();
        shardTimes = () => (w as WorkerRunner).lastShardTimes;
      }
      const startSeconds = (performance.now() - t0) / 1000;
      try {
        const t = timeRollouts(runner, n, seconds, repeats, shardTimes);
        const med = (xs: number[]): number | undefined => (xs.length ? median(xs) : undefined);
        const row: WorkersBenchRow = {
          n,
          workers: k,
          stepsPerSec: t.perSec,
          steps: t.steps,
          runs: t.runs,
          startSeconds,
          load1: loadavg()[0]!,
          shardShare: med(t.shardShare),
          learnerCpuMs: median(t.learnerCpu),
          shardCpuMs: med(t.shardCpu),
          shardWaitMs: med(t.shardWait),
        };
        rows.push(row);
        const shardsNote = row.shardShare === undefined ? '' : `  slowest shard ${(100 * row.shardShare).toFixed(0)} % of wall; busiest shard cpu ${row.shardCpuMs!.toFixed(1)} ms, shards waited ${row.shardWaitMs!.toFixed(1)} ms for a core`;
        log(`N=${String(n).padStart(4)} ${seriesName(k).padEnd(14)} ${Math.round(row.stepsPerSec).toLocaleString('en-US').padStart(11)} steps/s  T=${t.steps}  learner cpu ${row.learnerCpuMs.toFixed(1)} ms  start ${startSeconds.toFixed(1)} s  load ${row.load1.toFixed(2)}${shardsNote}`);
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
  const markdown = workersReport(rows, peer, { ns, ks, seconds, repeats, loadBefore, loadAfter });
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

/**
 * The report's markdown (table, goals, load) from measured rows: what {@link runWorkersBench}
 * writes, and how a table is rebuilt from a saved results/rollout-workers.json (its `data`).
 */
export function workersReport(
  rows: readonly WorkersBenchRow[],
  peer: WorkersPeerResult,
  o: { ns: readonly number[]; ks: readonly number[]; seconds: number; repeats: number; loadBefore: string; loadAfter: string },
): string {
  const get = (n: number, k: number): WorkersBenchRow | undefined => rows.find((r) => r.n === n && r.workers === k);
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '–');
  const kMax = Math.max(...o.ks);
  // CPU per env step where every thread has a core: the busiest shard's CPU plus the learner's serial CPU (it sleeps while the shards run)
  const cpuPerStep = (r: WorkersBenchRow | undefined): number | undefined => (r && r.shardCpuMs !== undefined ? (r.shardCpuMs + r.learnerCpuMs) / (r.steps * r.n) : undefined);
  // the busiest shard's CPU per env step of its own shard (N/k envs): the same for every k when k threads cost no more per step than one
  const shardNsPerStep = (r: WorkersBenchRow): number | undefined => (r.shardCpuMs === undefined ? undefined : (1e6 * r.shardCpuMs) / ((r.steps * r.n) / r.workers));
  const scaling = o.ks.includes(1) && kMax > 1;
  const header = [
    'N',
    ...(get(o.ns[0]!, 0) ? ['single process'] : []),
    ...o.ks.map((k) => seriesName(k)),
    ...(scaling ? [`${kMax}w / 1w`, `${kMax}w / 1w, a core each (CPU time)`] : []),
    'PyTorch peer (at its best)',
    'best / peer',
    'T',
    'slowest shard / wall',
    'shards waited for a core (of their wall)',
    'shard CPU per env step (ns)',
    'learner CPU / wall',
    'load (1 min)',
  ];
  const body = o.ns.map((n) => {
    const single = get(n, 0);
    const cells: (string | number)[] = [n];
    if (get(o.ns[0]!, 0)) cells.push(single ? Math.round(single.stepsPerSec) : '–');
    for (const k of o.ks) cells.push(get(n, k) ? Math.round(get(n, k)!.stepsPerSec) : '–');
    if (scaling) {
      const c1 = cpuPerStep(get(n, 1));
      const ck = cpuPerStep(get(n, kMax));
      cells.push(ratio(get(n, kMax)?.stepsPerSec, get(n, 1)?.stepsPerSec), c1 && ck && Number.isFinite(c1 / ck) ? `${(c1 / ck).toFixed(2)}×` : '–');
    }
    const p = peer.stepsPerSec[n];
    const thr = peer.threads?.[n];
    const best = Math.max(...rows.filter((r) => r.n === n).map((r) => r.stepsPerSec));
    cells.push(p ? `${Math.round(p).toLocaleString('en-US')}${thr ? ` (${thr} thr)` : ''}` : '–', ratio(best, p));
    const workerRows = rows.filter((r) => r.n === n && r.workers > 0);
    const wallMs = (r: WorkersBenchRow): number => (1000 * r.steps * r.n) / r.stepsPerSec;
    cells.push(workerRows.map((r) => r.steps).join(' / '));
    cells.push(workerRows.map((r) => `${Math.round(100 * r.shardShare!)} %`).join(' / '));
    cells.push(workerRows.map((r) => (Number.isFinite(r.shardWaitMs!) ? `${Math.round((100 * r.shardWaitMs!) / wallMs(r))} %` : '–')).join(' / '));
    cells.push(workerRows.map((r) => (Number.isFinite(r.shardCpuMs!) ? String(Math.round(shardNsPerStep(r)!)) : '–')).join(' / '));
    cells.push(workerRows.map((r) => (Number.isFinite(r.learnerCpuMs) ? `${(100 * r.learnerCpuMs / wallMs(r)).toFixed(1)} %` : '–')).join(' / '));
    cells.push(rows.filter((r) => r.n === n).map((r) => r.load1.toFixed(1)).join(' / '));
    return cells;
  });
  const goal1 = o.ns.filter((n) => n >= 1024).map((n) => ({ n, r: (get(n, 2)?.stepsPerSec ?? 0) / (get(n, 1)?.stepsPerSec ?? Infinity), cpu: (cpuPerStep(get(n, 1)) ?? NaN) / (cpuPerStep(get(n, 2)) ?? NaN) }));
  const goal2 = o.ns.map((n) => ({ n, r: Math.max(...rows.filter((x) => x.n === n).map((x) => x.stepsPerSec)) / (peer.stepsPerSec[n] ?? NaN) }));
  const start = rows.filter((r) => r.workers > 0).map((r) => r.startSeconds);
  return [
    `Env steps/s (median of ${o.repeats} rollouts of ≥ ${o.seconds} s, T sized per row) of CartPole-v1 with a 4→64→64→2 tanh MLP (categorical, fused fast path), wasm. ` +
      '`single process`: `createRunner` over `makeVec`; `k workers`: `createWorkerRunner` (N envs in k contiguous shards, one wasm backend per worker thread; weights in and the `[T, N, …]` arrays out through SharedArrayBuffers; the learner assembles one RolloutBatch). ' +
      'Each worker measures its own thread (Linux schedstat): its CPU time and its time runnable but waiting for a core. "a core each (CPU time)" is the scaling where every thread has a core: per env step, the busiest shard\'s CPU plus the learner\'s serial CPU, 1 worker over k. ' +
      '"shard CPU per env step" is the busiest shard\'s CPU over its own T·N/k env steps: k× with a core each needs it equal for every k (and a learner CPU near 0); where it grows with k the shards cost more per step side by side (a fixed cost per vector step weighs more on a smaller shard; preempted threads refill their caches; the two cores share L3 and memory). ' +
      `Peer: ${peer.note}.`,
    markdownTable(header, body),
    `**Goals.** At N ≥ 1024, 2 workers ≥ 1.8× 1 worker: ${goal1.length && o.ks.includes(2) ? goal1.map((g) => `N=${g.n} ${g.r.toFixed(2)}× wall (${g.r >= 1.8 ? 'met' : 'NOT met'}), ${Number.isFinite(g.cpu) ? g.cpu.toFixed(2) : '–'}× with a core each`).join('; ') : 'not measured'}. ` +
      `Best configuration ≥ 1.0× the peer at every N and ≥ 1.5× at N ≤ 64: ${peer.ran ? goal2.map((g) => `N=${g.n} ${g.r.toFixed(2)}× ${g.r >= (g.n <= 64 ? 1.5 : 1) ? 'met' : 'NOT met'}`).join(', ') : 'peer not run'}.`,
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
