/**
 * Update speed (`rl bench update`): milliseconds of one REINFORCE update — forward of the
 * 4→64→64→2 tanh categorical policy over B samples, log π(a|s), normalised advantages, the
 * backward pass by tfjs autodiff, the read-back of loss and ‖∇θJ‖ (the trainer's NaN guard), one
 * Adam step — for B ∈ {1024, 4096, 16384}, on each backend available (wasm, cpu; webgpu when
 * `initTf` can set it up here), beside the PyTorch peer's same update
 * (benchmarks/peers/torch_reinforce/update_bench.py: forward, log_prob, normalised advantage,
 * backward, Adam step) with 2 threads and with 1, in the same run.
 *
 * Ours is what the trainer runs: `policyGradient` on a `createPolicy` policy (its `distribution`
 * goes through @rl/policy's `dense` ops) with `@rl/tf`'s `useFastWasmKernels` on wasm, and
 * `createOptimizer` Adam; and the same with the trainer's `updateWorkers: 2` (`createGradientThreads`:
 * the batch's gradient in two halves on two cores, summed), timed in rounds alternating with one
 * thread so both see the same load. The batch is synthetic and the same for every backend: T = 64 steps ×
 * B/64 envs, observations N(0, 0.05²), random actions, returns U(0, 100) (the peer's).
 * Each figure is the median of `repeats` timed runs of ≥ `seconds` each after a warm-up (the
 * best run is kept too). The ablation table measures each direction on wasm in one process by
 * switching kernels and forwards; the kernel profile (`tf.profile`, per-call minimum over a few
 * updates) says where the rest goes. The machine is shared: the 1-minute load average is
 * recorded with every figure.
 *
 *   npx tsx --conditions=source benchmarks/update.ts [--quick] [--no-peer] [--no-ablation] [--no-two-threads] [--batches 1024,4096] [--backends wasm,cpu]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Box, Discrete, Rng } from '@rl/env';
import { createPolicy, type NetworkPolicyHandle } from '@rl/policy';
import { threadTimes, type RolloutBatch } from '@rl/runner';
import { createGradientThreads, createOptimizer, normalize, policyGradient, type BatchData, type GradientEstimator, type GradientThreads, type Optimizer } from '@rl/trainer';
import { fastWasmKernels, initTf, tf, useFastWasmKernels, useStockWasmKernels, type BackendName, type FastWasmKernel } from '@rl/tf';
import { machineInfo, markdownTable, median, procLoadavg, writeReport } from './lib/report.js';
import { runTorchPeer, type TorchPeerRun } from './lib/torch_peer.js';

/** Backends `rl bench update` tries. */
export type UpdateBackend = 'wasm' | 'cpu' | 'webgpu';

/** Options of {@link runUpdateBench}. */
export interface UpdateBenchOptions {
  /** Batch sizes B; default 1024, 4096, 16384. */
  readonly batches?: readonly number[];
  /** Backends; default wasm, cpu, webgpu (each skipped with its reason when it cannot be set up). */
  readonly backends?: readonly UpdateBackend[];
  /** Largest B timed on the cpu backend (its matmul runs at ~0.7 GFLOP/s); default 16384. */
  readonly cpuMaxBatch?: number;
  /** Minimum seconds of one timed run; default 0.4. */
  readonly seconds?: number;
  /** Timed runs per figure (the median is reported); default 5. */
  readonly repeats?: number;
  /** The ablation table on wasm; default true. */
  readonly ablation?: boolean;
  /** Ours on wasm with the trainer's `updateWorkers: 2` (`createGradientThreads`: the batch split in halves along T, one half in a gradient thread, summed), timed in rounds interleaved with one thread; default true. */
  readonly twoThreads?: boolean;
  /** The kernel profile of ours on wasm at the smallest and largest B; default true. */
  readonly profile?: boolean;
  /** Run the PyTorch peer; default true. */
  readonly peer?: boolean;
  /** Peer thread counts; default 2 and 1. */
  readonly peerThreads?: readonly number[];
  /** Minimum seconds of one timed peer run (5 runs per B); default 0.4. */
  readonly peerSeconds?: number;
  /** Write JSON, markdown and the RESULTS.md section; default true. */
  readonly write?: boolean;
  /** Progress lines (default: console.log). */
  readonly log?: (line: string) => void;
}

/** One timed figure. */
export interface UpdateTiming {
  /** Median ms per update over the timed runs. */
  readonly ms: number;
  /** The best run's ms per update. */
  readonly msBest: number;
  /** Median process CPU ms per update (less sensitive to other processes than wall time). */
  readonly cpuMs: number;
  /** Median CPU ms per update of this (the calling) thread alone, and its wait for a core (Linux schedstat; NaN elsewhere). */
  readonly threadCpuMs: number;
  readonly threadWaitMs: number;
  /** Updates per timed run. */
  readonly updatesPerRun: number;
  /** Every run's ms per update. */
  readonly runs: readonly number[];
  /** 1-minute load average after the figure. */
  readonly load1: number;
}

