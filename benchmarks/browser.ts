/**
 * Browser GPU benchmark (`rl bench rollout --browser`, or run this file): tensor-native
 * CartPole-v1 rollouts — πθ (4→64→64→2 MLP, categorical) acting and the env stepping as tf ops,
 * nothing read back until the rollout ends — on webgpu and webgl in headless Chromium, beside
 * the same loop on wasm in Node, for N ∈ {1, 64, 1024, 4096}.
 *
 * Reported per backend and N: env steps/s (N·T / wall seconds of a T-step rollout including
 * the one read-back at its end; median of the timed runs), kernels one vector step dispatches
 * (tf.profile: the env step alone, and πθ + env), and read-backs during the steps.
 *
 * Here WebGPU and WebGL run on SwiftShader — a CPU emulating a GPU (the adapter reports
 * `google/swiftshader`) — on a shared 2-core machine: their steps/s are that emulation's, not
 * a GPU's, and must not be compared with a real GPU. What carries over to real hardware is the
 * kernel count per step (constant in N: no per-env ops) and the absence of read-backs.
 *
 *   npx tsx --conditions=source benchmarks/browser.ts [--quick]
 */
import { pathToFileURL } from 'node:url';
import { createPolicy } from '@rl/policy';
import { makeTensorVec } from '@rl/runner';
import { initTf, tf } from '@rl/tf';
import { openHarness } from '@rl/web/node';
import { machineInfo, markdownTable, median, writeReport } from './lib/report.js';

/** Options of {@link runBrowserBench}. */
export interface BrowserBenchOptions {
  /** Batch sizes N; default 1, 64, 1024, 4096 (quick: 1, 64, 1024). */
  readonly ns?: readonly number[];
  /** Browser backends; default webgpu and webgl. */
  readonly backends?: readonly ('webgpu' | 'webgl')[];
  /** Steps T per timed rollout; default 16 (quick: 8). */
  readonly steps?: number;
  /** Timed rollouts per figure (median reported); default 2 (quick: 1). */
  readonly repeats?: number;
  /** Fewer, shorter runs. Default: true when --quick is on the command line. */
  readonly quick?: boolean;
  /** Write JSON, markdown and the RESULTS.md section; default true. */
  readonly write?: boolean;
  /** Progress lines (default: console.log). */
  readonly log?: (line: string) => void;
}

/** One measured row. */
export interface BrowserBenchRow {
  readonly backend: string;
  readonly where: 'chromium' | 'node';
  readonly n: number;
  readonly steps: number;
  readonly stepsPerSec: number;
  readonly kernelsAct: number;
  readonly kernelsEnv: number;
  readonly kernelsPolicyAndEnv: number;
  readonly readBacksDuringSteps: number;
}

/** Tensor and engine reads (dataSync, data, arraySync, array, buffer(Sync), engine read(Sync)) while `fn` runs. */
function countReads(fn: () => void): number {
  type Obj = Record<string, (...a: unknown[]) => unknown>;
  let count = 0;
  const undo: (() => void)[] = [];
  const wrap = (obj: Obj, names: string[]) => {
    for (const name of names) {
      const orig = obj[name];
      if (typeof orig !== 'function') continue;
      const own = Object.prototype.hasOwnProperty.call(obj, name);
      obj[name] = function (this: unknown, ...a: unknown[]) {
        count++;
        return orig.apply(this, a);
      };
      undo.push(() => (own ? (obj[name] = orig) : delete obj[name]));
    }
  };
  wrap(tf.Tensor.prototype as unknown as Obj, ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer']);
  wrap(tf.engine() as unknown as Obj, ['readSync', 'read']);
  try {
    fn();
  } finally {
    for (const u of undo.reverse()) u();
  }
  return count;
}

/** Kernels `fn` dispatches. Counted at once: tf.profile returns the engine's single profile object, which the next call refills. */
async function kernelCount(fn: () => void): Promise<number> {
  return (await tf.profile(fn)).kernels.length;
}

/** The same loop as the harness's `rolloutThroughput`, on wasm in Node. */
async function nodeWasm(n: number, steps: number, repeats: number): Promise<{ stepsPerSec: number[]; readBacks: number; kernelsAct: number; kernelsEnv: number; kernelsBoth: number }> {
  const env = makeTensorVec('CartPole-v1', n, { seed: 1 });
  const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2 });
  let obs = env.reset({ seed: 1 });
  const run = async (t: number) => {
    const rewards: tf.Tensor[] = [];
    const reads = countReads(() => {
      for (let k = 0; k < t; k++) {
        const a = policy.act(obs);
        const r = env.step(a);
        tf.dispose([a, obs, r.terminated, r.truncated, r.finalObs, r.episodeReturn, r.episodeLength]);
        rewards.push(r.rewards);
        obs = r.obs;
      }
    });
    const all = tf.stack(rewards);
    await all.data();
    tf.dispose([all, ...rewards]);
    return reads;
  };
  await run(Math.min(steps, 4));
  const stepsPerSec: number[] = [];
  let readBacks = 0;
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    readBacks = Math.max(readBacks, await run(steps));
    stepsPerSec.push((steps * n) / ((performance.now() - t0) / 1000));
  }
  const pAct = await kernelCount(() => tf.dispose(policy.act(obs)));
  const a = policy.act(obs);
  const pEnv = await kernelCount(() => tf.dispose(Object.values(env.step(a))));
  const pBoth = await kernelCount(() => {
    const act = policy.act(obs);
    const r = env.step(act);
    tf.dispose([act, ...Object.values(r)]);
  });
  tf.dispose([a, obs]);
  env.close();
  policy.dispose();
  return { stepsPerSec, readBacks, kernelsAct: pAct, kernelsEnv: pEnv, kernelsBoth: pBoth };
}

