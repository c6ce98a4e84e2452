/**
 * WebGPU in Node (Dawn) beside wasm, in one run (`rl bench rollout --backend webgpu`;
 * `scripts/gpu-check.sh`): the framework's own paths on CartPole-v1 with the 64-64 tanh MLP
 * policy (`@rl/cli`'s probe functions, the ones `rl doctor` uses):
 * - tensor-native rollouts (`createRunner` over `makeTensorVec`), N up to 65,536: env steps/s,
 *   kernels per vector step, read-backs per rollout (engine reads and GPU buffer maps);
 * - JS-env rollouts (`makeVec`, one read-back per vector step), N = 1024 and 4096;
 * - one REINFORCE update (`reinforceUpdate`: forward + backward over B samples + Adam), B up to 65,536;
 * every figure also as a ratio to wasm measured in the same run, and the browser's webgpu
 * figures (`rl bench rollout --browser`, results/browser.json) beside them.
 *
 * On a software adapter (SwiftShader, lavapipe, WARP) every rollout is capped at 2 timed steps,
 * every update at 1 timed run, and N, B at 16,384: such an adapter is a CPU emulating a GPU, and its figures say
 * nothing about a GPU's speed; they show that the path runs, and its kernel and read-back counts.
 *
 *   npx tsx --conditions=source benchmarks/rollout-webgpu.ts [--quick] [--backends webgpu,wasm] [--no-write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureRollout, measureUpdate, type RolloutProbe, type UpdateProbe } from '@rl/cli';
import { initTf, installedWebgpuVersion, tf, type BackendName, type WebgpuAdapter } from '@rl/tf';
import { machineInfo, markdownTable, RESULTS_DIR, writeReport } from './lib/report.js';

/** Options of {@link runWebgpuBench}. */
export interface WebgpuBenchOptions {
  /** Backends measured; wasm (the baseline of every ratio) is added when missing. Default webgpu, wasm. */
  readonly backends?: readonly Exclude<BackendName, 'auto'>[];
  /** N of the tensor-native rollouts; default 1024, 4096, 16384, 65536. */
  readonly tensorNs?: readonly number[];
  /** N of the JS-env rollouts; default 1024, 4096. */
  readonly jsNs?: readonly number[];
  /** B of the updates; default 4096, 16384, 65536. */
  readonly batches?: readonly number[];
  /** Aim for timed rollouts of about this many seconds; default 0.5. */
  readonly seconds?: number;
  /** Timed updates per figure (median); default 3. */
  readonly repeats?: number;
  /** Skip the larger sizes on a backend once one figure took longer than this many seconds; default 90. */
  readonly maxFigureSeconds?: number;
  /** Largest N and B measured on a software adapter (at ≈ 0.3 GFLOP/s one step at N = 65,536 takes seconds); default 16,384. */
  readonly softwareMaxSize?: number;
  /** Write JSON, markdown and the RESULTS.md section; default true. */
  readonly write?: boolean;
  /** Progress lines (default: console.log). */
  readonly log?: (line: string) => void;
}

/** One backend's figures. */
export interface WebgpuBenchBackend {
  readonly backend: string;
  readonly adapter: WebgpuAdapter | null;
  readonly tensor: readonly RolloutProbe[];
  readonly js: readonly RolloutProbe[];
  readonly update: readonly UpdateProbe[];
  /** Sizes left out, and why. */
  readonly skipped: readonly string[];
}

/** Everything the benchmark measured. */
export interface WebgpuBenchResult {
  readonly backends: readonly WebgpuBenchBackend[];
  /** The browser's webgpu rows from results/browser.json (an earlier run), if present. */
  readonly browser: { readonly date: string; readonly adapter: string; readonly rows: readonly { n: number; stepsPerSec: number; kernelsPolicyAndEnv: number; readBacksDuringSteps: number }[] } | null;
  readonly markdown: string;
}

function browserRows(): WebgpuBenchResult['browser'] {
  const file = join(RESULTS_DIR, 'browser.json');
  if (!existsSync(file)) return null;
  const j = JSON.parse(readFileSync(file, 'utf8')) as {
    machine: { date: string };
    data: { adapters?: { webgpu?: string }; rows: { backend: string; where: string; n: number; stepsPerSec: number; kernelsPolicyAndEnv: number; readBacksDuringSteps: number }[] };
  };
  const rows = j.data.rows.filter((r) => r.backend === 'webgpu' && r.where === 'chromium').map(({ n, stepsPerSec, kernelsPolicyAndEnv, readBacksDuringSteps }) => ({ n, stepsPerSec, kernelsPolicyAndEnv, readBacksDuringSteps }));
  return rows.length ? { date: j.machine.date, adapter: j.data.adapters?.webgpu ?? 'unknown', rows } : null;
}

/**
 * Measures (see the file header) and, unless `write: false`, writes
 * `benchmarks/results/rollout-webgpu.{json,md}` and the RESULTS.md section.
 * @example
 * const r = await runWebgpuBench({ tensorNs: [1024], jsNs: [], batches: [4096], write: false });
 */
