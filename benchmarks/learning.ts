/**
 * Learning benchmark (`rl bench train`): how well and how fast batched REINFORCE learns.
 *
 * - Defaults that solve: each env of `configs/` (CartPole-v1, Acrobot-v1, Pendulum-v1,
 *   MountainCar-v0) × seeds 1–5, trained with its defaults as `rl train --env X --seed s` does
 *   (the config file over the schema defaults; evaluations during training, the best evaluated
 *   policy kept as model/), then 100 deterministic episodes on `evaluationSeed(seed)` — what
 *   `rl eval <run> --episodes 100 --deterministic` reports — of the best policy (model/) and of
 *   the last one (model-last/). Median and range over seeds, wall seconds, beside the RL-Zoo
 *   figures the issue quotes (cited, not run). Curves (training return and evaluations, median
 *   and range over seeds) as SVG.
 * - CartPole-v1 time to solve (mean of the last 20 episodes ≥ 475), one whole `rl train
 *   --target-return 475` process per seed (spawn to the train.log line of the solving iteration),
 *   against the PyTorch peer (benchmarks/peers/torch_reinforce/reinforce.py) with the same N, T,
 *   network, γ and baseline, at our lr and at the peer's default lr 1e-3: seconds from the first
 *   rollout, and for the whole process (start to solve). The peer runs at its best: Debian's
 *   /usr/bin/python3 with OpenBLAS, `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE` unset for its
 *   process only (`env -u`), each seed on 2 and on 1 torch threads with the faster solve kept
 *   (lib/torch_peer.ts), the BLAS library it mapped recorded; "peer skipped: …" with the
 *   reason when torch or OpenBLAS is missing.
 *
 * Run: `npx tsx --conditions=source benchmarks/learning.ts [--quick] [--seeds 1,2,3] [--envs CartPole-v1,Acrobot-v1] [--no-peer] [--peer-threads 2,1]`
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '@rl/tf';
import { createTrainer, evaluationSeed, type TrainConfig } from '@rl/trainer';
import { machineInfo, markdownTable, median, writeReport } from './lib/report.js';
import { runTorchPeer } from './lib/torch_peer.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
/** The `rl` command (the CLI's bin, as `pnpm rl` runs it). */
const RL_BIN = join(ROOT, 'packages/cli/bin/rl.mjs');
const SOLVED = 475;
const ENVS = ['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1', 'MountainCar-v0'] as const;
/** The issue's goals for `rl eval <run> --episodes 100 --deterministic` of model/. */
const GOALS: Record<string, number> = { 'CartPole-v1': 475, 'Acrobot-v1': -100, 'Pendulum-v1': -250, 'MountainCar-v0': -110, 'MountainCarContinuous-v0': 90 };
/**
 * RL Baselines3 Zoo's published benchmark (https://github.com/DLR-RM/rl-baselines3-zoo/blob/master/benchmark.md,
 * final model, deterministic evaluation), as quoted in issue 18: cited figures, not runs of ours.
 */
const RL_ZOO: Record<string, { readonly a2c: string; readonly ppo: string }> = {
  'CartPole-v1': { a2c: '500 ± 0', ppo: '500 ± 0' },
  'Acrobot-v1': { a2c: '−83', ppo: '−74' },
  'Pendulum-v1': { a2c: '−163', ppo: '−172' },
  'MountainCar-v0': { a2c: '−111', ppo: '−110' },
};
/** 100 deterministic episodes on the seeds `rl eval` uses by default. */
const TEST_EPISODES = 100;

/** Options of {@link runLearningBench}. */
export interface LearningBenchOptions {
  /** Two seeds per env (and for the time to solve) instead of five. */
  readonly quick?: boolean;
  /** Seeds (default 1…5, or 1, 2 with quick). */
  readonly seeds?: readonly number[];
  /** Envs to run (default all four). */
  readonly envs?: readonly string[];
  /** Run the PyTorch peer beside CartPole's time to solve (default true). */
  readonly peer?: boolean;
  /** torch thread counts of the peer: each seed runs at each, the faster solve kept (default 2 and 1: at its best, see lib/torch_peer.ts). */
  readonly peerThreads?: readonly number[];
  /** Write results/ and RESULTS.md (default true). */
  readonly write?: boolean;
}

/** One point of a learning curve. */
type Point = [envSteps: number, returnMean: number];

/** Mean and std of 100 test episodes. */
interface Score {
  readonly mean: number;
  readonly std: number;
}