/** Ours on one backend at one B. */
export interface UpdateBenchRow extends UpdateTiming {
  readonly backend: UpdateBackend;
  readonly batch: number;
}

/** Ours with `updateWorkers: 2` at one B, and one thread timed in the same interleaved rounds. */
export interface TwoThreadRow extends UpdateTiming {
  readonly batch: number;
  /** One thread, timed in rounds alternating with the two-thread ones (its best round). */
  readonly oneThread: UpdateTiming;
  /** ‖Δ‖ / ‖∇θJ‖ over the flat gradient between the two-thread estimate and the one-thread one (same batch, same weights). */
  readonly gradientRelDiff: number;
  /** Median over the timed updates of the gradient thread's CPU ms and its wait for a core (Linux schedstat). */
  readonly helperCpuMs: number;
  readonly helperWaitMs: number;
  /**
   * The speed-up where both threads have a core (a load-independent estimate from CPU times):
   * one thread's CPU per update / the larger of this thread's and the gradient thread's CPU per
   * update with two.
   */
  readonly cpuBoundSpeedup: number;
}

/** One line of the ablation table: a configuration of forward and kernels on wasm at one B. */
export interface AblationRow extends UpdateTiming {
  readonly variant: string;
  readonly batch: number;
}

/** One kernel of the profile. */
export interface ProfileLine {
  readonly kernel: string;
  readonly calls: number;
  /** Sum over the kernel's calls of each call's minimum ms over the profiled updates. */
  readonly ms: number;
}

/** The profile of ours on wasm at one B. */
export interface UpdateProfile {
  readonly batch: number;
  /** Kernels launched per update. */
  readonly kernels: number;
  /** Sum of all per-call minima (kernel time; the rest of an update is JavaScript dispatch). */
  readonly kernelMs: number;
  readonly top: readonly ProfileLine[];
  /** The slowest single kernel calls, with their input shapes. */
  readonly slowest: readonly { readonly kernel: string; readonly shapes: string; readonly ms: number }[];
}

/** The peer at one thread count. */
export interface PeerUpdateResult extends Omit<TorchPeerRun, 'json'> {
  readonly threads: number;
  /** ms per update by B (median run), and the best run. */
  readonly ms: Record<number, number>;
  readonly msBest: Record<number, number>;
}

/** Everything the benchmark measured. */
export interface UpdateBenchResult {
  readonly rows: readonly UpdateBenchRow[];
  /** Backends that could not be set up, with the reason. */
  readonly skipped: readonly { readonly backend: UpdateBackend; readonly reason: string }[];
  readonly ablation: readonly AblationRow[];
  readonly twoThreads: readonly TwoThreadRow[];
  readonly profiles: readonly UpdateProfile[];
  readonly peer: readonly PeerUpdateResult[];
  readonly markdown: string;
  /** /proc/loadavg at the start and the end. */
  readonly load: { readonly before: string; readonly after: string };
}

const OBS_DIM = 4;
const ACTIONS = 2;
const STEPS = 64;

/** The synthetic batch (same numbers on every backend) and its read-back, as the trainer holds them. */
interface Problem {
  readonly batch: RolloutBatch;
  readonly data: BatchData;
  readonly returns: Float32Array;
  dispose(): void;
}

function problem(b: number): Problem {
  const n = b / STEPS;
  const rng = new Rng(b);
  const obs = Float32Array.from({ length: b * OBS_DIM }, () => 0.05 * rng.normal());
  const actions = Int32Array.from({ length: b }, () => (rng.uniform(0, 1) < 0.5 ? 0 : 1));
  const returns = Float32Array.from({ length: b }, () => rng.uniform(0, 100));
  const obsT = tf.tensor3d(obs, [STEPS, n, OBS_DIM]);
  const zeros = tf.zeros([STEPS, n]) as tf.Tensor2D;
  const ones = tf.ones([STEPS, n]) as tf.Tensor2D;
  const batch: RolloutBatch = {
    obs: obsT,
    actions: tf.tensor2d(actions, [STEPS, n], 'int32'),
    rewards: zeros,
    terminated: zeros,
    truncated: zeros,
    finalObs: obsT,
    lastObs: tf.zeros([n, OBS_DIM]) as tf.Tensor2D,
    mask: ones,
    episodeReturns: [],
    episodeLengths: [],
    episodeEnds: [],
    numSteps: b,
    steps: STEPS,
    numEnvs: n,
    dispose: () => tf.dispose([obsT, batch.actions, zeros, ones, batch.lastObs]),
  };
  const data: BatchData = { steps: STEPS, numEnvs: n, rewards: new Float32Array(b), terminated: new Float32Array(b), truncated: new Float32Array(b), mask: new Float32Array(b).fill(1) };
  return { batch, data, returns, dispose: () => batch.dispose() };
}

