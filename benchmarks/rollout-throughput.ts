/**
 * Rollout throughput (`rl bench rollout`): env steps per second of batched CartPole-v1
 * rollouts with a 4→64→64→2 MLP categorical policy, for N ∈ {1, 16, 64, 256, 1024, 4096},
 * on wasm and cpu, side by side with the PyTorch peer (benchmarks/peers/torch_reinforce).
 *
 * Variants per (backend, activation, N), each "env steps/s" = N·T / wall seconds of a rollout:
 * - `js`: `createRunner(policy, makeVec('CartPole-v1', N))` — the native JS vector env, one
 *   upload + `policy.act` + one read-back per vector step, the batch built at the end.
 * - `tensor`: the same runner over `makeTensorVec('CartPole-v1', N)` — zero read-backs until
 *   the rollout ends.
 * - `bare`: hand-written tfjs doing only the policy's work per step — upload the observations,
 *   the same forward (`tf.fused.matMul` per layer; for tanh the same exact sigmoid rewrite the
 *   policy's fast path uses), Gumbel-max sampling, one `dataSync` — on fixed observations,
 *   no env. `act` is the same through `policy.act`, so act/bare is the framework's overhead.
 * - `env`: `vecEnv.step` alone with fixed random actions (the JS env's share of `js`).
 * - `tensor-env`: the tensor env's `step` alone (its share of `tensor`).
 *
 * The peer (`rollout_bench.py`: torch forward + Categorical sample + numpy CartPole step) runs
 * after ours at its best (lib/torch_peer.ts: OpenBLAS, its process without this machine's
 * OPENBLAS_* pins, 2 threads and 1 with the faster kept per N), or is "skipped: …" with why.
 * Each figure is the median of 3 timed runs of ≥ `seconds` each, after a warm-up. Timings on
 * a shared 2-core machine are noisy.
 *
 *   npx tsx --conditions=source benchmarks/rollout-throughput.ts [--quick] [--no-peer]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Rng, makeVec } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { createRunner, makeTensorVec } from '@rl/runner';
import { initTf, tf } from '@rl/tf';
import { machineInfo, markdownTable, median, writeReport } from './lib/report.js';
import { runRolloutPeer } from './lib/torch_peer.js';

/** Options of {@link runRolloutBench}. */
export interface RolloutBenchOptions {
  /** Batch sizes N; default 1, 16, 64, 256, 1024, 4096. */
  readonly ns?: readonly number[];
  /** Backends; default wasm and cpu. */
  readonly backends?: readonly ('wasm' | 'cpu')[];
  /** Largest N measured on the cpu backend (its matmul is slow); default 1024. */
  readonly cpuMaxN?: number;
  /** Hidden activations; default tanh and relu. */
  readonly activations?: readonly ('tanh' | 'relu')[];
  /** Minimum seconds of one timed run; default 0.3. */
  readonly seconds?: number;
  /** Timed runs per figure (the median is reported); default 3. */
  readonly repeats?: number;
  /** Run the PyTorch peer when its Python is available; default true. */
  readonly peer?: boolean;
  /** Seconds the peer may take before it is stopped and recorded as skipped; default 300. */
  readonly peerTimeoutSec?: number;
  /** Write JSON, markdown, SVG and the RESULTS.md section; default true. */
  readonly write?: boolean;
  /** Progress lines (default: console.log). */
  readonly log?: (line: string) => void;
}

/** One measured figure. */
export interface RolloutBenchRow {
  readonly backend: string;
  readonly activation: string;
  readonly variant: 'js' | 'tensor' | 'bare' | 'act' | 'env' | 'tensor-env';
  readonly n: number;
  /** Median env steps (or observations) per second. */
  readonly stepsPerSec: number;
  /** Median microseconds per vector step. */
  readonly usPerVectorStep: number;
  /** Every timed run's steps/s. */
  readonly runs: readonly number[];
}