/**
 * Runs the benchmark and (by default) writes `results/browser.{json,md}` and its RESULTS.md section.
 *
 * @example
 * const rows = await runBrowserBench({ quick: true, write: false });
 */
export async function runBrowserBench(opts: BrowserBenchOptions = {}): Promise<BrowserBenchRow[]> {
  const quick = opts.quick ?? process.argv.includes('--quick');
  const ns = opts.ns ?? (quick ? [1, 64, 1024] : [1, 64, 1024, 4096]);
  const backends = opts.backends ?? ['webgpu', 'webgl'];
  const steps = opts.steps ?? (quick ? 8 : 16);
  const repeats = opts.repeats ?? (quick ? 1 : 2);
  const log = opts.log ?? ((l: string) => console.log(l));
  const rows: BrowserBenchRow[] = [];
  const adapters: Record<string, string> = {};

  const s = await openHarness();
  try {
    for (const backend of backends) {
      const k = await s.call('kernelsPerStep', backend, 'CartPole-v1', [...ns]);
      for (const n of ns) {
        const r = await s.call('rolloutThroughput', backend, 'CartPole-v1', n, steps, repeats);
        adapters[backend] = r.device;
        const kk = k.kernels.find((x: { n: number }) => x.n === n);
        const row: BrowserBenchRow = {
          backend: r.backend,
          where: 'chromium',
          n,
          steps,
          stepsPerSec: median(r.stepsPerSec),
          kernelsAct: kk.act,
          kernelsEnv: kk.env,
          kernelsPolicyAndEnv: kk.policyAndEnv,
          readBacksDuringSteps: r.readBacksDuringSteps,
        };
        rows.push(row);
        log(`${row.backend.padEnd(7)} N=${String(n).padStart(5)}  ${Math.round(row.stepsPerSec).toLocaleString('en-US').padStart(10)} steps/s  kernels/step πθ ${row.kernelsAct}, env ${row.kernelsEnv}, πθ+env ${row.kernelsPolicyAndEnv}  read-backs ${row.readBacksDuringSteps}`);
      }
    }
  } finally {
    await s.close();
  }

  await initTf({ backend: 'wasm' });
  for (const n of ns) {
    const r = await nodeWasm(n, steps, repeats);
    const row: BrowserBenchRow = { backend: 'wasm', where: 'node', n, steps, stepsPerSec: median(r.stepsPerSec), kernelsAct: r.kernelsAct, kernelsEnv: r.kernelsEnv, kernelsPolicyAndEnv: r.kernelsBoth, readBacksDuringSteps: r.readBacks };
    rows.push(row);
    log(`wasm    N=${String(n).padStart(5)}  ${Math.round(row.stepsPerSec).toLocaleString('en-US').padStart(10)} steps/s  kernels/step πθ ${row.kernelsAct}, env ${row.kernelsEnv}, πθ+env ${row.kernelsPolicyAndEnv}  (Node)`);
  }

  if (opts.write ?? true) {
    const table = markdownTable(
      ['backend', 'where', 'N', 'env steps/s', 'kernels/step (πθ act)', 'kernels/step (env)', 'kernels/step (πθ + env)', 'read-backs during T steps'],
      rows.map((r) => [r.where === 'chromium' ? `${r.backend} (${adapters[r.backend] ?? 'unknown device'})` : r.backend, r.where, r.n, Math.round(r.stepsPerSec), r.kernelsAct, r.kernelsEnv, r.kernelsPolicyAndEnv, r.readBacksDuringSteps]),
    );
    const markdown = [
      `Tensor-native CartPole-v1 rollouts (πθ 4→64→64→2 acting, env stepping as tf ops), T = ${steps} steps, median of ${repeats} timed run(s) after a warm-up; the one read-back at the end of the rollout is inside the clock.`,
      '',
      table,
      '',
      '**SwiftShader is a CPU emulating a GPU.** In headless Chromium here both webgpu and webgl run on it (WebGPU adapter `google/swiftshader`; WebGL through ANGLE on SwiftShader), on a shared 2-core machine under load from other jobs: the steps/s above are the emulation\'s and say nothing about a real GPU. What carries over: the kernels dispatched per vector step do not change with N (no per-env ops), and nothing is read back while the rollout runs.',
      '',
      'Also measured here: tfjs\'s synchronous read-back on the SwiftShader WebGPU adapter returns zeros and breaks the device, so `initTf({ backend: "auto" })` skips that webgpu and the trainer (which reads synchronously) trains on webgl in this browser; the rollouts above use only asynchronous reads.',
    ].join('\n');
    writeReport({ name: 'browser', title: 'Browser GPU backends: tensor-native rollouts on webgpu / webgl (SwiftShader) vs wasm', machine: machineInfo({ tfjs: tf.version.tfjs }), markdown, data: { steps, repeats, adapters, rows } });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runBrowserBench();
}
