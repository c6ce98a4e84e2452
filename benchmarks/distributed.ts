/**
 * `rl bench distributed`: synchronous data-parallel REINFORCE over loopback NATS on this
 * machine. For 1, 2 and 4 actor processes (the same total envs split evenly) beside the same
 * total envs trained in one process (`createTrainer().step()`): env steps/s, round time,
 * the learner's update time (averaging + optimizer step + checkpoint), and payload bytes per
 * round on the wire. A real `nats-server` is started on 127.0.0.1 (Debian's, on PATH).
 *
 *     tsx --conditions=source benchmarks/distributed.ts [--envs 256] [--steps 32] [--actors 1,2,4] [--rounds 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DISTRIBUTED_BIN, resolveDistributed, runLearner, startLocalNats, type RoundMetrics } from '@rl/distributed';
import { initTf, tf } from '@rl/tf';
import { createTrainer } from '@rl/trainer';
import { machineInfo, markdownTable, median, procLoadavg, writeReport } from './lib/report.js';

/** Options of {@link runDistributedBench}. */
export interface DistributedBenchOptions {
  /** Total envs (split evenly over the actors). Default 256. */
  readonly envs?: number;
  /** T steps per env per round. Default 32. */
  readonly steps?: number;
  /** Actor process counts. Default [1, 2, 4]. */
  readonly actors?: readonly number[];
  /** Timed rounds per configuration (after 3 warm-up rounds). Default 20. */
  readonly rounds?: number;
  /** Hidden layers of the MLP. Default [64, 64]. */
  readonly hidden?: readonly number[];
  /** Backend of learner and actors. Default `wasm`. */
  readonly backend?: 'wasm' | 'cpu';
  /** Write results/ and RESULTS.md (default true). */
  readonly write?: boolean;
  readonly log?: (line: string) => void;
}

/** One configuration's numbers. */
export interface DistributedBenchRow {
  /** 0 = the single-process trainer. */
  readonly actors: number;
  readonly envsPerActor: number;
  readonly stepsPerSec: number;
  /** Median round (or single-process iteration) wall time, ms. */
  readonly roundMs: number;
  /** Median learner update (sample-weighted average + Adam step), ms. */
  readonly updateMs: number | undefined;
  /** Median checkpoint write (fsync + rename), ms. */
  readonly checkpointMs: number | undefined;
  /** Median payload bytes per round on the wire (weights to each actor, stats, global, gradients). */
  readonly bytesPerRound: number | undefined;
  readonly gradBytesPerActor: number | undefined;
  /** Env steps per actor CPU-second (utime + stime of the actor processes over the timed rounds): the per-core rate, less sensitive to the machine's load. */
  readonly stepsPerActorCpuSecond: number | undefined;
  /** Learner CPU ms per round (the benchmark process, which runs the learner). */
  readonly learnerCpuMsPerRound: number | undefined;
  /** nats-server CPU ms per round. */
  readonly natsCpuMsPerRound: number | undefined;
  /** Process start-up to the first round, s. */
  readonly startSeconds: number;
  readonly load1: number;
}

/** Result of {@link runDistributedBench}. */
export interface DistributedBenchResult {
  readonly rows: DistributedBenchRow[];
  readonly markdown: string;
  readonly parameters: number;
}

const ENV = 'CartPole-v1';

/**
 * Runs the benchmark (see the file header) and, unless `write: false`, writes
 * `benchmarks/results/distributed.{json,md}` and the RESULTS.md section.
 * @example
 * const r = await runDistributedBench({ envs: 64, actors: [1, 2], rounds: 5, write: false });
 */
