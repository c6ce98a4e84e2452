import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError } from './errors.js';
import { enableTypeScript } from './typescript.js';

/** The repo's benchmarks directory. */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'benchmarks');

/** Options of `rl bench`. */
export interface BenchOptions {
  /** A short run: fewer sizes, seeds and repeats. */
  readonly quick?: boolean;
  /** Run the PyTorch peer where the benchmark has one (default true). */
  readonly peer?: boolean;
  /** Seeds (train). */
  readonly seeds?: readonly number[];
  /** Env ids (train). */
  readonly envs?: readonly string[];
  /** rollout: worker-thread counts k (runs benchmarks/rollout-workers.ts instead). */
  readonly workers?: readonly number[];
  /** rollout: tensor-native rollouts in headless Chromium on webgpu / webgl (runs benchmarks/browser.ts instead). */
  readonly browser?: boolean;
  /** rollout, update: the Node backends to measure; rollout with `webgpu` among them, benchmarks/rollout-webgpu.ts runs (webgpu beside wasm, N up to 65,536, updates). */
  readonly backend?: readonly string[];
}

/** A benchmark `rl bench` can run. */
interface BenchEntry {
  /** File in benchmarks/. */
  readonly file: string;
  /** Report name (results/<name>.md). */
  readonly name: string;
  /** Exported function that runs it; undefined when importing the file runs it (top-level await; it reads --quick from the command line). */
  readonly entry: string | undefined;
  /** The argument passed to the entry function. */
  readonly args?: (o: BenchOptions) => unknown;
}

/** The benchmarks `rl bench` runs. */
export type BenchName = 'env' | 'rollout' | 'train' | 'policy' | 'serve' | 'distributed' | 'update' | 'rollout-workers' | 'train-workers';

/** Worker-thread rollouts (`rl bench rollout-workers`, = `rl bench rollout --workers 1,2`). */
const ROLLOUT_WORKERS: BenchEntry = {
  file: 'rollout-workers.ts',
  name: 'rollout-workers',
  entry: 'runWorkersBench',
  args: (o) => ({ ...(o.workers ? { workers: o.workers } : {}), ...(o.quick ? { ns: [64, 1024], seconds: 0.2, repeats: 1 } : {}), ...(o.peer === false ? { peer: false } : {}) }),
};

/** `rl bench <which>` → the benchmark file, its report and its entry point. */
export const BENCHES: Readonly<Record<BenchName, BenchEntry>> = {
  // env-throughput's main() reads --quick from the command line itself
  env: { file: 'env-throughput.ts', name: 'env-throughput', entry: 'main' },
  rollout: {
    file: 'rollout-throughput.ts',
    name: 'rollout-throughput',
    entry: 'runRolloutBench',
    args: (o) => ({ ...(o.quick ? { ns: [1, 64], seconds: 0.05, repeats: 1 } : {}), ...(o.peer === false ? { peer: false } : {}), ...(o.backend ? { backends: o.backend } : {}) }),
  },
  // times whole `node` processes from start to solve, and the PyTorch peer when it is installed
  train: {
    file: 'learning.ts',
    name: 'learning',
    entry: 'runLearningBench',
    args: (o) => ({ quick: o.quick === true, peer: o.peer !== false, ...(o.seeds ? { seeds: o.seeds } : {}), ...(o.envs ? { envs: o.envs } : {}) }),
  },
  policy: { file: 'policy-forward.ts', name: 'policy-forward', entry: undefined },
  // @rl/serve over HTTP with autocannon: single and batched observations, micro-batching on and off
  serve: { file: 'serve.ts', name: 'serve', entry: 'runServeBench', args: (o) => (o.quick ? { duration: 3, warmup: 1 } : {}) },
  // one learner and 1/2/4 actor processes over a local nats-server vs one process
  distributed: { file: 'distributed.ts', name: 'distributed', entry: 'runDistributedBench', args: (o) => (o.quick ? { actors: [1], rounds: 5 } : {}) },
  // one REINFORCE update at B = 1024, 4096, 16384 on each backend, beside the PyTorch peer's update (2 threads and 1)
  update: {
    file: 'update.ts',
    name: 'update',
    entry: 'runUpdateBench',
    args: (o) => ({ ...(o.quick ? { batches: [1024, 4096], seconds: 0.15, repeats: 3, ablation: false } : {}), ...(o.peer === false ? { peer: false } : {}), ...(o.backend ? { backends: o.backend } : {}) }),
  },
  // env steps/s with the N envs on k worker threads beside one process and the peer; each shard's CPU and wait for a core
  'rollout-workers': ROLLOUT_WORKERS,
  // time to solve CartPole-v1 with rollouts in the learner's thread vs on k worker threads (--workers: the largest k given), beside the peer
  'train-workers': {
    file: 'train-workers.ts',
    name: 'train-workers',
    entry: 'runTrainWorkersBench',
    args: (o) => ({ ...(o.workers ? { workers: Math.max(...o.workers) } : {}), ...(o.quick ? { maxSeconds: 40 } : {}), ...(o.peer === false ? { peer: false } : {}) }),
  },
};