export async function runWebgpuBench(opts: WebgpuBenchOptions = {}): Promise<WebgpuBenchResult> {
  const asked = opts.backends ?? ['webgpu', 'wasm'];
  const backends = asked.includes('wasm') ? asked : [...asked, 'wasm' as const];
  const tensorNs = opts.tensorNs ?? [1024, 4096, 16384, 65536];
  const jsNs = opts.jsNs ?? [1024, 4096];
  const batches = opts.batches ?? [4096, 16384, 65536];
  const seconds = opts.seconds ?? 0.5;
  const repeats = opts.repeats ?? 3;
  const maxFigure = opts.maxFigureSeconds ?? 90;
  const softwareMax = opts.softwareMaxSize ?? 16_384;
  const log = opts.log ?? ((l: string) => console.log(l));
  const loadStart = loadavg()[0]!;
  const out: WebgpuBenchBackend[] = [];
  for (const backend of backends) {
    const info = await initTf({ backend });
    const software = info.adapter?.software === true;
    const cap = software ? { seconds: 0, maxSteps: 2, repeats: 1 } : { seconds, maxSteps: 1024, repeats };
    if (info.adapter) log(`${backend}: adapter ${info.adapter.name} (${info.adapter.vendor}/${info.adapter.architecture}, ${info.adapter.backend}${software ? ', SOFTWARE: capped, figures say nothing about a GPU' : ''})`);
    const row: { tensor: RolloutProbe[]; js: RolloutProbe[]; update: UpdateProbe[]; skipped: string[] } = { tensor: [], js: [], update: [], skipped: [] };
    // Runs `measure` for each size in order until one figure takes longer than `maxFigure` seconds.
    const sweep = async <T>(what: string, all: readonly number[], measure: (size: number) => Promise<T>, into: T[], show: (r: T) => string): Promise<void> => {
      const sizes = software ? all.filter((x) => x <= softwareMax) : all;
      if (sizes.length < all.length) row.skipped.push(`${what} at ${all.filter((x) => x > softwareMax).join(', ')}: larger than ${softwareMax} on a software adapter`);
      for (let k = 0; k < sizes.length; k++) {
        const t0 = performance.now();
        const r = await measure(sizes[k]!);
        into.push(r);
        const took = (performance.now() - t0) / 1000;
        log(`${backend.padEnd(6)} ${what.padEnd(8)} ${String(sizes[k]).padStart(6)}  ${show(r)}  (${took.toFixed(1)} s)`);
        if (took > maxFigure && k + 1 < sizes.length) {
          row.skipped.push(`${what} at ${sizes.slice(k + 1).join(', ')}: the figure at ${sizes[k]} took ${took.toFixed(0)} s (> ${maxFigure} s)`);
          break;
        }
      }
    };
    const sps = (r: RolloutProbe) => `${Math.round(r.stepsPerSec).toLocaleString('en-US').padStart(11)} steps/s, T=${r.steps}, ${r.readBacks} reads (${r.deviceReads} GPU), ${r.kernelsPerStep ?? '–'} kernels/step`;
    await sweep('tensor', tensorNs, (n) => measureRollout('tensor', n, cap), row.tensor, sps);
    await sweep('js', jsNs, (n) => measureRollout('js', n, cap), row.js, sps);
    await sweep('update', batches, (b) => measureUpdate(b, { repeats: cap.repeats }), row.update, (u) => `${u.ms.toFixed(1).padStart(9)} ms`);
    out.push({ backend, adapter: info.adapter ?? null, ...row });
  }
  await initTf({ backend: 'wasm' });
  const browser = browserRows();
  const load = { start: Math.round(loadStart * 10) / 10, end: Math.round(loadavg()[0]! * 10) / 10 };
  const markdown = report(out, browser, { seconds, repeats, softwareMax, load });
  if (opts.write ?? true) {
    writeReport({
      name: 'rollout-webgpu',
      title: 'WebGPU in Node (Dawn) beside wasm: rollouts and updates',
      machine: machineInfo({ tfjs: tf.version.tfjs, webgpu: installedWebgpuVersion() ?? 'not installed', backends: backends.join('+') }),
      markdown,
      data: { backends: out, browser, loadAverage1m: load, options: { backends, tensorNs, jsNs, batches, seconds, repeats, maxFigureSeconds: maxFigure, softwareMaxSize: softwareMax } },
    });
  }
  return { backends: out, browser, markdown };
}

