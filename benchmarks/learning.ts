/**
 * Learning benchmark: how fast and how well batched REINFORCE learns.
 *
 * - CartPole-v1, time to solve (mean of the last 20 episodes ≥ 475), one child process per
 *   seed: wall seconds from the first rollout (as the peer measures) and for the whole process
 *   (node start, tfjs init, training), env steps, then 100 deterministic evaluation episodes
 *   right after solving and again at the end of training (the config's `totalSteps`): "solved and held".
 * - The PyTorch peer (benchmarks/peers/torch_reinforce/reinforce.py) with the same N, T,
 *   network, lr, γ and baseline, measured the same way, when `/usr/bin/python3 -c "import torch"`
 *   works; skipped with a message otherwise.
 * - Acrobot-v1, Pendulum-v1, MountainCar-v0 with the defaults in `configs/`: evaluation mean of
 *   100 deterministic episodes after the configured `totalSteps`.
 * - Learning curves (return vs env steps, seeds as a median line and a min–max band) as SVG.
 *
 * Run: `npx tsx --conditions=source benchmarks/learning.ts [--quick] [--seeds 1,2,3] [--other-seeds 1,2] [--envs CartPole-v1,Acrobot-v1] [--no-peer] [--peer-threads 1]`
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '@rl/tf';
import { createTrainer, type TrainConfig } from '@rl/trainer';
import { machineInfo, markdownTable, median, writeReport } from './lib/report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const PEER = existsSync(join(HERE, 'peers/torch_reinforce/reinforce.py'))
  ? join(HERE, 'peers/torch_reinforce/reinforce.py')
  : resolve(ROOT, '../shared/peers/torch_reinforce/reinforce.py');
const PYTHON = '/usr/bin/python3';
const SOLVED = 475;

/** Options of {@link runLearningBench}. */
export interface LearningBenchOptions {
  /** Fewer seeds (3 for CartPole, 2 elsewhere). */
  readonly quick?: boolean;
  /** Seeds (default 1…5, or 1…3 with quick). */
  readonly seeds?: readonly number[];
  /** Seeds of the envs other than CartPole (default: `seeds`, or its first two with quick). */
  readonly otherSeeds?: readonly number[];
  /** Envs to run (default all four). */
  readonly envs?: readonly string[];
  /** Run the PyTorch peer beside CartPole (default true). */
  readonly peer?: boolean;
  /** torch threads of the peer (default 2, as in its README; 1 is fairer when the cores are shared). */
  readonly peerThreads?: number;
  /** Write results/ and RESULTS.md (default true). */
  readonly write?: boolean;
}

/** One point of a learning curve. */
type Point = [envSteps: number, returnMean: number];

/** CartPole result of one seed. */
export interface SolveRun {
  readonly seed: number;
  readonly solved: boolean;
  readonly solveSteps: number | null;
  readonly solveSeconds: number | null;
  readonly processSeconds: number;
  readonly evalAfterSolve: number | null;
  readonly evalAfterHold: number | null;
  readonly curve: Point[];
}

/** Peer result of one seed. */
export interface PeerRun {
  readonly seed: number;
  readonly solveSteps: number | null;
  readonly solveSeconds: number | null;
  readonly processSeconds: number;
  readonly finalMean20: number | null;
  readonly curve: Point[];
}

/** Result of one other env and seed. */
export interface EnvRun {
  readonly env: string;
  readonly seed: number;
  readonly envSteps: number;
  readonly seconds: number;
  readonly evalMean: number;
  readonly evalStd: number;
  readonly curve: Point[];
}