/** Variants of `rl bench rollout`: `--workers 1,2` (worker threads), `--browser` (headless Chromium), `--backend webgpu` (WebGPU in Node beside wasm). */
export const ROLLOUT_VARIANTS: Readonly<Record<'workers' | 'browser' | 'webgpu', BenchEntry>> = {
  workers: ROLLOUT_WORKERS,
  browser: { file: 'browser.ts', name: 'browser', entry: 'runBrowserBench', args: (o) => ({ quick: o.quick === true }) },
  webgpu: {
    file: 'rollout-webgpu.ts',
    name: 'rollout-webgpu',
    entry: 'runWebgpuBench',
    args: (o) => ({ backends: o.backend, ...(o.quick ? { tensorNs: [1024, 4096], jsNs: [1024], batches: [4096], seconds: 0.2, repeats: 1 } : {}) }),
  },
};

/**
 * `rl bench env|rollout|train|policy|serve|distributed|update|rollout-workers|train-workers` (rollout: `--workers 1,2`, `--browser`): runs the benchmark in this process (its module is
 * imported and its exported run function called; `--quick` is read by the benchmark from
 * the command line), which writes results/<name>.json|md, any plots, and its RESULTS.md
 * section; then prints the report's markdown (the table).
 */
export async function benchCommand(which: keyof typeof BENCHES, opts: BenchOptions): Promise<void> {
  if (which === 'rollout' && opts.workers && opts.browser) throw new CliError('bench rollout: --workers and --browser are separate benchmarks; give one');
  if (opts.workers && which !== 'rollout' && which !== 'rollout-workers' && which !== 'train-workers') throw new CliError(`bench ${which}: --workers applies to \`rl bench rollout\`, \`rollout-workers\` and \`train-workers\` only`);
  if (opts.backend) {
    const { BACKENDS } = await import('@rl/tf');
    const bad = opts.backend.filter((n) => n === 'auto' || !(BACKENDS as readonly string[]).includes(n));
    if (bad.length) throw new CliError(`bench ${which}: --backend ${bad.join(',')}: expected a comma-separated list of ${BACKENDS.filter((n) => n !== 'auto').join(', ')}`);
    if (which !== 'rollout' && which !== 'update') throw new CliError(`bench ${which}: --backend applies to \`rl bench rollout\` and \`rl bench update\` only`);
    if (opts.workers || opts.browser) throw new CliError('bench rollout: --backend is a separate benchmark from --workers and --browser; give one');
  }
  const webgpu = which === 'rollout' && opts.backend?.includes('webgpu');
  const b = which === 'rollout' && opts.workers ? ROLLOUT_VARIANTS.workers : which === 'rollout' && opts.browser ? ROLLOUT_VARIANTS.browser : webgpu ? ROLLOUT_VARIANTS.webgpu : BENCHES[which];
  const path = join(BENCH_DIR, b.file);
  if (!existsSync(path)) throw new CliError(`bench ${which}: ${path} not found`);
  const resultsDir = process.env.RL_BENCH_RESULTS_DIR ?? join(BENCH_DIR, 'results');
  const report = join(resultsDir, `${b.name}.md`);
  const started = Date.now();
  await enableTypeScript();
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  if (b.entry !== undefined) {
    const fn = mod[b.entry];
    if (typeof fn !== 'function') throw new CliError(`bench ${which}: ${path} does not export a function ${b.entry}()`);
    await (fn as (a: unknown) => unknown)(b.args?.(opts));
  }
  if (existsSync(report) && statSync(report).mtimeMs >= started - 1000) {
    process.stdout.write(`\n${readFileSync(report, 'utf8')}\nresults: ${resultsDir}/${b.name}.{json,md} and ${process.env.RL_BENCH_RESULTS_MD ?? join(BENCH_DIR, 'RESULTS.md')}\n`);
  } else {
    process.stdout.write(`\nbench ${which}: finished; it wrote no report at ${report} (quick runs may skip writing)\n`);
  }
}