/** One env and seed trained with its defaults. */
export interface EnvRun {
  readonly env: string;
  readonly seed: number;
  readonly reason: string;
  readonly envSteps: number;
  /** Wall seconds of training, evaluations during training included. */
  readonly seconds: number;
  /** Of which evaluations during training. */
  readonly evalSeconds: number;
  readonly evaluations: number;
  /** The best evaluated policy (model/): its iteration, env steps and evaluation during training (mean of `evalEpisodes`). */
  readonly bestIteration: number | null;
  readonly bestEnvSteps: number | null;
  readonly bestValidation: number | null;
  /** 100 deterministic episodes on evaluationSeed(seed) of model/ (the best) and model-last/ (the last). */
  readonly best: Score;
  readonly last: Score;
  readonly curve: Point[];
  readonly evalCurve: Point[];
}

/** CartPole time to solve of one seed (ours). */
export interface SolveRun {
  readonly seed: number;
  readonly solved: boolean;
  readonly solveSteps: number | null;
  /** From the first rollout. */
  readonly solveSeconds: number | null;
  /** From spawning the process. */
  readonly processSeconds: number;
  readonly curve: Point[];
}

/** Peer time to solve of one seed. */
export interface PeerRun {
  readonly seed: number;
  readonly solveSteps: number | null;
  readonly solveSeconds: number | null;
  readonly processSeconds: number;
  /** The BLAS libraries the peer's process mapped (its summary's `blas`). */
  readonly blas: string[];
  /** torch's version. */
  readonly torch: string;
  /** The command line it ran. */
  readonly command: string;
  /** Its torch threads (the faster of the thread counts tried). */
  readonly threads: number;
  readonly curve: Point[];
}