/** One update as the trainer runs it: Â = R − mean R (normalised in the estimator), ∇θJ, the NaN guard's read-back, Adam. */
function update(policy: NetworkPolicyHandle, opt: Optimizer, p: Problem, gradient: GradientEstimator = policyGradient): void {
  let mean = 0;
  for (const r of p.returns) mean += r;
  mean /= p.returns.length;
  const pg = gradient(policy, p.batch, { advantages: p.returns.map((r) => r - mean), normalizeAdvantages: true, data: p.data });
  const guard = tf.stack([pg.loss, pg.gradNorm]);
  guard.dataSync();
  guard.dispose();
  opt.ascend(pg.gradJ);
  pg.dispose();
}

/** Times `f`: a warm-up (≥ 3 calls and ≥ min(0.15, seconds) s), then `repeats` runs of ≥ `seconds` each. */
function time(f: () => void, seconds: number, repeats: number): UpdateTiming {
  const w0 = performance.now();
  const warm = Math.min(150, 1000 * seconds);
  for (let i = 0; i < 3 || performance.now() - w0 < warm; i++) f();
  const t0 = performance.now();
  f();
  const per = Math.max(performance.now() - t0, 1e-3);
  const n = Math.max(2, Math.ceil((seconds * 1000) / per));
  const runs: number[] = [];
  const cpu: number[] = [];
  const own: number[] = [];
  const wait: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = threadTimes();
    const s = performance.now();
    for (let i = 0; i < n; i++) f();
    runs.push((performance.now() - s) / n);
    const t1 = threadTimes();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / n);
    own.push(t0 && t1 ? (t1.cpuMs - t0.cpuMs) / n : NaN);
    wait.push(t0 && t1 ? (t1.waitMs - t0.waitMs) / n : NaN);
  }
  return { ms: median(runs), msBest: Math.min(...runs), cpuMs: median(cpu), threadCpuMs: median(own), threadWaitMs: median(wait), updatesPerRun: n, runs, load1: loadavg()[0]! };
}

function makePolicy(fastPath: boolean): { policy: NetworkPolicyHandle; opt: Optimizer } {
  const policy = createPolicy(new Box(-Infinity, Infinity, [OBS_DIM]), new Discrete(ACTIONS), { hidden: [64, 64], activation: 'tanh', seed: 1, fastPath });
  return { policy, opt: createOptimizer(policy.trainableVariables, { kind: 'adam', lr: 1e-3 }) };
}