export async function runDistributedBench(opts: DistributedBenchOptions = {}): Promise<DistributedBenchResult> {
  const envs = opts.envs ?? 256;
  const steps = opts.steps ?? 32;
  const ks = opts.actors ?? [1, 2, 4];
  const rounds = opts.rounds ?? 20;
  const warm = 3;
  const hidden = [...(opts.hidden ?? [64, 64])];
  const backend = opts.backend ?? 'wasm';
  const log = opts.log ?? ((l: string) => console.log(l));
  for (const k of ks) if (envs % k !== 0) throw new RangeError(`runDistributedBench: ${envs} envs do not split evenly over ${k} actors`);
  await initTf({ backend });
  const loadBefore = procLoadavg();
  const rows: DistributedBenchRow[] = [];
  const base = { env: ENV, seed: 1, stepsPerIter: steps, hidden, backend, logLevel: 'silent' as const };

  // The same total envs in one process
  {
    const t0 = performance.now();
    const trainer = await createTrainer({ ...base, numEnvs: envs, evalEpisodes: 0 });
    const startSeconds = (performance.now() - t0) / 1000;
    const ms: number[] = [];
    let cpu0 = process.cpuUsage();
    for (let i = 0; i < warm + rounds; i++) {
      if (i === warm) cpu0 = process.cpuUsage();
      const a = performance.now();
      trainer.step();
      if (i >= warm) ms.push(performance.now() - a);
    }
    const cpu1 = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu1.user + cpu1.system) / 1e6;
    trainer.dispose();
    const total = ms.reduce((s, x) => s + x, 0);
    rows.push({ actors: 0, envsPerActor: envs, stepsPerSec: (rounds * envs * steps) / (total / 1000), roundMs: median(ms), updateMs: undefined, checkpointMs: undefined, bytesPerRound: undefined, gradBytesPerActor: undefined, stepsPerActorCpuSecond: (rounds * envs * steps) / cpuSeconds, learnerCpuMsPerRound: undefined, natsCpuMsPerRound: undefined, startSeconds, load1: loadavg()[0]! });
    log(`single process: ${Math.round(rows[0]!.stepsPerSec).toLocaleString('en-US')} steps/s, ${Math.round(rows[0]!.stepsPerActorCpuSecond!).toLocaleString('en-US')} per CPU-s, ${median(ms).toFixed(1)} ms/iteration`);
  }

  const nats = await startLocalNats();
  let parameters = 0;
  try {
    for (const k of ks) {
      const dir = mkdtempSync(join(tmpdir(), 'rl-dist-bench-'));
      const run = `bench${k}`;
      const train = { ...base, numEnvs: envs / k };
      const children: ChildProcess[] = [];
      const t0 = performance.now();
      let firstRound = 0;
      try {
        for (let shard = 0; shard < k; shard++) {
          const args = ['--nats', nats.url, '--role', 'actor', '--run', run, '--shard', String(shard), '--shards', String(k), '--env', ENV, '--seed', '1', '--num-envs', String(envs / k), '--steps-per-iter', String(steps), '--hidden', hidden.join(','), '--backend', backend];
          const c = spawn(process.execPath, [DISTRIBUTED_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RL_LOG_LEVEL: 'error' } });
          c.stderr!.on('data', () => undefined);
          children.push(c);
        }
        const ms: RoundMetrics[] = [];
        const pids = children.map((c) => c.pid!);
        let snap0: { actors: number; learner: NodeJS.CpuUsage; nats: number } | undefined;
        let snap1: typeof snap0;
        const snap = () => ({ actors: pids.reduce((s, p) => s + procCpuSeconds(p), 0), learner: process.cpuUsage(), nats: procCpuSeconds(nats.process.pid!) });
        await runLearner(resolveDistributed({ nats: nats.url, role: 'learner', run, shards: k, iterations: warm + rounds, roundTimeoutMs: 120_000, checkpointDir: dir, train }), {
          onRound: (m, d) => {
            if (m.version === 1) firstRound = performance.now();
            if (m.version === warm) snap0 = snap();
            if (m.version === warm + rounds) snap1 = snap();
            if (m.version > warm) ms.push(m);
            parameters = d.weights.reduce((s, w) => s + w.length, 0);
          },
        });
        const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
        if (lines !== warm + rounds) throw new Error(`bench: expected ${warm + rounds} metrics lines, got ${lines}`);
        const total = ms.reduce((s, m) => s + m.roundMs, 0);
        const samples = ms.reduce((s, m) => s + m.samples, 0);
        const actorCpu = snap1!.actors - snap0!.actors;
        const learnerCpu = (snap1!.learner.user + snap1!.learner.system - snap0!.learner.user - snap0!.learner.system) / 1e6;
        const row: DistributedBenchRow = {
          actors: k,
          envsPerActor: envs / k,
          stepsPerSec: samples / (total / 1000),
          roundMs: median(ms.map((m) => m.roundMs)),
          updateMs: median(ms.map((m) => m.updateMs)),
          checkpointMs: median(ms.map((m) => m.checkpointMs)),
          bytesPerRound: median(ms.map((m) => m.bytes.total)),
          gradBytesPerActor: median(ms.map((m) => m.bytes.grads / Math.max(m.shards.length, 1))),
          stepsPerActorCpuSecond: actorCpu > 0 ? samples / actorCpu : undefined,
          learnerCpuMsPerRound: (1000 * learnerCpu) / rounds,
          natsCpuMsPerRound: (1000 * (snap1!.nats - snap0!.nats)) / rounds,
          startSeconds: (firstRound - t0) / 1000,
          load1: loadavg()[0]!,
        };
        rows.push(row);
        log(`${k} actor process${k === 1 ? '' : 'es'}: ${Math.round(row.stepsPerSec).toLocaleString('en-US')} steps/s, ${Math.round(row.stepsPerActorCpuSecond ?? 0).toLocaleString('en-US')} per actor CPU-s, learner CPU ${row.learnerCpuMsPerRound!.toFixed(1)} ms/round, nats ${row.natsCpuMsPerRound!.toFixed(1)} ms/round, round ${row.roundMs.toFixed(1)} ms, update ${row.updateMs!.toFixed(2)} ms, checkpoint ${row.checkpointMs!.toFixed(2)} ms, ${Math.round(row.bytesPerRound! / 1024)} KiB/round, load ${row.load1.toFixed(1)}`);
        await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
      } finally {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await nats.stop();
  }
  const loadAfter = procLoadavg();
  const markdown = report(rows, { envs, steps, rounds, hidden, backend, parameters, loadBefore, loadAfter });
  if (opts.write ?? true) {
    writeReport({
      name: 'distributed',
      title: `Distributed REINFORCE over loopback NATS (${ENV}, ${envs} envs, ${backend})`,
      machine: machineInfo({ tfjs: tf.version.tfjs, backend }),
      markdown,
      data: { rows, options: { envs, steps, rounds, warm, hidden, backend }, parameters, load: { before: loadBefore, after: loadAfter } },
    });
  }
  return { rows, markdown, parameters };
}