function loadConfig(env: string): Partial<TrainConfig> {
  const path = join(ROOT, 'configs', `${env}.json`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$'))) as Partial<TrainConfig>;
}

function run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, RL_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** Child process: train CartPole-v1 until solved, evaluate, train on to `totalSteps`, evaluate; print one JSON line. */
async function childSolve(seed: number): Promise<void> {
  const cfg = loadConfig('CartPole-v1');
  const totalSteps = cfg.totalSteps ?? 300_000;
  // the config as tuned (its totalSteps is also the horizon of the lr decay); stop at the solve like the peer's --stop-at
  const trainer = await createTrainer({ ...cfg, seed, targetReturn: SOLVED, evalEpisodes: 100, logLevel: 'silent' });
  const curve: Point[] = [];
  const t0 = performance.now();
  let solveSeconds: number | null = null;
  let solveSteps: number | null = null;
  let solveEpochMs: number | null = null;
  const result = trainer.run({
    onIteration: (m) => {
      curve.push([m.envSteps, m.returnMean]);
      if (solveSteps === null && m.episodes >= 20 && m.returnMean >= SOLVED) {
        solveSteps = m.envSteps;
        solveSeconds = (performance.now() - t0) / 1000;
        solveEpochMs = Date.now();
      }
    },
  });
  const solved = result.reason === 'targetReturn';
  const evalAfterSolve = solved ? trainer.evaluate({ episodes: 100 }).mean : null;
  let evalAfterHold: number | null = null;
  if (solved) {
    while (trainer.envSteps < totalSteps) {
      const m = trainer.step();
      curve.push([m.envSteps, m.returnMean]);
    }
    evalAfterHold = trainer.evaluate({ episodes: 100 }).mean;
  }
  trainer.dispose();
  process.stdout.write(JSON.stringify({ seed, solved, solveSteps, solveSeconds, solveEpochMs, evalAfterSolve, evalAfterHold, curve, backend: tf.getBackend() }) + '\n');
}

async function solveCartPole(seed: number): Promise<SolveRun> {
  const spawnedAt = Date.now();
  const r = await run(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), '--child-solve', String(seed)]);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !line.startsWith('{')) throw new Error(`CartPole child (seed ${seed}) failed with code ${r.code}: ${r.stderr.slice(-600)}`);
  const { solveEpochMs, ...j } = JSON.parse(line) as Omit<SolveRun, 'processSeconds'> & { solveEpochMs: number | null };
  // whole process up to the solve: node + tsx start, imports, tfjs init, env/network set-up, training
  return { ...j, processSeconds: solveEpochMs === null ? r.seconds : (solveEpochMs - spawnedAt) / 1000 };
}

async function peerAvailable(): Promise<string | undefined> {
  if (!existsSync(PYTHON) || !existsSync(PEER)) return `skipped: ${!existsSync(PYTHON) ? PYTHON : PEER} not found`;
  const r = await run(PYTHON, ['-c', 'import torch']).catch(() => undefined);
  return r && r.code === 0 ? undefined : `skipped: \`${PYTHON} -c "import torch"\` failed`;
}