/** Sets up a backend for ours; the reason when it cannot be. */
async function setBackend(backend: UpdateBackend): Promise<string | undefined> {
  try {
    // webgpu in Node is being added to @rl/tf; until then initTf refuses it with its reason
    await initTf({ backend: backend as BackendName });
    if (tf.getBackend() !== backend) return `initTf({ backend: '${backend}' }) set up ${tf.getBackend()}`;
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The ablation on wasm: each direction switched on in turn (kernels are process-wide, so they are switched in place). */
const ABLATION: readonly { readonly variant: string; readonly fastPath: boolean; readonly kernels: readonly FastWasmKernel[] }[] = [
  { variant: 'stock: model.apply, tfjs 4.22 wasm kernels', fastPath: false, kernels: [] },
  { variant: '+ BatchMatMul, Transpose: flagged products as transposes + XNNPACK', fastPath: false, kernels: ['BatchMatMul', 'Transpose'] },
  { variant: '+ Sum: bias gradients without the transposing Sum', fastPath: false, kernels: ['BatchMatMul', 'Transpose', 'Sum'] },
  { variant: '+ Identity: saved tensors shared, not copied', fastPath: false, kernels: ['BatchMatMul', 'Transpose', 'Sum', 'Identity'] },
  { variant: '+ dense op: fused forward, tanh as 2σ(2z) − 1, own VJP (= ours)', fastPath: true, kernels: ['BatchMatMul', 'Transpose', 'Sum', 'Identity'] },
  { variant: 'dense op with the stock kernels', fastPath: true, kernels: [] },
];

/** Rounds of the ablation (each figure is its best round's median). */
const ABLATION_ROUNDS = 3;

function useKernels(kernels: readonly FastWasmKernel[]): void {
  useStockWasmKernels();
  if (kernels.length) useFastWasmKernels({ kernels });
}

/**
 * XNNPACK re-packs W after every Adam step (Variable.assign gives it a new tensor id): X·W
 * `[B, 64]·[64, 64]` with the W it has packed, against a fresh copy of W (made outside the timed
 * call), interleaved call by call; medians of `calls` pairs.
 */
function repackProbe(b: number, calls: number): { cachedMs: number; freshMs: number } {
  const x = tf.randomNormal([b, 64]) as tf.Tensor2D;
  const w = tf.randomNormal([64, 64]) as tf.Tensor2D;
  const cached: number[] = [];
  const fresh: number[] = [];
  tf.matMul(x, w).dispose();
  for (let i = 0; i < calls; i++) {
    const w2 = tf.add(w, 0) as tf.Tensor2D;
    let t0 = performance.now();
    tf.matMul(x, w).dispose();
    cached.push(performance.now() - t0);
    t0 = performance.now();
    tf.matMul(x, w2).dispose();
    fresh.push(performance.now() - t0);
    w2.dispose();
  }
  tf.dispose([x, w]);
  return { cachedMs: median(cached), freshMs: median(fresh) };
}

/** Per-kernel profile of ours: per call the minimum over `updates` profiled updates. */
async function profileUpdate(policy: NetworkPolicyHandle, opt: Optimizer, p: Problem, updates: number): Promise<UpdateProfile> {
  let calls: { name: string; shapes: string; ms: number }[] | undefined;
  for (let i = 0; i < updates; i++) {
    const info = await tf.profile(() => update(policy, opt, p));
    const ks = info.kernels.map((k) => ({ name: k.name, shapes: k.inputShapes.map((sh) => `[${sh.join(', ')}]`).join(' '), ms: k.kernelTimeMs as number }));
    if (!calls || calls.length !== ks.length) calls = ks;
    else ks.forEach((k, j) => (calls![j]!.ms = Math.min(calls![j]!.ms, k.ms)));
  }
  // customGrad ops (our `forward`, tfjs' logSoftmax) also appear as entries around the kernels they run: count the kernels only
  const wrappers = new Set(['forward', 'logSoftmax__op', 'fusedMatMul__op']);
  const by = new Map<string, { calls: number; ms: number }>();
  for (const c of calls!.filter((k) => !wrappers.has(k.name))) {
    const e = by.get(c.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += c.ms;
    by.set(c.name, e);
  }
  const top = [...by.entries()].map(([kernel, e]) => ({ kernel, ...e })).sort((a, b) => b.ms - a.ms);
  const slowest = calls!.filter((k) => !wrappers.has(k.name)).sort((a, b) => b.ms - a.ms).slice(0, 7).map((k) => ({ kernel: k.name, shapes: k.shapes, ms: k.ms }));
  return { batch: p.batch.numSteps, kernels: top.reduce((a, k) => a + k.calls, 0), kernelMs: top.reduce((a, k) => a + k.ms, 0), top: top.slice(0, 8), slowest };
}

/** ‖a − b‖ / ‖b‖ over the flat gradient (every variable end to end): how far the two-thread estimate is from the one-thread one. */
function gradientDiff(policy: NetworkPolicyHandle, p: Problem, threads: GradientThreads): number {
  let mean = 0;
  for (const r of p.returns) mean += r;
  mean /= p.returns.length;
  const opts = { advantages: p.returns.map((r) => r - mean), normalizeAdvantages: true, data: p.data };
  const ref = policyGradient(policy, p.batch, opts);
  const got = threads.gradient(policy, p.batch, opts);
  let d = 0;
  let m = 0;
  ref.gradJ.forEach((r, i) => {
    const a = got.gradJ[i]!.dataSync();
    const b = r.dataSync();
    for (let j = 0; j < b.length; j++) (d += (a[j]! - b[j]!) ** 2), (m += b[j]! ** 2);
  });
  ref.dispose();
  got.dispose();
  return Math.sqrt(d / Math.max(m, 1e-60));
}

/** Rounds of the one- vs two-thread comparison (each keeps its best round). */
const TWO_THREAD_ROUNDS = 3;

function runPeers(batches: readonly number[], threads: readonly number[], seconds: number, log: (l: string) => void): PeerUpdateResult[] {
  return threads.map((t) => {
    const args = ['--threads', String(t), '--batches', batches.join(','), '--repeats', '5', '--seconds', String(seconds)];
    log(`peer (${t} thread${t > 1 ? 's' : ''}): running`);
    const r = runTorchPeer('update_bench.py', args, { timeoutMs: 300_000 });
    const ms: Record<number, number> = {};
    const msBest: Record<number, number> = {};
    for (const row of (r.json?.update_ms as { batch: number; ms: number; ms_best: number }[] | undefined) ?? []) {
      ms[row.batch] = row.ms;
      msBest[row.batch] = row.ms_best;
    }
    const { json: _json, ...rest } = r;
    log(`peer (${t} thread${t > 1 ? 's' : ''}): ${r.note}${r.ran ? ` — ${batches.map((b) => `B=${b} ${ms[b]?.toFixed(2)} ms`).join(', ')}` : ''}`);
    return { ...rest, threads: t, ms, msBest };
  });
}

/**
 * Measures the update (see the file header) and, unless `write: false`, writes
 * `benchmarks/results/update.{json,md}` and the RESULTS.md section.
 * @example
 * const r = await runUpdateBench({ batches: [1024], backends: ['wasm'], peer: false, ablation: false, write: false });
 */
export async function runUpdateBench(opts: UpdateBenchOptions = {}): Promise<UpdateBenchResult> {
  const batches = opts.batches ?? [1024, 4096, 16384];
  for (const b of batches) if (!Number.isInteger(b) || b < STEPS || b % STEPS !== 0) throw new RangeError(`runUpdateBench: batch ${b} must be a positive multiple of ${STEPS} (T = ${STEPS} steps × B/${STEPS} envs)`);
  const backends = opts.backends ?? ['wasm', 'cpu', 'webgpu'];
  const seconds = opts.seconds ?? 0.4;
  const repeats = opts.repeats ?? 5;
  const cpuMax = opts.cpuMaxBatch ?? 16384;
  const log = opts.log ?? ((l: string) => console.log(l));
  const loadBefore = procLoadavg();
  log(`load before: ${loadBefore}`);
  const rows: UpdateBenchRow[] = [];
  const skipped: { backend: UpdateBackend; reason: string }[] = [];
  const ablation: AblationRow[] = [];
  const twoThreads: TwoThreadRow[] = [];
  const profiles: UpdateProfile[] = [];
  const repack: { batch: number; cachedMs: number; freshMs: number }[] = [];
  const kernelsBefore = fastWasmKernels();

  for (const backend of backends) {
    const why = await setBackend(backend);
    if (why) {
      skipped.push({ backend, reason: why });
      log(`${backend}: skipped (${why})`);
      continue;
    }
    if (backend === 'wasm') useKernels(['BatchMatMul', 'Transpose', 'Sum', 'Identity']);
    const { policy, opt } = makePolicy(true);
    for (const b of batches) {
      if (backend === 'cpu' && b > cpuMax) continue;
      const p = problem(b);
      const slow = backend === 'cpu';
      const t = time(() => update(policy, opt, p), slow ? Math.min(seconds, 0.2) : seconds, slow ? Math.min(repeats, 3) : repeats);
      rows.push({ backend, batch: b, ...t });
      log(`${backend.padEnd(6)} B=${String(b).padStart(5)}  ${t.ms.toFixed(2)} ms (best ${t.msBest.toFixed(2)}, cpu ${t.cpuMs.toFixed(2)})  load ${t.load1.toFixed(2)}`);
      if (backend === 'wasm' && (opts.profile ?? true) && (b === Math.min(...batches) || b === Math.max(...batches))) {
        const prof = await profileUpdate(policy, opt, p, 4);
        profiles.push(prof);
        log(`  profile B=${b}: ${prof.kernels} kernels, ${prof.kernelMs.toFixed(2)} ms of kernels; ${prof.top.slice(0, 4).map((k) => `${k.kernel} ${k.ms.toFixed(2)}`).join(', ')}`);
      }
      p.dispose();
    }
    opt.dispose();
    policy.dispose();

    if (backend === 'wasm' && (opts.ablation ?? true)) {
      for (const b of batches) {
        const p = problem(b);
        // rounds of every variant in turn, so a burst of load from elsewhere hits them all alike; each keeps its best round
        const runs = ABLATION.map((a) => ({ a, ...makePolicy(a.fastPath), best: undefined as UpdateTiming | undefined }));
        for (let round = 0; round < ABLATION_ROUNDS; round++) {
          for (const v of runs) {
            useKernels(v.a.kernels);
            const t = time(() => update(v.policy, v.opt, p), seconds / 3, 3);
            if (!v.best || t.ms < v.best.ms) v.best = t;
          }
        }
        for (const v of runs) {
          ablation.push({ variant: v.a.variant, batch: b, ...v.best! });
          log(`  ablation B=${String(b).padStart(5)} ${v.best!.ms.toFixed(2).padStart(8)} ms  ${v.a.variant}`);
          v.opt.dispose();
          v.policy.dispose();
        }
        useKernels(['BatchMatMul', 'Transpose', 'Sum', 'Identity']);
        repack.push({ batch: b, ...repackProbe(b, 40) });
        p.dispose();
      }
    }
    if (backend === 'wasm' && (opts.twoThreads ?? true)) {
      useKernels(['BatchMatMul', 'Transpose', 'Sum', 'Identity']);
      const { policy: tp, opt: to } = makePolicy(true);
      const threads = createGradientThreads(tp, { parts: 2 });
      await threads.ready();
      try {
        for (const b of batches) {
          const p = problem(b);
          const gradientRelDiff = gradientDiff(tp, p, threads);
          // rounds of one thread and two in turn, so a burst of load from elsewhere hits both alike; each keeps its best round
          let one: UpdateTiming | undefined;
          let two: UpdateTiming | undefined;
          const helper: { cpu: number; wait: number }[] = [];
          for (let round = 0; round < TWO_THREAD_ROUNDS; round++) {
            const t1 = time(() => update(tp, to, p), seconds, repeats);
            const t2 = time(() => {
              update(tp, to, p, threads.gradient);
              const h = threads.lastTimes[0]!;
              helper.push({ cpu: h.cpuMs, wait: h.waitMs });
            }, seconds, repeats);
            if (!one || t1.ms < one.ms) one = t1;
            if (!two || t2.ms < two.ms) two = t2;
          }
          const helperCpuMs = median(helper.map((h) => h.cpu));
          const cpuBoundSpeedup = one!.threadCpuMs / Math.max(two!.threadCpuMs, helperCpuMs);
          const row: TwoThreadRow = { batch: b, ...two!, oneThread: one!, gradientRelDiff, helperCpuMs, helperWaitMs: median(helper.map((h) => h.wait)), cpuBoundSpeedup };
          twoThreads.push(row);
          log(`wasm, 2 threads B=${String(b).padStart(5)}  ${row.ms.toFixed(2)} ms (best ${row.msBest.toFixed(2)}) vs one thread ${one!.ms.toFixed(2)} ms in the same rounds: ${(one!.ms / row.ms).toFixed(2)}×; CPU per update: one thread ${one!.threadCpuMs.toFixed(2)} ms; two: this thread ${row.threadCpuMs.toFixed(2)} ms, the gradient thread ${row.helperCpuMs.toFixed(2)} ms (waited ${row.helperWaitMs.toFixed(2)} ms) → ${row.cpuBoundSpeedup.toFixed(2)}× with a core each; ∇θJ within ${gradientRelDiff.toExponential(1)} of one thread's  load ${row.load1.toFixed(2)}`);
          p.dispose();
        }
      } finally {
        await threads.close();
        to.dispose();
        tp.dispose();
      }
    }
    if (backend === 'wasm') useKernels(kernelsBefore);
  }
  const peer = opts.peer === false ? [] : runPeers(batches, opts.peerThreads ?? [2, 1], opts.peerSeconds ?? 0.4, log);
  const loadAfter = procLoadavg();
  log(`load after: ${loadAfter}`);
  const markdown = report({ rows, skipped, ablation, twoThreads, profiles, peer, repack, batches, backends, seconds, repeats, loadBefore, loadAfter, peerOff: opts.peer === false });
  if (opts.write ?? true) {
    writeReport({
      name: 'update',
      title: 'Update speed (one REINFORCE update, tanh 64-64 categorical policy)',
      machine: machineInfo({ tfjs: tf.version.tfjs, backend: rows.map((r) => r.backend).filter((x, i, a) => a.indexOf(x) === i).join(', ') }),
      markdown,
      data: { rows, skipped, ablation, twoThreads, profiles, repack, peer, load: { before: loadBefore, after: loadAfter }, options: { batches, backends, seconds, repeats } },
    });
  }
  return { rows, skipped, ablation, twoThreads, profiles, peer, markdown, load: { before: loadBefore, after: loadAfter } };
}

function report(o: {
  rows: readonly UpdateBenchRow[];
  skipped: readonly { backend: UpdateBackend; reason: string }[];
  ablation: readonly AblationRow[];
  twoThreads: readonly TwoThreadRow[];
  profiles: readonly UpdateProfile[];
  peer: readonly PeerUpdateResult[];
  repack: readonly { batch: number; cachedMs: number; freshMs: number }[];
  batches: readonly number[];
  backends: readonly UpdateBackend[];
  seconds: number;
  repeats: number;
  loadBefore: string;
  loadAfter: string;
  peerOff: boolean;
}): string {
  const ms = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '–');
  const ours = (backend: UpdateBackend, b: number): UpdateBenchRow | undefined => o.rows.find((r) => r.backend === backend && r.batch === b);
  const measured = o.backends.filter((be) => o.rows.some((r) => r.backend === be));
  const peer2 = o.peer.find((p) => p.threads === 2 && p.ran);
  const peer1 = o.peer.find((p) => p.threads === 1 && p.ran);
  const two = (b: number): TwoThreadRow | undefined => o.twoThreads.find((r) => r.batch === b);
  const withBest = (t: { ms: number; msBest: number } | undefined): string => (t && Number.isFinite(t.ms) ? `${ms(t.ms)} (${ms(t.msBest)})` : '–');
  // the peer at its best: the faster of its 2-thread and 1-thread figures (OpenMP's 2 threads lose to 1 on a loaded machine)
  const peerBest = (b: number): { ms: number; threads: number } | undefined =>
    o.peer.filter((p) => p.ran && p.ms[b] !== undefined).map((p) => ({ ms: p.ms[b]!, threads: p.threads })).sort((x, y) => x.ms - y.ms)[0];
  const threadsOf = (b: number): string => (peerBest(b) ? ` (${peerBest(b)!.threads} thr)` : '');
  const speedUp = (x: number): string => `${x.toFixed(2)}× (${x >= 1 ? 'faster' : 'slower'})`;
  const twoHeader = o.twoThreads.length ? ['ours, wasm, 2 threads (updateWorkers 2)', '2 threads / 1 thread, same rounds'] : [];
  const header = ['B', ...measured.map((be) => `ours, ${be} (ms)`), ...twoHeader, 'peer, 2 threads (ms)', 'peer, 1 thread (ms)', 'ours wasm / best peer', ...(o.twoThreads.length ? ['ours 2 threads / best peer'] : []), 'load (1 min)'];
  const body = o.batches.map((b) => [
    b,
    ...measured.map((be) => withBest(ours(be, b))),
    ...(o.twoThreads.length ? [withBest(two(b)), two(b) ? speedUp(two(b)!.oneThread.ms / two(b)!.ms) : '–'] : []),
    withBest(peer2 && { ms: peer2.ms[b]!, msBest: peer2.msBest[b]! }),
    withBest(peer1 && { ms: peer1.ms[b]!, msBest: peer1.msBest[b]! }),
    ratio(ours('wasm', b)?.ms, peerBest(b)?.ms) + threadsOf(b),
    ...(o.twoThreads.length ? [ratio(two(b)?.ms, peerBest(b)?.ms)] : []),
    [...o.rows.filter((r) => r.batch === b), ...(two(b) ? [two(b)!] : [])].map((r) => r.load1.toFixed(1)).join(' / '),
  ]);
  const peerNotes = o.peerOff ? ['Peer: skipped: --no-peer.'] : o.peer.map((p) => `Peer, ${p.threads} thread${p.threads > 1 ? 's' : ''}: ${p.ran ? p.note : `peer ${p.note}`}.`);
  // ours at its best: the faster of one thread and two (as the peer's)
  const oursBest = (b: number): { ms: number; what: string } | undefined => {
    // one thread: its own row, or its figure in the rounds alternating with two threads (the quieter of the two)
    const c = [ours('wasm', b) && { ms: ours('wasm', b)!.ms, what: '1 thr' }, two(b) && { ms: two(b)!.oneThread.ms, what: '1 thr' }, two(b) && { ms: two(b)!.ms, what: '2 thr' }].filter((x): x is { ms: number; what: string } => !!x && Number.isFinite(x.ms));
    return c.sort((x, y) => x.ms - y.ms)[0];
  };
  const goals = o.batches.map((b) => {
    const r = oursBest(b);
    const p = peerBest(b);
    if (!r || !p) return `B=${b} not measured`;
    const limit = b >= 4096 ? 1.25 : 2;
    return `B=${b} ${(r.ms / p.ms).toFixed(2)}× (ours ${r.what} / peer ${p.threads} thr; goal ≤ ${limit}×: ${r.ms / p.ms <= limit ? 'met' : 'NOT met'})`;
  });
  const parts = [
    `Milliseconds per update: median of ${o.repeats} runs of ≥ ${o.seconds} s after a warm-up (the best run in parentheses). ` +
      'Ours: `policyGradient` + the loss/‖∇θJ‖ read-back + `createOptimizer` Adam on a `createPolicy` policy (tanh 64-64, categorical), on wasm with `useFastWasmKernels`; the peer: `update_bench.py` (forward, `Categorical.log_prob`, normalised advantage, backward, `Adam.step`). Same batch layout for both: B samples of 4-dimensional observations.',
    markdownTable(header, body),
    `**Goals** (ours at its best, the faster of one thread and two, / the peer at its best, the faster of its 2-thread and 1-thread runs): ${goals.join('; ')}.`,
    ...peerNotes,
    ...(o.skipped.length ? [`Skipped backends: ${o.skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}.`] : []),
    ...(o.twoThreads.length
      ? [
          '**Two threads (the trainer\'s `updateWorkers: 2`, `createGradientThreads`).** The learner computes Â over the whole batch, splits the batch in halves along T, computes the first half\'s `surrogateGradient` while a gradient thread computes the second\'s (θ, observations, actions, Â and mask over shared memory each update), sums the two, and Adam steps once. ' +
            `Timed in ${TWO_THREAD_ROUNDS} rounds alternating with one thread (each its best round): ${o.twoThreads.map((t) => `B=${t.batch} ${ms(t.oneThread.ms)} → ${ms(t.ms)} ms wall (${(t.oneThread.ms / t.ms).toFixed(2)}×); CPU per update ${ms(t.oneThread.threadCpuMs)} ms in one thread → ${ms(t.threadCpuMs)} ms here + ${ms(t.helperCpuMs)} ms in the gradient thread (which waited ${ms(t.helperWaitMs)} ms for a core): ${t.cpuBoundSpeedup.toFixed(2)}× where each thread has a core`).join(', ')}; the summed ∇θJ is within ${o.twoThreads.map((t) => t.gradientRelDiff.toExponential(1)).join(' / ')} (‖Δ‖/‖∇θJ‖) of the one-thread gradient. ` +
            'The wall-clock speed-up needs both threads on a core: the gradient thread\'s wait for one is what other processes cost it, and where it is a sizeable share of its CPU time the wall figure says more about the load than about the method; the CPU-time figure (one thread\'s CPU over the larger of the two threads\' CPU, each measured by Linux\'s schedstat) is what two free cores give.',
        ]
      : []),
  ];
  if (o.ablation.length) {
    const variants = [...new Set(o.ablation.map((a) => a.variant))];
    const cell = (v: string, b: number): string => ms(o.ablation.find((a) => a.variant === v && a.batch === b)?.ms);
    parts.push(
      `**What each direction pays** (ours on wasm, ms per update; each line adds to the one above, kernels switched in place in one process, ${ABLATION_ROUNDS} rounds of all lines in turn, each line's best round; the last line is the dense op alone):`,
      markdownTable(['configuration', ...o.batches.map((b) => `B = ${b}`)], variants.map((v) => [v, ...o.batches.map((b) => cell(v, b))])),
    );
    if (o.repack.length) {
      parts.push(
        `**Re-packing after \`Variable.assign\`** (XNNPACK's packed-weights cache is keyed on the tensor id, which every Adam step changes): one X·W at [B, 64]·[64, 64] takes ${o.repack.map((r) => ms(r.cachedMs)).join(' / ')} ms with the W XNNPACK has packed and ${o.repack.map((r) => ms(r.freshMs)).join(' / ')} ms with a fresh copy of W at B = ${o.repack.map((r) => r.batch).join(' / ')} (medians of 40 interleaved calls): ` +
          `the re-pack costs ${o.repack.map((r) => `${Math.round(1000 * (r.freshMs - r.cachedMs))} µs`).join(' / ')} per layer and update, which is all that keeping packs across Adam steps could save. (The tanh layers' forward multiplies W by 2 anyway, a new tensor each update.)`,
      );
    }
  }
  for (const p of o.profiles) {
    const whole = ours('wasm', p.batch)?.msBest;
    parts.push(
      `**Kernel profile, ours on wasm, B = ${p.batch}** (\`tf.profile\`, per call the minimum of 4 updates): ${p.kernels} kernels, ${ms(p.kernelMs)} ms of kernel time` +
        (whole ? `, against the update's best ${ms(whole)} ms (the difference, ≈ ${ms(Math.max(0, whole - p.kernelMs))} ms, is JavaScript — tfjs' dispatch, taping, tidy — plus the noise between two separate measurements)` : '') +
        '; by kernel: ' + p.top.map((k) => `${k.kernel} ${ms(k.ms)} ms (${k.calls}×)`).join(', ') + '. ' +
        'Slowest calls: ' + p.slowest.map((k) => `${k.kernel} ${k.shapes} ${ms(k.ms)} ms`).join('; ') + '.',
    );
  }
  parts.push(
    `**Load.** This 2-core machine was shared with other engineers' work: /proc/loadavg \`${o.loadBefore}\` before, \`${o.loadAfter}\` after (above 2, every figure — ours and the peer's — is slower than on an idle machine, the peer's 2 threads most).`,
  );
  return parts.join('\n\n');
}

function parseArgs(argv: readonly string[]): UpdateBenchOptions {
  const val = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const batches = val('--batches')?.split(',').map(Number);
  const backends = val('--backends')?.split(',') as UpdateBackend[] | undefined;
  return {
    ...(argv.includes('--quick') ? { batches: [1024, 4096], seconds: 0.15, repeats: 3, ablation: false } : {}),
    ...(batches ? { batches } : {}),
    ...(argv.includes('--no-peer') ? { peer: false } : {}),
    ...(backends ? { backends } : {}),
    ...(argv.includes('--no-ablation') ? { ablation: false } : {}),
    ...(argv.includes('--no-two-threads') ? { twoThreads: false } : {}),
    ...(argv.includes('--no-write') ? { write: false } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const r = await runUpdateBench(parseArgs(process.argv.slice(2)));
  console.log(`\n${r.markdown}\n\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