/** The peer's outcome. */
export interface PeerResult {
  readonly ran: boolean;
  /** Why it was skipped, or the command that ran. */
  readonly note: string;
  /** env steps/s per N (median repeat of the faster thread count). */
  readonly stepsPerSec: Record<number, number>;
  /** The thread count that gave `stepsPerSec[N]`. */
  readonly threads?: Record<number, number>;
  /** Each thread count's figures, command and BLAS. */
  readonly raw?: unknown;
}

/** Everything the benchmark measured. */
export interface RolloutBenchResult {
  readonly rows: readonly RolloutBenchRow[];
  readonly peer: PeerResult;
  /** Kernels one tensor-native CartPole step (env only / policy act only) launches, at each N: constant in N. */
  readonly kernelsPerStep: readonly { readonly n: number; readonly env: number; readonly act: number }[];
  readonly markdown: string;
}

/**
 * Calls `run(T)` (T vector steps) with T sized so one call takes ≥ `seconds`; returns the
 * median vector steps per second of `repeats` calls, and every call's figure.
 */
function timeVectorSteps(run: (steps: number) => void, seconds: number, repeats: number): { perSec: number; runs: number[] } {
  run(2); // warm-up: lazy set-up, kernel compilation
  let steps = 4;
  for (;;) {
    const t0 = performance.now();
    run(steps);
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds / 4 || steps >= 1 << 16) {
      steps = Math.max(4, Math.ceil((steps * seconds) / Math.max(dt, 1e-6)));
      break;
    }
    steps *= 4;
  }
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run(steps);
    runs.push(steps / ((performance.now() - t0) / 1000));
  }
  return { perSec: median(runs), runs };
}

/** Dense weights of the policy's network, as the policy's fast path derives them (tanh → sigmoid rewrite). */
function bareWeights(policy: Policy, activation: 'tanh' | 'relu'): { kernel: tf.Tensor2D; bias: tf.Tensor1D; act: 'sigmoid' | 'relu' | 'linear' }[] {
  const vars = policy.trainableVariables;
  const layers: { kernel: tf.Tensor2D; bias: tf.Tensor1D }[] = [];
  for (let i = 0; i + 1 < vars.length; i += 2) layers.push({ kernel: vars[i]!.clone() as tf.Tensor2D, bias: vars[i + 1]!.clone() as tf.Tensor1D });
  if (activation === 'relu') return layers.map((l, i) => ({ ...l, act: i + 1 < layers.length ? 'relu' : 'linear' }));
  // tanh(z) = 2σ(2z) − 1: a tanh layer becomes σ with doubled W, b; the next layer takes 2V and c − colsum(V).
  return tf.tidy(() => {
    const out: { kernel: tf.Tensor2D; bias: tf.Tensor1D; act: 'sigmoid' | 'linear' }[] = [];
    layers.forEach((l, i) => {
      let w: tf.Tensor2D = l.kernel;
      let b: tf.Tensor1D = l.bias;
      if (i > 0) {
        b = b.sub(l.kernel.sum(0));
        w = w.mul(2);
      }
      if (i + 1 < layers.length) {
        w = w.mul(2);
        b = b.mul(2);
      }
      out.push({ kernel: tf.keep(w), bias: tf.keep(b), act: i + 1 < layers.length ? 'sigmoid' : 'linear' });
    });
    for (const l of layers) {
      l.kernel.dispose();
      l.bias.dispose();
    }
    return out;
  });
}

function kernelsOf(fn: () => tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>): Promise<number> {
  return tf.profile(() => {
    const r = fn();
    const list = r instanceof tf.Tensor ? [r] : Array.isArray(r) ? r : Object.values(r);
    for (const t of list) t.dispose();
  }).then((p) => p.kernels.length);
}

/** Runs the PyTorch peer's rollout benchmark at its best (lib/torch_peer.ts: 2 threads and 1, the faster per N), or says why not. */
function runPeer(ns: readonly number[], log: (l: string) => void, timeoutSec: number): PeerResult {
  const r = runRolloutPeer(ns, { steps: 1000, repeats: 3, timeoutMs: timeoutSec * 1000, log });
  return { ran: r.ran, note: r.note, stepsPerSec: r.stepsPerSec, threads: r.threads, raw: r.runs };
}

