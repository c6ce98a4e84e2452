/**
 * Time to solve CartPole-v1 with rollout workers on vs off: the trainer's own update
 * (`reinforceUpdate`, `createOptimizer`, `DEFAULT_CONFIG`: N = 16, T = 64, Adam 1e-3,
 * reward-to-go, mean baseline, normalised advantages, tanh 64-64) on wasm, with the rollouts
 * from `createRunner` (off) or `createWorkerRunner` with k threads (on), beside the PyTorch
 * peer (`reinforce.py`, the same N, T, network, lr, γ, baseline and normalisation) at its best
 * (lib/torch_peer.ts: OpenBLAS, no OPENBLAS_* pins, 2 threads and 1). Solved = mean return of
 * the last 20 finished episodes ≥ 475 (the peer's criterion, and the issue's). Every run uses
 * the same seed; with workers the sampling streams differ (per shard), so the learning curves
 * are not identical — one seed each is an anecdote, not a statistic. The machine is shared:
 * wall times are noisy.
 *
 *   npx tsx --conditions=source benchmarks/train-workers.ts [--workers 2] [--num-envs 16] [--max-seconds 150] [--no-peer]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { makeVec } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { createRunner, createWorkerRunner, type Runner, type WorkerRunner } from '@rl/runner';
import { initTf, tf, useFastWasmKernels } from '@rl/tf';
import { DEFAULT_CONFIG, createOptimizer, reinforceUpdate, type Learner } from '@rl/trainer';
import { machineInfo, markdownTable, writeReport } from './lib/report.js';
import { runTorchPeer } from './lib/torch_peer.js';

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
  /** Run the PyTorch peer (2 threads and 1); default true. */
  readonly peer?: boolean;
  /** Write JSON, markdown and the RESULTS.md section; default true. */
  readonly write?: boolean;
  readonly log?: (line: string) => void;
}

/** The peer's run at one thread count. */
export interface TrainWorkersPeerRow {
  readonly threads: number;
  readonly ran: boolean;
  /** The command and BLAS, or why it was skipped. */
  readonly note: string;
  readonly solved: boolean;
  /** Seconds from its first rollout to the solve (or to its end). */
  readonly seconds: number | undefined;
  readonly envSteps: number | undefined;
  /** Its rollout and update seconds over the whole run. */
  readonly rolloutSeconds: number | undefined;
  readonly updateSeconds: number | undefined;
}

/** One run. */
export interface TrainWorkersRow {
  /** 0 = single process. */
  readonly workers: number;
  readonly solved: boolean;
  readonly seconds: number;
  readonly envSteps: number;
  readonly iterations: number;
  /** Mean return of the last 20 episodes at the end. */
  readonly finalMean20: number;
  /** Seconds in rollouts / in updates. */
  readonly rolloutSeconds: number;
  readonly updateSeconds: number;
  readonly load1: number;
}

/** Episodes averaged for the solve criterion (as the peer's `reached_475`). */
const WINDOW = 20;

function trainOnce(workers: number, o: Required<Omit<TrainWorkersOptions, 'write' | 'log' | 'peer'>>): TrainWorkersRow & { close?: () => Promise<void> } {
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
    if (last.length > WINDOW) last.splice(0, last.length - WINDOW);
    solved = last.length === WINDOW && last.reduce((x, y) => x + y, 0) / WINDOW >= 475;
  }
  const seconds = (performance.now() - t0) / 1000;
  const row = {
    workers,
    solved,
    seconds,
    envSteps: runner.stats.envSteps,
    iterations,
    finalMean20: last.length ? last.reduce((x, y) => x + y, 0) / last.length : 0,
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
/** `reinforce.py` on the same problem at `threads`, stopping at the solve (or `maxSteps`, or `maxSeconds`). */
function peerOnce(threads: number, o: { numEnvs: number; stepsPerIter: number; maxSteps: number; maxSeconds: number; seed: number }): TrainWorkersPeerRow {
  const cfg = DEFAULT_CONFIG;
  const args = ['--num-envs', String(o.numEnvs), '--steps-per-rollout', String(o.stepsPerIter), '--total-steps', String(o.maxSteps), '--seed', String(o.seed), '--baseline', 'mean', '--norm-adv', cfg.normalizeAdvantages ? '1' : '0', '--lr', String(cfg.lr), '--gamma', String(cfg.gamma), '--hidden', String(cfg.hidden[0]), '--threads', String(threads), '--stop-at', '475', '--log-every', '100000'];
  const r = runTorchPeer('reinforce.py', args, { timeoutMs: 1000 * (o.maxSeconds + 30) });
  const reached = r.json?.reached_475 as { step: number; wall_s: number } | null | undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    threads,
    ran: r.ran,
    note: r.note,
    solved: !!reached,
    seconds: reached ? reached.wall_s : num(r.json?.wall_s),
    envSteps: reached ? reached.step : num(r.json?.total_env_steps),
    rolloutSeconds: num(r.json?.rollout_s),
    updateSeconds: num(r.json?.update_s),
  };
}