/** utime + stime of a process in seconds (/proc/<pid>/stat; 0 when unreadable). */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // fields 14, 15 in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function report(rows: readonly DistributedBenchRow[], o: { envs: number; steps: number; rounds: number; hidden: number[]; backend: string; parameters: number; loadBefore: string; loadAfter: string }): string {
  const single = rows.find((r) => r.actors === 0)!;
  const kib = (b: number | undefined) => (b === undefined ? '–' : (b / 1024).toFixed(1));
  const table = markdownTable(
    ['configuration', 'envs per process', 'env steps/s', '× single process', 'steps per actor CPU-s', 'round ms (median)', 'learner update ms', 'checkpoint ms', 'learner CPU ms/round', 'nats-server CPU ms/round', 'KiB per round on the wire', 'gradient KiB per actor', 'start-up s', 'load (1 min)'],
    rows.map((r) => [
      r.actors === 0 ? 'single process (createTrainer)' : `${r.actors} actor process${r.actors === 1 ? '' : 'es'} + learner`,
      r.envsPerActor,
      Math.round(r.stepsPerSec),
      `${(r.stepsPerSec / single.stepsPerSec).toFixed(2)}×`,
      r.stepsPerActorCpuSecond === undefined ? '–' : Math.round(r.stepsPerActorCpuSecond),
      r.roundMs.toFixed(1),
      r.updateMs === undefined ? '–' : r.updateMs.toFixed(2),
      r.checkpointMs === undefined ? '–' : r.checkpointMs.toFixed(2),
      r.learnerCpuMsPerRound === undefined ? '–' : r.learnerCpuMsPerRound.toFixed(1),
      r.natsCpuMsPerRound === undefined ? '–' : r.natsCpuMsPerRound.toFixed(1),
      kib(r.bytesPerRound),
      kib(r.gradBytesPerActor),
      r.startSeconds.toFixed(1),
      r.load1.toFixed(1),
    ]),
  );
  return [
    `${o.envs} CartPole-v1 envs in total, T = ${o.steps} steps per env per round, tanh MLP ${o.hidden.join('-')} (${o.parameters.toLocaleString('en-US')} parameters, ${(o.parameters * 4 / 1024).toFixed(1)} KiB as float32), ${o.backend}; ${o.rounds} timed rounds after 3 warm-up rounds. ` +
      '`steps per actor CPU-s`: real samples / (utime + stime of the actor processes over the timed rounds), for the single process its own CPU time (rollout and update); the per-core rate, far less sensitive to the shared machine\'s load than steps/s. The learner CPU includes the benchmark process\' own bookkeeping. Each round: θ to every actor (KV value), rollout, return statistics → learner, global mean/std → actors, ∇θJ of each shard → learner, sample-weighted average, Adam step (`learner update`), atomic checkpoint with fsync (`checkpoint`). The learner runs in the benchmark process; each actor is its own `rl-distributed` process; nats-server on 127.0.0.1. ' +
      'env steps/s = real samples / Σ round wall time. Bytes: payloads only, each subscriber\'s copy counted (weights and global message once per actor plus the publish).',
    table,
    `**Load.** 2-core machine shared with other engineers' tests and benchmarks: /proc/loadavg before \`${o.loadBefore}\`, after \`${o.loadAfter}\`. With more processes than free cores (4 actors + learner + nats-server on 2 cores) the actors time-share; the numbers are noisy and a lower bound on what dedicated cores give.`,
  ].join('\n\n');
}

function parseArgs(argv: readonly string[]): DistributedBenchOptions {
  const val = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const n = (k: string): number | undefined => (val(k) === undefined ? undefined : Number(val(k)));
  return {
    envs: n('--envs'),
    steps: n('--steps'),
    rounds: n('--rounds'),
    actors: val('--actors')?.split(',').map(Number),
    backend: val('--backend') as 'wasm' | 'cpu' | undefined,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runDistributedBench(parseArgs(process.argv.slice(2)));
  process.exit(0);
}