function report(rows: readonly WebgpuBenchBackend[], browser: WebgpuBenchResult['browser'], o: { seconds: number; repeats: number; softwareMax: number; load: { start: number; end: number } }): string {
  const wasm = rows.find((r) => r.backend === 'wasm');
  const others = rows.filter((r) => r.backend !== 'wasm');
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(3)}×` : '–');
  const round = (x: number | undefined): string | number => (x === undefined ? '–' : Math.round(x));
  const parts: string[] = [];
  const software = rows.filter((r) => r.adapter?.software);
  if (software.length) {
    parts.push(
      `**${software.map((r) => `${r.backend} ran on ${r.adapter!.name} (${r.adapter!.vendor}/${r.adapter!.architecture}), a software adapter`).join('; ')}: a CPU emulating a GPU (SwiftShader ≈ 0.3 GFLOP/s here). ` +
        'These figures say nothing about a GPU — not its speed, not a ratio to expect on one. They show that the WebGPU path runs the framework end to end, and how many kernels and read-backs it needs.** ' +
        `Its rollouts are capped at 2 timed steps, its updates at 1 timed run, and N, B at ${o.softwareMax.toLocaleString('en-US')}.`,
    );
  }
  parts.push(
    'CartPole-v1, 4→64→64→2 tanh MLP, categorical (Gumbel-max). Rollout: `createRunner(policy, env).rollout(T)` after a warm-up rollout, env steps/s = N·T / wall seconds, T doubled from 2 until a rollout takes ≥ ' +
      `${o.seconds / 2} s. Update: \`reinforceUpdate\` (reward-to-go, batch-mean baseline, normalised advantages, one forward/backward over B samples, one Adam step) on a tensor-native batch, median of ${o.repeats} after one warm-up. ` +
      `Ratios are to wasm in the same run (steps/s: higher is better; update: time ratio, lower is better). Shared 2-core machine (1-min load average ${o.load.start} at the start, ${o.load.end} at the end): noisy.`,
  );
  for (const r of others) {
    const title = `${r.backend}${r.adapter ? ` on ${r.adapter.name} (${r.adapter.software ? 'software' : 'hardware'})` : ''}`;
    const tensorBody = r.tensor.map((p) => {
      const w = wasm?.tensor.find((x) => x.numEnvs === p.numEnvs);
      const b = browser?.rows.find((x) => x.n === p.numEnvs);
      return [p.numEnvs, round(p.stepsPerSec), round(w?.stepsPerSec), ratio(p.stepsPerSec, w?.stepsPerSec), p.kernelsPerStep ?? '–', `${p.readBacks} (${p.deviceReads} GPU buffer map${p.deviceReads === 1 ? '' : 's'}) for T = ${p.steps}`, round(b?.stepsPerSec)];
    });
    if (tensorBody.length) {
      parts.push(
        `### Tensor-native rollouts: ${title} vs wasm\n\n` +
          markdownTable(['N', `${r.backend} steps/s`, 'wasm steps/s', `${r.backend}/wasm`, 'kernels per vector step', 'read-backs per rollout', 'browser webgpu steps/s (earlier run)'], tensorBody),
      );
    }
    const jsBody = r.js.map((p) => {
      const w = wasm?.js.find((x) => x.numEnvs === p.numEnvs);
      return [p.numEnvs, round(p.stepsPerSec), round(w?.stepsPerSec), ratio(p.stepsPerSec, w?.stepsPerSec), `${p.readBacks} for T = ${p.steps}`];
    });
    if (jsBody.length) parts.push(`### JS-env rollouts (one read-back per vector step): ${title} vs wasm\n\n` + markdownTable(['N', `${r.backend} steps/s`, 'wasm steps/s', `${r.backend}/wasm`, 'read-backs per rollout'], jsBody));
    const upBody = r.update.map((u) => {
      const w = wasm?.update.find((x) => x.batch === u.batch);
      return [u.batch, u.ms.toFixed(1), w ? w.ms.toFixed(1) : '–', ratio(u.ms, w?.ms)];
    });
    if (upBody.length) parts.push(`### One update: ${title} vs wasm\n\n` + markdownTable(['B', `${r.backend} ms`, 'wasm ms', `${r.backend}/wasm (time)`], upBody));
    if (r.skipped.length) parts.push(`Left out on ${r.backend}: ${r.skipped.join('; ')}.`);
  }
  if (browser) {
    parts.push(
      `Browser column: \`rl bench rollout --browser\` (results/browser.json, ${browser.date.slice(0, 10)}): the same tensor-native rollout in headless Chromium's WebGPU on ${browser.adapter} (also SwiftShader), ` +
        `${browser.rows[0]!.kernelsPolicyAndEnv} kernels and ${browser.rows[0]!.readBacksDuringSteps} read-backs per vector step there.`,
    );
  }
  parts.push('Kernels per vector step are constant in N on every backend: the step is whole-column ops, no per-env work. A tensor-native rollout reads back once, at its end, whatever T.');
  return parts.join('\n\n');
}

function parseArgs(argv: readonly string[]): WebgpuBenchOptions {
  const val = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const be = val('--backends');
  return {
    ...(argv.includes('--quick') ? { tensorNs: [1024, 4096], jsNs: [1024], batches: [4096], seconds: 0.2, repeats: 1 } : {}),
    ...(be ? { backends: be.split(',') as Exclude<BackendName, 'auto'>[] } : {}),
    ...(argv.includes('--no-write') ? { write: false } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runWebgpuBench(parseArgs(process.argv.slice(2)));
  console.log(`\n${r.markdown}`);
}