export async function runTrainWorkersBench(opts: TrainWorkersOptions = {}): Promise<{ rows: TrainWorkersRow[]; peer: TrainWorkersPeerRow[]; markdown: string }> {
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
  useFastWasmKernels(); // as createTrainer does: this bench builds its own learner
  const rows: TrainWorkersRow[] = [];
  for (const k of [0, o.workers]) {
    const { close, ...row } = trainOnce(k, o);
    await close?.();
    rows.push(row);
    log(`${k === 0 ? 'single process' : `${k} workers`}: ${row.solved ? 'solved' : 'NOT solved'} in ${row.seconds.toFixed(1)} s, ${row.envSteps} env steps, ${row.iterations} iterations (rollouts ${row.rolloutSeconds.toFixed(1)} s, updates ${row.updateSeconds.toFixed(1)} s), last-20 mean ${row.finalMean20.toFixed(1)}, load ${row.load1.toFixed(1)}`);
  }
  const peer = opts.peer === false ? [] : [2, 1].map((t) => peerOnce(t, o));
  for (const p of peer) log(`peer, ${p.threads} thread${p.threads > 1 ? 's' : ''}: ${p.ran ? `${p.solved ? 'solved' : 'NOT solved'} in ${p.seconds?.toFixed(1)} s, ${p.envSteps} env steps` : p.note}`);
  const fmt = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(1));
  const markdown = [
    `Time to solve CartPole-v1 (mean of the last ${WINDOW} episodes ≥ 475) with the trainer's update and default config (N = ${o.numEnvs}, T = ${o.stepsPerIter}, Adam 1e-3, reward-to-go, mean baseline, tanh 64-64), wasm, seed ${o.seed}, rollouts in the learner's thread vs on ${o.workers} worker threads, beside the PyTorch peer (\`reinforce.py\`, same N, T, network, lr, γ, baseline, normalisation and criterion) on 2 threads and 1. One seed per row; the worker run samples from per-shard streams, so its learning curve differs. Seconds from the first rollout (process start-up excluded on both sides). Capped at ${o.maxSeconds} s / ${o.maxSteps.toLocaleString('en-US')} steps. Shared 2-core machine: the 1-minute load average is in the table.`,
    markdownTable(
      ['run', 'solved', 'wall s', 'env steps', 'iterations', 'rollout s', 'update s', `last-${WINDOW} mean`, 'load (1 min)'],
      [
        ...rows.map((r) => [r.workers === 0 ? 'ours, single process' : `ours, ${r.workers} workers`, r.solved ? 'yes' : 'no', r.seconds.toFixed(1), r.envSteps, r.iterations, r.rolloutSeconds.toFixed(1), r.updateSeconds.toFixed(1), r.finalMean20.toFixed(1), r.load1.toFixed(1)]),
        ...peer.map((p) => [`peer, ${p.threads} thread${p.threads > 1 ? 's' : ''}`, p.ran ? (p.solved ? 'yes' : 'no') : 'skipped', fmt(p.seconds), p.envSteps ?? '–', '–', fmt(p.rolloutSeconds), fmt(p.updateSeconds), '–', '–']),
      ],
    ),
    '`rollout s` / `update s` split each run: workers can only shorten the rollout part; the update (one forward + backward over T·N = 1024 samples, Adam) stays on the learner thread (`updateWorkers` pays from 4096 samples, see "Update speed").',
    ...(opts.peer === false ? ['Peer: skipped: --no-peer.'] : peer.map((p) => `Peer, ${p.threads} thread${p.threads > 1 ? 's' : ''}: ${p.ran ? p.note : `peer ${p.note}`}.`)),
  ].join('\n\n');
  if (opts.write ?? true) {
    writeReport({ name: 'train-workers', title: 'Time to solve CartPole-v1, rollout workers on vs off', machine: machineInfo({ tfjs: tf.version.tfjs, backend: 'wasm' }), markdown, data: { rows, peer, options: o } });
  }
  return { rows, peer, markdown };
}

function parseArgs(argv: readonly string[]): TrainWorkersOptions {
  const val = (k: string): number | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const w = val('--workers');
  const n = val('--num-envs');
  const s = val('--max-seconds');
  return { ...(w ? { workers: w } : {}), ...(n ? { numEnvs: n } : {}), ...(s ? { maxSeconds: s } : {}), ...(argv.includes('--no-write') ? { write: false } : {}), ...(argv.includes('--no-peer') ? { peer: false } : {}) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runTrainWorkersBench(parseArgs(process.argv.slice(2)));
  console.log(`\n${r.markdown}`);
}