async function peerCartPole(seed: number, cfg: Partial<TrainConfig>, lr: number, threads: number): Promise<PeerRun> {
  const args = [
    PEER,
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
  const r = await run(PYTHON, args);
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.find((l) => l.type === 'summary');
  if (r.code !== 0 || !summary) throw new Error(`peer (seed ${seed}) failed with code ${r.code}: ${r.stderr.slice(-600)}`);
  const reached = summary.reached_475 as { step: number; wall_s: number } | null;
  const curve = lines.filter((l) => l.type === 'progress' && l.mean_return_last20 !== null).map((l) => [l.global_step as number, l.mean_return_last20 as number] as Point);
  return { seed, solveSteps: reached?.step ?? null, solveSeconds: reached?.wall_s ?? null, processSeconds: r.seconds, finalMean20: (summary.final_mean_return_last20 as number | null) ?? null, curve };
}

async function trainEnv(env: string, seed: number): Promise<EnvRun> {
  const cfg = loadConfig(env);
  const trainer = await createTrainer({ ...cfg, seed, logLevel: 'silent' });
  const curve: Point[] = [];
  const t0 = performance.now();
  trainer.run({ onIteration: (m) => curve.push([m.envSteps, m.returnMean]) });
  const seconds = (performance.now() - t0) / 1000;
  const ev = trainer.evaluate({ episodes: 100 });
  const envSteps = trainer.envSteps;
  trainer.dispose();
  return { env, seed, envSteps, seconds, evalMean: ev.mean, evalStd: ev.std, curve };
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
    { mark: { type: 'area', opacity: 0.25 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'mean return (last 20 episodes)' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', title: null } } },
    { mark: { type: 'line' }, encoding: { y: { field: 'median', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null } } },
  ];
  if (threshold !== undefined) layers.push({ data: { values: [{ t: threshold }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 't', type: 'quantitative' } } });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 300,
    data: { values: rows },
    encoding: { x: { field: 'steps', type: 'quantitative', title: 'env steps' } },
    layer: layers,
  };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

const fmt = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const range = (xs: readonly number[], d = 2): string => (xs.length ? `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})` : '—');

/** Runs the benchmark (see the file header) and writes the `learning` report. */
export async function runLearningBench(opts: LearningBenchOptions = {}): Promise<unknown> {
  const quick = opts.quick ?? false;
  const seeds = opts.seeds ?? (quick ? [1, 2, 3] : [1, 2, 3, 4, 5]);
  const envs = opts.envs ?? ['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1', 'MountainCar-v0'];
  const md: string[] = [];
  const files: Record<string, string> = {};
  const data: Record<string, unknown> = { quick, seeds };

  if (envs.includes('CartPole-v1')) {
    const cfg = loadConfig('CartPole-v1');
    const ours: SolveRun[] = [];
    for (const s of seeds) {
      ours.push(await solveCartPole(s));
      console.error(`CartPole seed ${s}:`, JSON.stringify({ ...ours[ours.length - 1], curve: undefined }));
    }
    const skip = opts.peer === false ? 'skipped: --no-peer' : await peerAvailable();
    // the peer twice: at its own default lr (1e-3, the numbers quoted in the issue) and at ours
    const peerLrs = [...new Set([1e-3, cfg.lr ?? 1e-3])];
    const peers: { lr: number; runs: PeerRun[] }[] = [];
    if (!skip) {
      for (const lr of peerLrs) {
        const runs: PeerRun[] = [];
        for (const s of seeds) {
          runs.push(await peerCartPole(s, cfg, lr, opts.peerThreads ?? 2));
          console.error(`peer lr ${lr} seed ${s}:`, JSON.stringify({ ...runs[runs.length - 1], curve: undefined }));
        }
        peers.push({ lr, runs });
      }
    }
    data.cartpole = { config: cfg, ours, peers, peerNote: skip ?? `ran ${PEER}` };
    const ok = ours.filter((r) => r.solved);
    const solvedPeer = (runs: readonly PeerRun[]): PeerRun[] => runs.filter((r) => r.solveSeconds !== null);
    const row = (name: string, solved: number, total: number, secs: number[], proc: number[], steps: number[]): (string | number)[] => [
      name,
      `${solved}/${total}`,
      range(secs),
      range(proc),
      range(steps, 0),
    ];
    md.push(
      `### CartPole-v1: time to solve (mean of last 20 episodes ≥ ${SOLVED})`,
      '',
      `Config \`configs/CartPole-v1.json\`: N = ${cfg.numEnvs}, T = ${cfg.stepsPerIter}, hidden ${JSON.stringify(cfg.hidden)} ${cfg.activation}, lr ${cfg.lr}, γ ${cfg.gamma}, baseline ${cfg.baseline}, returns ${cfg.returnEstimator}. The peer runs the same N, T, network (tanh MLP, orthogonal init), γ, batch-mean baseline and advantage normalisation, at its default lr 1e-3 and at ours. Seconds from the first rollout (both sides); "process" is the whole process (node + tsx start, tfjs init, training; or python start, \`import torch\`, training). Median (range) over solved seeds.`,
      '',
      markdownTable(
        ['implementation', 'solved', 'seconds to solve', 'process seconds', 'env steps to solve'],
        [
          row('@rl/trainer (tfjs wasm)', ok.length, ours.length, ok.map((r) => r.solveSeconds!), ok.map((r) => r.processSeconds), ok.map((r) => r.solveSteps!)),
          ...peers.map((p) => {
            const pOk = solvedPeer(p.runs);
            return row(`PyTorch peer, lr ${p.lr} (CPU, ${opts.peerThreads ?? 2} threads)`, pOk.length, p.runs.length, pOk.map((r) => r.solveSeconds!), pOk.map((r) => r.processSeconds), pOk.map((r) => r.solveSteps!));
          }),
        ],
      ),
      '',
      skip
        ? `PyTorch peer ${skip}.`
        : peers
            .map((p) => `Ratio of medians, seconds to solve, ours / peer at lr ${p.lr}: ${fmt(median(ok.map((r) => r.solveSeconds!)) / median(solvedPeer(p.runs).map((r) => r.solveSeconds!)))} (goal ≤ 0.7); env steps: ${fmt(median(ok.map((r) => r.solveSteps!)) / median(solvedPeer(p.runs).map((r) => r.solveSteps!)))}.`)
            .join(' '),
      '',
      `Solved and held: 100 deterministic evaluation episodes on fresh seeded envs right after solving (as if training stopped there, like the peer's \`--stop-at\`), and again after training on to the config's ${(cfg.totalSteps ?? 0).toLocaleString('en-US')} steps (lr decayed linearly to 0). "process s" = from spawning the process to the solve.`,
      '',
      markdownTable(
        ['seed', 'solve steps', 'solve s', 'process s', 'eval after solve', 'eval after hold'],
        ours.map((r) => [r.seed, r.solveSteps ?? '—', fmt(r.solveSeconds), fmt(r.processSeconds), fmt(r.evalAfterSolve, 1), fmt(r.evalAfterHold, 1)]),
      ),
      '',
      `Held (≥ ${SOLVED} after the hold phase): ${ours.filter((r) => (r.evalAfterHold ?? 0) >= SOLVED).length}/${ours.length} seeds.`,
      '',
    );
    const rows = [...band(ours.map((r) => r.curve), '@rl/trainer'), ...peers.flatMap((p) => band(p.runs.map((r) => r.curve), `PyTorch peer, lr ${p.lr}`))];
    files['learning-CartPole-v1.svg'] = await curveSvg(`CartPole-v1, ${seeds.length} seeds (median, range)`, rows, SOLVED);
  }

  const others = envs.filter((e) => e !== 'CartPole-v1');
  const otherSeeds = opts.otherSeeds ?? (quick ? seeds.slice(0, 2) : seeds);
  const goals: Record<string, number> = { 'Acrobot-v1': -100, 'Pendulum-v1': -250, 'MountainCar-v0': -110, 'MountainCarContinuous-v0': 90 };
  const otherRows: (string | number)[][] = [];
  for (const env of others) {
    const runs: EnvRun[] = [];
    for (const s of otherSeeds) {
      runs.push(await trainEnv(env, s));
      console.error(`${env} seed ${s}:`, JSON.stringify({ ...runs[runs.length - 1], curve: undefined }));
    }
    data[env] = { config: loadConfig(env), runs };
    const goal = goals[env];
    otherRows.push([
      env,
      runs.length,
      runs[0]!.envSteps,
      range(runs.map((r) => r.seconds), 1),
      range(runs.map((r) => r.evalMean), 1),
      goal === undefined ? '—' : `≥ ${goal}: ${runs.filter((r) => r.evalMean >= goal).length}/${runs.length}`,
    ]);
    files[`learning-${env}.svg`] = await curveSvg(`${env}, ${runs.length} seeds (median, range)`, band(runs.map((r) => r.curve), '@rl/trainer'), goal);
  }
  if (otherRows.length) {
    md.push(
      '### Other classic-control envs (defaults in `configs/`)',
      '',
      'Evaluation: mean return of 100 deterministic episodes on fresh seeded envs after training. Median (range) over seeds.',
      '',
      markdownTable(['env', 'seeds', 'env steps', 'train seconds', 'eval return', 'goal'], otherRows),
      '',
    );
  }
  md.push(`Plots: ${Object.keys(files).map((f) => `\`results/${f}\``).join(', ')}. Timings are noisy: 2 shared cores with other work running.`);

  if (opts.write !== false) {
    writeReport({ name: 'learning', title: 'Learning: time to solve and final returns', machine: machineInfo({ tfjs: tf.version.tfjs, backend: 'wasm' }), markdown: md.join('\n'), data, files });
  }
  return data;
}

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (argv.includes('--child-solve')) {
    await childSolve(Number(arg('--child-solve')));
  } else {
    const seeds = arg('--seeds')?.split(',').map(Number);
    const otherSeeds = arg('--other-seeds')?.split(',').map(Number);
    const envs = arg('--envs')?.split(',');
    const peerThreads = arg('--peer-threads');
    const out = await runLearningBench({ ...(peerThreads ? { peerThreads: Number(peerThreads) } : {}), quick: argv.includes('--quick'), ...(seeds ? { seeds } : {}), ...(otherSeeds ? { otherSeeds } : {}), ...(envs ? { envs } : {}), peer: !argv.includes('--no-peer') });
    void out;
    console.error('learning benchmark written to benchmarks/results/learning.{json,md} and RESULTS.md');
  }
}