/** `configs/<env>.json` without its `$` documentation keys: the defaults `rl train --env <env>` starts from. */
function loadConfig(env: string): Partial<TrainConfig> {
  const raw = JSON.parse(readFileSync(join(ROOT, 'configs', `${env}.json`), 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$'))) as Partial<TrainConfig>;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...env, RL_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** Trains `env` with its defaults and seed `seed` (as `rl train --env env --seed seed`), then scores model/ and model-last/ as `rl eval` does. */
async function trainEnv(env: string, seed: number): Promise<EnvRun> {
  const trainer = await createTrainer({ ...loadConfig(env), seed, logLevel: 'silent' });
  try {
    const curve: Point[] = [];
    const evalCurve: Point[] = [];
    let evalSeconds = 0;
    const t0 = performance.now();
    const r = await trainer.runAsync({
      onIteration: (m) => void curve.push([m.envSteps, m.returnMean]),
      onEvaluation: (e) => {
        evalCurve.push([e.envSteps, e.mean]);
        evalSeconds += e.seconds;
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const score = (policy: 'best' | 'last'): Score => {
      const ev = trainer.evaluate({ policy, episodes: TEST_EPISODES, deterministic: true, seed: evaluationSeed(seed) });
      return { mean: ev.mean, std: ev.std };
    };
    const b = r.best;
    return {
      env,
      seed,
      reason: r.reason,
      envSteps: trainer.envSteps,
      seconds,
      evalSeconds,
      evaluations: evalCurve.length,
      bestIteration: b?.iteration ?? null,
      bestEnvSteps: b?.envSteps ?? null,
      bestValidation: b?.mean ?? null,
      best: score('best'),
      last: score('last'),
      curve,
      evalCurve,
    };
  } finally {
    trainer.dispose();
  }
}

/** One line of a run's train.log: pino's epoch-ms `time` and, on iteration lines, the iteration's metrics. */
interface LogLine {
  readonly time: number;
  readonly iteration?: number;
  readonly envSteps?: number;
  readonly episodes?: number;
  readonly returnMean?: number | null;
  readonly wallSeconds?: number;
}

/**
 * CartPole-v1 time to solve of one seed as a user gets it: one whole `rl train --env CartPole-v1
 * --seed s --target-return 475` process (the config's defaults; evaluations off, they do not
 * change training, only take time). The solve is the first iteration whose mean of the last 20
 * episodes is ≥ 475 (train.log stamps each iteration with the wall clock): "whole process" is
 * from spawning `rl` to that line, "from the first rollout" the iteration's `wallSeconds`.
 */
async function solveCartPole(seed: number, dir: string): Promise<SolveRun> {
  const spawnedAt = Date.now();
  const args = [RL_BIN, 'train', '--env', 'CartPole-v1', '--seed', String(seed), '--target-return', String(SOLVED), '--eval-every', '0', '--eval-episodes', '0', '--out', dir, '--force'];
  const r = await run(process.execPath, args);
  if (r.code !== 0) throw new Error(`rl train (CartPole-v1, seed ${seed}) failed with code ${r.code}: ${r.stderr.slice(-600)}`);
  const lines = readFileSync(join(dir, 'train.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogLine);
  const iters = lines.filter((l) => typeof l.iteration === 'number' && typeof l.envSteps === 'number' && typeof l.wallSeconds === 'number');
  const solve = iters.find((l) => (l.episodes ?? 0) >= 20 && (l.returnMean ?? -Infinity) >= SOLVED);
  const curve = iters.filter((l) => typeof l.returnMean === 'number').map((l) => [l.envSteps!, l.returnMean!] as Point);
  return {
    seed,
    solved: solve !== undefined,
    solveSteps: solve?.envSteps ?? null,
    solveSeconds: solve?.wallSeconds ?? null,
    processSeconds: solve ? (solve.time - spawnedAt) / 1000 : r.seconds,
    curve,
  };
}

/**
 * The peer on CartPole-v1 until solved (`--stop-at 475`), at its best through
 * {@link runTorchPeer} (Debian's python, OpenBLAS, `OPENBLAS_*` unset for its process only).
 * A peer that cannot run at its best comes back as its "skipped: …" note.
 */
function peerCartPole(seed: number, cfg: Partial<TrainConfig>, lr: number, threads: number): PeerRun | { skipped: string } {
  const args = [
    '--num-envs', String(cfg.numEnvs),
    '--steps-per-rollout', String(cfg.stepsPerIter),
    '--total-steps', '2000000',
    '--seed', String(seed),
    '--baseline', cfg.baseline === 'none' ? 'none' : 'mean',
    '--norm-adv', cfg.normalizeAdvantages === false ? '0' : '1',
    '--lr', String(lr),
    '--gamma', String(cfg.gamma),
    '--hidden', String(cfg.hidden?.[0] ?? 64),
    '--threads', String(threads),
    '--stop-at', String(SOLVED),
    '--log-every', '10000',
  ];
  const r = runTorchPeer('reinforce.py', args);
  const summary = r.json;
  if (!r.ran || !summary || summary.type !== 'summary') return { skipped: r.ran ? 'skipped: the peer printed no summary line' : r.note };
  const reached = summary.reached_475 as { step: number; wall_s: number } | null;
  const curve = r.lines.filter((l) => l.type === 'progress' && l.mean_return_last20 !== null).map((l) => [l.global_step as number, l.mean_return_last20 as number] as Point);
  return { seed, solveSteps: reached?.step ?? null, solveSeconds: reached?.wall_s ?? null, processSeconds: r.seconds ?? NaN, blas: [...(r.blas ?? [])], torch: r.torch ?? '?', command: r.command, threads, curve };
}

/** A curve cut to at most `points` points (every k-th, the last kept) for the JSON; the plots use the whole curves. */
function thin(curve: readonly Point[], points = 100): Point[] {
  const k = Math.ceil(curve.length / points);
  return curve.filter((_, i) => i % k === 0 || i === curve.length - 1);
}

/** Curves of several seeds on a common grid: median and range per grid point. */
function band(curves: readonly Point[][], series: string, points = 60): { series: string; steps: number; median: number; lo: number; hi: number }[] {
  const maxSteps = Math.max(...curves.map((c) => c[c.length - 1]?.[0] ?? 0));
  const out: { series: string; steps: number; median: number; lo: number; hi: number }[] = [];
  for (let k = 1; k <= points; k++) {
    const x = (maxSteps * k) / points;
    const ys: number[] = [];
    for (const c of curves) {
      if (!c.length || c[c.length - 1]![0] < x * 0.999) continue; // this seed stopped earlier
      let y = NaN;
      for (const [s, r] of c) if (s <= x) y = r;
      if (Number.isFinite(y)) ys.push(y);
    }
    if (ys.length) out.push({ series, steps: Math.round(x), median: median(ys), lo: Math.min(...ys), hi: Math.max(...ys) });
  }
  return out;
}

async function curveSvg(title: string, rows: ReturnType<typeof band>, threshold?: number): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const layers: unknown[] = [
    { mark: { type: 'area', opacity: 0.25 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'return' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 400 } } } },
    { mark: { type: 'line' }, encoding: { y: { field: 'median', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null } } },
  ];
  if (threshold !== undefined) layers.push({ data: { values: [{ t: threshold }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 't', type: 'quantitative' } } });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 300,
    background: 'white',
    data: { values: rows },
    encoding: { x: { field: 'steps', type: 'quantitative', title: 'env steps' } },
    layer: layers,
  };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

const fmt = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const range = (xs: readonly number[], d = 2): string => (xs.length ? `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)} … ${fmt(Math.max(...xs), d)})` : '—');
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(', ');

/** The defaults of every env: per env median (range) and per seed rows. */
async function defaultsSection(envs: readonly string[], seeds: readonly number[], md: string[], files: Record<string, string>, data: Record<string, unknown>): Promise<void> {
  const summary: (string | number)[][] = [];
  const perSeed: (string | number)[][] = [];
  const runsOf: Record<string, EnvRun[]> = {};
  for (const env of envs) {
    const runs: EnvRun[] = [];
    for (const s of seeds) {
      runs.push(await trainEnv(env, s));
      console.error(`${env} seed ${s}:`, JSON.stringify({ ...runs[runs.length - 1], curve: undefined, evalCurve: undefined }), `(load ${load()})`);
    }
    runsOf[env] = runs;
    const cfg = loadConfig(env);
    const goal = GOALS[env];
    const zoo = RL_ZOO[env];
    summary.push([
      env,
      `${(cfg.totalSteps ?? 0).toLocaleString('en-US')}${runs.some((r) => r.reason !== 'totalSteps') ? ' (or stop)' : ''}`,
      range(runs.map((r) => r.seconds), 1),
      range(runs.map((r) => r.best.mean), 1),
      range(runs.map((r) => r.last.mean), 1),
      goal === undefined ? '—' : `≥ ${goal}: ${runs.filter((r) => r.best.mean >= goal).length}/${runs.length}`,
      zoo ? `${zoo.a2c} / ${zoo.ppo}` : '—',
    ]);
    for (const r of runs) {
      perSeed.push([
        env,
        r.seed,
        r.reason,
        r.envSteps,
        fmt(r.seconds, 1),
        r.evaluations,
        r.bestEnvSteps ?? '—',
        fmt(r.bestValidation, 1),
        `${fmt(r.best.mean, 1)} ± ${fmt(r.best.std, 1)}`,
        `${fmt(r.last.mean, 1)} ± ${fmt(r.last.std, 1)}`,
      ]);
    }
    const rows = [...band(runs.map((r) => r.curve), 'training: mean return of the last 20 episodes'), ...band(runs.map((r) => r.evalCurve), 'evaluations during training (deterministic)')];
    files[`learning-${env}.svg`] = await curveSvg(`${env}, defaults, ${runs.length} seeds (median, range)`, rows, goal);
  }
  data.defaults = Object.fromEntries(Object.entries(runsOf).map(([env, runs]) => [env, { config: loadConfig(env), goal: GOALS[env], rlZoo: RL_ZOO[env], runs: runs.map((r) => ({ ...r, curve: thin(r.curve) })) }]));
  md.push(
    `### Defaults on every env: \`rl train --env X --seed s\`, then \`rl eval <run> --episodes ${TEST_EPISODES} --deterministic\``,
    '',
    `Each env trained with \`configs/<env>.json\` (seeds ${seeds.join(', ')}): evaluations during training on their own seeds, the best evaluated policy kept as model/ (the one \`rl eval\` scores), the last as model-last/. ` +
      `Both scored on ${TEST_EPISODES} deterministic episodes on \`evaluationSeed(seed)\` (\`rl eval\`'s default seed, not the episodes the best was chosen on). Median (range) over seeds; seconds are training wall time with the evaluations during training. ` +
      'RL-Zoo: [RL Baselines3 Zoo benchmark](https://github.com/DLR-RM/rl-baselines3-zoo/blob/master/benchmark.md), A2C / PPO, final model, deterministic evaluation, as quoted in issue 18 (their tuned settings: up to 1M steps, 8–16 envs, observation normalisation; Pendulum γ 0.9 with state-dependent exploration) — cited figures, not runs of ours.',
    '',
    markdownTable(['env', 'env steps', 'train seconds', 'model/ (best) return', 'model-last/ return', 'goal (model/)', 'RL-Zoo A2C / PPO'], summary),
    '',
    markdownTable(['env', 'seed', 'stop', 'env steps', 'seconds', 'evaluations', 'best at (env steps)', 'its evaluation', 'model/ (100 episodes)', 'model-last/ (100 episodes)'], perSeed),
    '',
  );
}

/** CartPole time to solve, ours beside the peer at the same lr and at its default 1e-3. */
async function solveSection(seeds: readonly number[], opts: LearningBenchOptions, md: string[], files: Record<string, string>, data: Record<string, unknown>): Promise<void> {
  const cfg = loadConfig('CartPole-v1');
  const threadCounts = opts.peerThreads ?? [2, 1];
  const ours: SolveRun[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'rl-bench-train-'));
  try {
    for (const s of seeds) {
      ours.push(await solveCartPole(s, join(tmp, `CartPole-v1-seed${s}`)));
      console.error(`CartPole time to solve, seed ${s}:`, JSON.stringify({ ...ours[ours.length - 1], curve: undefined }), `(load ${load()})`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const peerLrs = [...new Set([cfg.lr ?? 1e-3, 1e-3])];
  const peers: { lr: number; runs: PeerRun[] }[] = [];
  let skipped: string | undefined = opts.peer === false ? 'skipped: --no-peer' : undefined;
  for (const lr of skipped ? [] : peerLrs) {
    const runs: PeerRun[] = [];
    for (const s of seeds) {
      // at its best: each thread count, the faster solve kept (2 OpenMP threads can collapse on a loaded machine)
      const tries: PeerRun[] = [];
      for (const t of threadCounts) {
        const r = peerCartPole(s, cfg, lr, t);
        if ('skipped' in r) {
          skipped = r.skipped;
          break;
        }
        tries.push(r);
        console.error(`peer lr ${lr} seed ${s} threads ${t}:`, JSON.stringify({ ...r, curve: undefined }), `(load ${load()})`);
      }
      if (skipped) break;
      runs.push(tries.reduce((a, b) => ((b.solveSeconds ?? Infinity) < (a.solveSeconds ?? Infinity) ? b : a)));
    }
    if (skipped) break;
    peers.push({ lr, runs });
  }
  if (skipped) peers.length = 0; // all or nothing: ratios only from complete sets
  const blas = [...new Set(peers.flatMap((p) => p.runs.flatMap((r) => r.blas)))];
  const first = peers[0]?.runs[0];
  const peerNote = skipped
    ? `peer ${skipped}`
    : `peer ran: torch ${first?.torch ?? '?'}, BLAS ${blas.join(', ')}, each seed on ${threadCounts.join(' and ')} torch threads, the faster solve kept (threads kept per seed: ${peers.map((p) => `lr ${p.lr}: ${p.runs.map((r) => r.threads).join(', ')}`).join('; ')}), \`${first?.command ?? ''}\` (lr, seed and threads per run)`;
  data.cartpole = { config: cfg, ours: ours.map((r) => ({ ...r, curve: thin(r.curve) })), peers: peers.map((p) => ({ ...p, runs: p.runs.map((r) => ({ ...r, curve: thin(r.curve) })) })), peerNote, peerBlas: blas };
  const ok = ours.filter((r) => r.solved);
  const solved = (runs: readonly PeerRun[]): PeerRun[] => runs.filter((r) => r.solveSeconds !== null);
  const row = (name: string, n: number, total: number, secs: number[], proc: number[], steps: number[]): (string | number)[] => [name, `${n}/${total}`, range(secs), range(proc), range(steps, 0)];
  const ratio = (a: readonly number[], b: readonly number[]): string => (a.length && b.length ? fmt(median(a) / median(b)) : '—');
  const ratios = peers.map((p) => {
    const pOk = solved(p.runs);
    const goal = p.lr === 1e-3 && (cfg.lr ?? 1e-3) !== 1e-3 ? 0.6 : 0.8;
    return `ours / peer at lr ${p.lr}${p.lr === cfg.lr ? ' (the same lr)' : ' (its default)'}: whole process ${ratio(ok.map((r) => r.processSeconds), pOk.map((r) => r.processSeconds))} (goal ≤ ${goal}), from the first rollout ${ratio(ok.map((r) => r.solveSeconds!), pOk.map((r) => r.solveSeconds!))}, env steps ${ratio(ok.map((r) => r.solveSteps!), pOk.map((r) => r.solveSteps!))}.`;
  });
  md.push(
    `### CartPole-v1: time to solve (mean of the last 20 episodes ≥ ${SOLVED}) beside the PyTorch peer`,
    '',
    `Ours: \`configs/CartPole-v1.json\` (N = ${cfg.numEnvs}, T = ${cfg.stepsPerIter}, hidden ${JSON.stringify(cfg.hidden)} ${cfg.activation}, lr ${cfg.lr}${cfg.lrDecay === 'linear' ? ` decaying linearly over ${(cfg.totalSteps ?? 0).toLocaleString('en-US')} steps` : ''}, γ ${cfg.gamma}, baseline ${cfg.baseline}, returns ${cfg.returnEstimator}), one whole \`rl train --env CartPole-v1 --seed s --target-return 475 --eval-every 0\` process per seed (evaluations off: they do not change training, only take time). ` +
      `The peer: the same N, T, network (tanh MLP, orthogonal init, 0.01 last layer), γ, batch-mean baseline and advantage normalisation, constant lr, at our lr and at its default 1e-3. ` +
      '"From the first rollout": both sides\' own clocks (ours: the solving iteration\'s `wallSeconds`); "whole process": from spawning the process to the solve (ours: `rl` start, module loading, tfjs init, run directory, training, to the train.log line of the solving iteration; the peer: python start, `import torch`, training, to its exit at `--stop-at`). Median (range) over solved seeds.',
    '',
    markdownTable(
      ['implementation', 'solved', 'seconds from the first rollout', 'whole-process seconds', 'env steps to solve'],
      [
        row('@rl/trainer (tfjs wasm)', ok.length, ours.length, ok.map((r) => r.solveSeconds!), ok.map((r) => r.processSeconds), ok.map((r) => r.solveSteps!)),
        ...peers.map((p) => {
          const pOk = solved(p.runs);
          return row(`PyTorch peer, lr ${p.lr} (CPU, best of ${threadCounts.join(' / ')} threads)`, pOk.length, p.runs.length, pOk.map((r) => r.solveSeconds!), pOk.map((r) => r.processSeconds), pOk.map((r) => r.solveSteps!));
        }),
      ],
    ),
    '',
    `${peerNote}.${ratios.length ? ` Ratios of medians, ${ratios.join(' ')}` : ''}`,
    '',
  );
  const rows = [...band(ours.map((r) => r.curve), '@rl/trainer'), ...peers.flatMap((p) => band(p.runs.map((r) => r.curve), `PyTorch peer, lr ${p.lr}`))];
  files['learning-time-to-solve.svg'] = await curveSvg(`CartPole-v1 until solved, ${seeds.length} seeds (median, range)`, rows, SOLVED);
}

/** Runs the benchmark (see the file header) and writes the `learning` report. */
export async function runLearningBench(opts: LearningBenchOptions = {}): Promise<unknown> {
  const quick = opts.quick ?? false;
  const seeds = opts.seeds ?? (quick ? [1, 2] : [1, 2, 3, 4, 5]);
  const envs = opts.envs ?? ENVS;
  const md: string[] = [];
  const files: Record<string, string> = {};
  const loadStart = load();
  const t0 = performance.now();
  const data: Record<string, unknown> = { quick, seeds, envs, loadAverageStart: loadStart };
  await defaultsSection(envs, seeds, md, files, data);
  if (envs.includes('CartPole-v1')) await solveSection(seeds, opts, md, files, data);
  data.loadAverageEnd = load();
  data.wallSeconds = (performance.now() - t0) / 1000;
  md.push(
    `Plots: ${Object.keys(files).map((f) => `\`results/${f}\``).join(', ')}. Load average (1, 5, 15 min) ${loadStart} at the start, ${load()} at the end (2 cores, shared with other work: seconds are noisy; returns are not).${quick ? ' Quick run: fewer seeds.' : ''}`,
  );
  if (opts.write !== false) {
    writeReport({ name: 'learning', title: 'Learning: defaults on every env, time to solve CartPole', machine: machineInfo({ tfjs: tf.version.tfjs, backend: 'wasm' }), markdown: md.join('\n'), data, files });
  }
  return data;
}

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const seeds = arg('--seeds')?.split(',').map(Number);
  const envs = arg('--envs')?.split(',');
  const peerThreads = arg('--peer-threads');
  await runLearningBench({ ...(peerThreads ? { peerThreads: peerThreads.split(',').map(Number) } : {}), quick: argv.includes('--quick'), ...(seeds ? { seeds } : {}), ...(envs ? { envs } : {}), peer: !argv.includes('--no-peer') });
  console.error('learning benchmark written to benchmarks/results/learning.{json,md} and RESULTS.md');
}