async function plotSvg(rows: readonly RolloutBenchRow[], peer: PeerResult): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const label: Record<string, string> = { js: 'JS vector env', tensor: 'tensor-native env', bare: 'bare tfjs fwd+sample' };
  const values = rows
    .filter((r) => r.activation === 'tanh' && (r.variant === 'js' || r.variant === 'tensor' || (r.variant === 'bare' && r.backend === 'wasm')))
    .map((r) => ({ N: r.n, stepsPerSec: r.stepsPerSec, series: `${label[r.variant]} (${r.backend})` }));
  for (const [n, v] of Object.entries(peer.stepsPerSec)) values.push({ N: Number(n), stepsPerSec: v, series: 'PyTorch peer (at its best)' });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'CartPole-v1 rollout throughput, tanh 64-64 MLP policy',
    width: 520,
    height: 340,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'N', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'N (envs in the batch)' },
      y: { field: 'stepsPerSec', type: 'quantitative', scale: { type: 'log' }, title: 'env steps / s' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
  // vega-lite's TopLevelSpec type is a deep union; the spec above is plain JSON it validates at compile time.
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

/**
 * Measures rollout throughput (see the file header) and, unless `write: false`, writes
 * `benchmarks/results/rollout-throughput.{json,md,svg}` and the RESULTS.md section.
 * @example
 * const r = await runRolloutBench({ ns: [1, 64], backends: ['wasm'], peer: false, write: false });
 */
export async function runRolloutBench(opts: RolloutBenchOptions = {}): Promise<RolloutBenchResult> {
  const ns = opts.ns ?? [1, 16, 64, 256, 1024, 4096];
  const backends = opts.backends ?? ['wasm', 'cpu'];
  const cpuMaxN = opts.cpuMaxN ?? 1024;
  const activations = opts.activations ?? ['tanh', 'relu'];
  const seconds = opts.seconds ?? 0.3;
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? ((l: string) => console.log(l));
  const loadStart = loadavg()[0]!;
  const rows: RolloutBenchRow[] = [];
  const kernelsPerStep: { n: number; env: number; act: number }[] = [];
  const push = (backend: string, activation: string, variant: RolloutBenchRow['variant'], n: number, t: { perSec: number; runs: number[] }): void => {
    const row = { backend, activation, variant, n, stepsPerSec: t.perSec * n, usPerVectorStep: 1e6 / t.perSec, runs: t.runs.map((r) => r * n) };
    rows.push(row);
    log(`${backend.padEnd(4)} ${activation.padEnd(4)} ${variant.padEnd(10)} N=${String(n).padStart(4)}  ${Math.round(row.stepsPerSec).toLocaleString('en-US').padStart(11)} steps/s  ${row.usPerVectorStep.toFixed(1).padStart(8)} µs/step`);
  };

  for (const backend of backends) {
    await initTf({ backend });
    for (const n of ns) {
      if (backend === 'cpu' && n > cpuMaxN) continue;
      const rng = new Rng(n);
      const obsHost = new Float32Array(n * 4).map(() => rng.uniform(-0.05, 0.05));
      for (const activation of activations) {
        const jsEnv = makeVec('CartPole-v1', n, { seed: 1 });
        const policy = createPolicy(jsEnv.singleObservationSpace, jsEnv.singleActionSpace, { seed: 1, activation });
        const runner = createRunner(policy, jsEnv, { seed: 1, checkNaN: false });
        push(backend, activation, 'js', n, timeVectorSteps((T) => runner.rollout(T).dispose(), seconds, repeats));
        runner.dispose();

        const tEnv = makeTensorVec('CartPole-v1', n, { seed: 1 });
        const tRunner = createRunner(policy, tEnv, { seed: 1, checkNaN: false });
        push(backend, activation, 'tensor', n, timeVectorSteps((T) => tRunner.rollout(T).dispose(), seconds, repeats));
        tRunner.dispose();

        // policy.act alone (upload + act + read-back), and the same work in bare tfjs.
        push(backend, activation, 'act', n, timeVectorSteps((T) => {
          for (let t = 0; t < T; t++) {
            const x = tf.tensor2d(obsHost, [n, 4]);
            const a = policy.act(x);
            a.dataSync();
            x.dispose();
            a.dispose();
          }
        }, seconds, repeats));
        const layers = bareWeights(policy, activation);
        const seeds = new Rng(7);
        push(backend, activation, 'bare', n, timeVectorSteps((T) => {
          for (let t = 0; t < T; t++) {
            const x = tf.tensor2d(obsHost, [n, 4]);
            const a = tf.tidy(() => {
              let h: tf.Tensor2D = x;
              for (const l of layers) h = tf.fused.matMul({ a: h, b: l.kernel, bias: l.bias, activation: l.act }) as tf.Tensor2D;
              const u = tf.randomUniform(h.shape, 1e-20, 1, 'float32', seeds.nextSeed());
              return h.sub(u.log().neg().log()).argMax(1); // Gumbel-max
            });
            a.dataSync();
            x.dispose();
            a.dispose();
          }
        }, seconds, repeats));
        for (const l of layers) {
          l.kernel.dispose();
          l.bias.dispose();
        }

        if (activation === activations[0]) {
          const acts = new Int32Array(n).map(() => rng.int(2));
          push(backend, 'none', 'env', n, timeVectorSteps((T) => {
            for (let t = 0; t < T; t++) jsEnv.step(acts);
          }, seconds, repeats));
          const actT = tf.tensor1d(acts, 'int32');
          push(backend, 'none', 'tensor-env', n, timeVectorSteps((T) => {
            for (let t = 0; t < T; t++) {
              const r = tEnv.step(actT);
              for (const x of Object.values(r)) x.dispose();
            }
          }, seconds, repeats));
          if (backend === backends[0]) {
            const obsT = tEnv.observe();
            kernelsPerStep.push({
              n,
              env: await kernelsOf(() => tEnv.step(actT) as unknown as Record<string, tf.Tensor>),
              act: await kernelsOf(() => policy.act(obsT)),
            });
            obsT.dispose();
          }
          actT.dispose();
        }
        tEnv.close();
        policy.dispose();
      }
    }
  }

  const peer = opts.peer === false ? { ran: false, note: 'skipped: --no-peer', stepsPerSec: {} } : runPeer(ns, log, opts.peerTimeoutSec ?? 300);
  log(`peer: ${peer.note}`);
  const load = { start: Math.round(loadStart * 10) / 10, end: Math.round(loadavg()[0]! * 10) / 10 };
  const markdown = report(rows, peer, kernelsPerStep, { ns, backends, activations, seconds, repeats, load });
  if (opts.write ?? true) {
    const svg = await plotSvg(rows, peer);
    writeReport({
      name: 'rollout-throughput',
      title: 'Rollout throughput (CartPole-v1, 64-64 MLP, categorical)',
      machine: machineInfo({ tfjs: tf.version.tfjs, backends: backends.join('+') }),
      markdown,
      data: { rows, peer, kernelsPerStep, loadAverage1m: load, options: { ns, backends, cpuMaxN, activations, seconds, repeats } },
      files: { 'rollout-throughput.svg': svg },
    });
  }
  return { rows, peer, kernelsPerStep, markdown };
}

function report(
  rows: readonly RolloutBenchRow[],
  peer: PeerResult,
  kernels: readonly { n: number; env: number; act: number }[],
  o: { ns: readonly number[]; backends: readonly string[]; activations: readonly string[]; seconds: number; repeats: number; load: { start: number; end: number } },
): string {
  const get = (b: string, a: string, v: string, n: number): RolloutBenchRow | undefined => rows.find((r) => r.backend === b && r.activation === a && r.variant === v && r.n === n);
  const sps = (r: RolloutBenchRow | undefined): string | number => (r ? Math.round(r.stepsPerSec) : '–');
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '–');
  const parts: string[] = [];
  parts.push(
    `Env steps/s (median of ${o.repeats} runs of ≥ ${o.seconds} s) of batched CartPole-v1 rollouts, 4→64→64→2 MLP, categorical (Gumbel-max). ` +
      '`JS env`: `createRunner` over `makeVec` (one upload + `policy.act` + one read-back per vector step); `tensor env`: over `makeTensorVec` (no read-back until the end). ' +
      '`act/bare`: `policy.act` + read-back vs hand-written tfjs doing the same forward + sample + read-back (framework overhead; goal ≤ 1.25×). ' +
      `Peer: ${peer.note}. Shared 2-core machine with other engineers working (1-min load average ${o.load.start} at the start, ${o.load.end} at the end): ` +
      'timings are noisy, and with a load far above 2 every figure here (ours and the peer\'s) is several times below what an idle machine gives.',
  );
  for (const b of o.backends) {
    for (const a of o.activations) {
      const header = ['N', 'JS env', 'tensor env', 'policy.act', 'bare tfjs', 'act/bare', 'env.step alone', 'tensor env.step alone'];
      if (a === 'tanh') header.push('PyTorch peer (this run, at its best)', 'JS/peer', 'tensor/peer', 'best/peer'); // the peer of this run only: figures of another run, day or machine are not comparable
      const body = o.ns
        .filter((n) => get(b, a, 'js', n))
        .map((n) => {
          const js = get(b, a, 'js', n);
          const te = get(b, a, 'tensor', n);
          const act = get(b, a, 'act', n);
          const bare = get(b, a, 'bare', n);
          const row: (string | number)[] = [n, sps(js), sps(te), sps(act), sps(bare), ratio(bare?.stepsPerSec, act?.stepsPerSec), sps(get(b, 'none', 'env', n)), sps(get(b, 'none', 'tensor-env', n))];
          if (a === 'tanh') {
            const p = peer.stepsPerSec[n];
            const best = Math.max(js?.stepsPerSec ?? 0, te?.stepsPerSec ?? 0);
            const thr = peer.threads?.[n];
            row.push(p ? `${Math.round(p).toLocaleString('en-US')}${thr ? ` (${thr} thr)` : ''}` : '–', ratio(js?.stepsPerSec, p), ratio(te?.stepsPerSec, p), ratio(best, p));
          }
          return row;
        });
      if (body.length) parts.push(`### ${b}, ${a}\n\n${markdownTable(header, body)}`);
    }
  }
  if (kernels.length) {
    parts.push(
      `### Kernels per vector step (tensor-native CartPole, ${o.backends[0]})\n\n` +
        markdownTable(['N', 'tensor env.step', 'policy.act'], kernels.map((k) => [k.n, k.env, k.act])) +
        '\n\nConstant in N: the step is whole-column ops, no per-env work.',
    );
  }
  parts.push('Plot: `results/rollout-throughput.svg` (tanh; log-log).');
  return parts.join('\n\n');
}

function parseArgs(argv: readonly string[]): RolloutBenchOptions {
  const quick = argv.includes('--quick');
  const val = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const nsArg = val('--ns');
  const be = val('--backends');
  return {
    ...(quick ? { ns: [1, 64], seconds: 0.05, repeats: 1 } : {}),
    ...(nsArg ? { ns: nsArg.split(',').map(Number) } : {}),
    ...(be ? { backends: be.split(',') as ('wasm' | 'cpu')[] } : {}),
    ...(argv.includes('--no-peer') ? { peer: false } : {}),
    ...(argv.includes('--no-write') ? { write: false } : {}),
    ...(val('--peer-timeout') ? { peerTimeoutSec: Number(val('--peer-timeout')) } : {}),
    ...(val('--seconds') ? { seconds: Number(val('--seconds')) } : {}),
    ...(val('--cpu-max-n') ? { cpuMaxN: Number(val('--cpu-max-n')) } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const r = await runRolloutBench(parseArgs(process.argv.slice(2)));
  console.log(`\n${r.markdown}\n\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
