/**
 * `rl doctor [--json] [--no-probe]`: what this machine offers the framework. Versions; each
 * backend — available, or why not and the one command that fixes it; the GPU adapters WebGPU
 * sees (software or hardware); whether the CUDA 11.2 / cuDNN 8 libraries tfjs-node-gpu needs
 * are on the linker's path; the NVIDIA_DRIVER_CAPABILITIES hint inside containers; then a
 * short probe on each available backend (env steps/s of a CartPole-v1 rollout at N = 1024,
 * ms of one update at B = 4096) and the backend it recommends. Always exits 0.
 */
import { createRequire } from 'node:module';
import {
  AUTO_ORDER,
  BackendUnavailableError,
  findSharedLibrary,
  gpuDeviceNodes,
  inContainer,
  initTf,
  installedWebgpuVersion,
  listWebgpuAdapters,
  swiftShaderIcd,
  tf,
  type WebgpuAdapter,
} from '@rl/tf';
import { measureRollout, measureUpdate, PROBE_ENV, type RolloutProbe, type UpdateProbe } from './probe.js';

/** Options of `rl doctor`. */
export interface DoctorOptions {
  /** Print the report as one JSON document instead of text. */
  readonly json?: boolean;
  /** Run the probes (default true; `--no-probe` skips them). */
  readonly probe?: boolean;
}

/** One backend in the report. */
export interface DoctorBackend {
  readonly name: string;
  readonly available: boolean;
  /** Why not (the backend's own error message). */
  readonly reason: string | null;
  /** The one command or setting that fixes it. */
  readonly fix: string | null;
  /** The WebGPU adapter (webgpu). */
  readonly adapter: WebgpuAdapter | null;
  /** The probe, when it ran. */
  readonly probe: DoctorProbe | null;
}

/** A backend's probe. */
export interface DoctorProbe {
  /** CartPole-v1 rollouts at N = 1024: the JS env and the tensor-native env. */
  readonly rollout: readonly RolloutProbe[];
  /** One update at B = 4096 (smaller on a software adapter: see `capped`). */
  readonly update: UpdateProbe | null;
  /** Why the probe was cut short (software adapters), or null. */
  readonly capped: string | null;
  /** Why it failed, or null. */
  readonly error: string | null;
}

/** The whole report (`--json` prints exactly this). */
export interface DoctorReport {
  readonly versions: { readonly node: string; readonly tfjs: string; readonly rl: string; readonly webgpu: string | null };
  readonly platform: { readonly os: string; readonly arch: string; readonly container: boolean; readonly gpuDevices: readonly string[] };
  readonly backends: readonly DoctorBackend[];
  readonly webgpu: { readonly adapters: readonly WebgpuAdapter[]; readonly error: string | null; readonly vulkanLoader: string | null; readonly swiftShader: string | null };
  readonly cuda: { readonly for: string; readonly needs: string; readonly libraries: readonly { readonly name: string; readonly path: string | null }[]; readonly ok: boolean; readonly hint: string | null };
  readonly nvidia: { readonly driverCapabilities: string | null; readonly hint: string | null };
  readonly recommended: { readonly backend: string; readonly envVectorization: 'native' | 'tensor'; readonly command: string; readonly reason: string };
}

/** The probe sizes the issue fixes: N envs, B samples. */
export const DOCTOR_PROBE = { numEnvs: 1024, batch: 4096 } as const;

/** The shared libraries @tensorflow/tfjs-node-gpu 4.22 (libtensorflow 2.9, CUDA 11.2, cuDNN 8.1) loads. */
const CUDA_LIBS = ['libcuda.so.1', 'libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8'];

const RL_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * Probe budget: about a second per backend. A software adapter (SwiftShader: ≈ 0.3 GFLOP/s, and
 * every kernel compiled on first use) gets 2-step rollouts and one update over a smaller batch.
 */
function probeBudget(software: boolean): { seconds: number; jsSteps: number; tensorSteps: number; repeats: number; batch: number } {
  return software ? { seconds: 0, jsSteps: 2, tensorSteps: 2, repeats: 1, batch: SOFTWARE_BATCH } : { seconds: 0.3, jsSteps: 64, tensorSteps: 256, repeats: 3, batch: DOCTOR_PROBE.batch };
}

/** B of the update probe on a software adapter. */
const SOFTWARE_BATCH = 512;

async function probeActive(software: boolean): Promise<DoctorProbe> {
  const b = probeBudget(software);
  const capped = software ? `software adapter (a CPU emulating a GPU): 2-step rollouts and one update at B = ${SOFTWARE_BATCH}; the figures say nothing about a GPU` : null;
  try {
    const rollout = [
      await measureRollout('js', DOCTOR_PROBE.numEnvs, { seconds: b.seconds, maxSteps: b.jsSteps }),
      await measureRollout('tensor', DOCTOR_PROBE.numEnvs, { seconds: b.seconds, maxSteps: b.tensorSteps }),
    ];
    const update = await measureUpdate(b.batch, { repeats: b.repeats });
    return { rollout, update, capped, error: null };
  } catch (err) {
    return { rollout: [], update: null, capped, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Seconds to collect B env steps and learn from them once: what one training iteration costs. */
function iterationSeconds(p: DoctorProbe, kind: 'js' | 'tensor'): number {
  const r = p.rollout.find((x) => x.env === kind);
  if (!r || !p.update || p.update.batch !== DOCTOR_PROBE.batch) return Infinity;
  return DOCTOR_PROBE.batch / r.stepsPerSec + p.update.ms / 1000;
}

/**
 * The backend to train with: among available backends on hardware (a software adapter never),
 * the one with the least time to collect B env steps and update once over them (JS or
 * tensor-native envs, whichever is faster there); without probes, the first in `auto`'s order.
 */
export function recommend(backends: readonly DoctorBackend[]): DoctorReport['recommended'] {
  const hardware = backends.filter((b) => b.available && !b.adapter?.software);
  let best: { b: DoctorBackend; kind: 'js' | 'tensor'; s: number } | undefined;
  for (const b of hardware) {
    if (!b.probe || b.probe.error) continue;
    for (const kind of ['js', 'tensor'] as const) {
      const s = iterationSeconds(b.probe, kind);
      if (Number.isFinite(s) && (!best || s < best.s)) best = { b, kind, s };
    }
  }
  const skippedSoftware = backends.filter((b) => b.available && b.adapter?.software).map((b) => b.name);
  const note = skippedSoftware.length ? `; ${skippedSoftware.join(', ')} left out: a software adapter is never recommended` : '';
  if (best) {
    const envVectorization = best.kind === 'tensor' ? 'tensor' : 'native';
    return {
      backend: best.b.name,
      envVectorization,
      command: `rl train --backend ${best.b.name}${envVectorization === 'tensor' ? ' --env-vectorization tensor' : ''}`,
      reason: `least time for ${DOCTOR_PROBE.batch.toLocaleString('en-US')} env steps plus one update over them (${(best.s * 1000).toFixed(0)} ms, ${best.kind === 'tensor' ? 'tensor-native' : 'JS'} envs)${note}`,
    };
  }
  const first = AUTO_ORDER.map((n) => hardware.find((b) => b.name === n)).find(Boolean) ?? backends.find((b) => b.name === 'cpu')!;
  return { backend: first.name, envVectorization: 'native', command: `rl train --backend ${first.name}`, reason: `the first available backend in auto's order (no probe ran)${note}` };
}

/** Builds the report (initialising each backend in turn; the last one active is cpu). */
export async function doctorReport(opts: Pick<DoctorOptions, 'probe'> = {}): Promise<DoctorReport> {
  let adapters: WebgpuAdapter[] = [];
  let webgpuError: string | null = null;
  try {
    adapters = await listWebgpuAdapters();
  } catch (err) {
    webgpuError = err instanceof Error ? err.message : String(err);
  }
  const backends: DoctorBackend[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const info = await initTf({ backend: name });
      const software = info.adapter?.software === true;
      const probe = opts.probe === false ? null : await probeActive(software);
      backends.push({ name, available: true, reason: null, fix: null, adapter: info.adapter ?? null, probe });
    } catch (err) {
      const e = err instanceof BackendUnavailableError ? err : undefined;
      backends.push({ name, available: false, reason: err instanceof Error ? err.message : String(err), fix: e?.fix ?? null, adapter: null, probe: null });
    }
  }
  const libraries = CUDA_LIBS.map((name) => ({ name, path: findSharedLibrary(name) ?? null }));
  const missing = libraries.filter((l) => !l.path).map((l) => l.name);
  const nodes = gpuDeviceNodes();
  const container = inContainer();
  const caps = process.env.NVIDIA_DRIVER_CAPABILITIES ?? null;
  const nvidiaVisible = nodes.some((n) => n.includes('nvidia')) || process.env.NVIDIA_VISIBLE_DEVICES !== undefined;
  let nvidiaHint: string | null = null;
  if (container && nvidiaVisible && !/\b(all|graphics)\b/.test(caps ?? '')) {
    nvidiaHint = `NVIDIA_DRIVER_CAPABILITIES is ${caps ? `"${caps}"` : 'unset ("compute,utility")'}: the NVIDIA container runtime mounts the Vulkan driver WebGPU needs only with "graphics" — start the container with -e NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics (tfjs-node-gpu needs "compute").`;
  } else if (container && !nvidiaVisible && nodes.length === 0) {
    nvidiaHint = 'inside a container with no GPU device: start it with --gpus all -e NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics (NVIDIA) or --device /dev/dri (AMD/Intel).';
  }
  return {
    versions: { node: process.version, tfjs: tf.version.tfjs, rl: RL_VERSION, webgpu: installedWebgpuVersion() ?? null },
    platform: { os: process.platform, arch: process.arch, container, gpuDevices: nodes },
    backends,
    webgpu: { adapters, error: webgpuError, vulkanLoader: findSharedLibrary('libvulkan.so.1') ?? null, swiftShader: swiftShaderIcd() ?? null },
    cuda: {
      for: '@tensorflow/tfjs-node-gpu',
      needs: 'CUDA 11.2 and cuDNN 8.1 (libtensorflow 2.9), plus the NVIDIA driver',
      libraries,
      ok: missing.length === 0,
      hint: missing.length === 0 ? null : `missing ${missing.join(', ')}: install CUDA 11.2 and cuDNN 8.1 (e.g. the nvidia/cuda:11.2.2-cudnn8-runtime image), or use --backend webgpu, which needs only the GPU's Vulkan driver.`,
    },
    nvidia: { driverCapabilities: caps, hint: nvidiaHint },
    recommended: recommend(backends),
  };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** The report as text. */
export function formatDoctor(r: DoctorReport): string {
  const out: string[] = [];
  out.push(`rl doctor: versions node ${r.versions.node} · tfjs ${r.versions.tfjs} · rl ${r.versions.rl} · webgpu (Dawn) ${r.versions.webgpu ?? 'not installed'}`);
  out.push(`platform ${r.platform.os} ${r.platform.arch}${r.platform.container ? ', in a container' : ''}; GPU devices: ${r.platform.gpuDevices.length ? r.platform.gpuDevices.join(', ') : 'none'}`);
  out.push('', 'backends');
  const w = Math.max(...r.backends.map((b) => b.name.length));
  for (const b of r.backends) {
    if (b.available) {
      const a = b.adapter ? ` on ${b.adapter.name} (${b.adapter.vendor}/${b.adapter.architecture}, ${b.adapter.backend}${b.adapter.software ? ', SOFTWARE: correctness only, never picked by auto' : ', hardware'})` : '';
      out.push(`  ${b.name.padEnd(w)}  available${a}`);
    } else {
      out.push(`  ${b.name.padEnd(w)}  unavailable: ${b.reason}`);
      if (b.fix) out.push(`  ${''.padEnd(w)}  fix: ${b.fix}`);
    }
  }
  out.push('', 'WebGPU adapters');
  if (r.webgpu.error) out.push(`  none: ${r.webgpu.error}`);
  else if (r.webgpu.adapters.length === 0) out.push('  none');
  for (const a of r.webgpu.adapters) out.push(`  ${a.name} — ${a.vendor}/${a.architecture}, ${a.backend}, ${a.software ? 'software' : 'hardware'}${a.driver ? ` (${a.driver})` : ''}`);
  out.push(`  Vulkan loader: ${r.webgpu.vulkanLoader ?? 'not found (apt-get install libvulkan1)'}; SwiftShader: ${r.webgpu.swiftShader ?? 'not found (apt-get install chromium)'}`);
  out.push('', `CUDA for ${r.cuda.for} (${r.cuda.needs})`);
  for (const l of r.cuda.libraries) out.push(`  ${l.name.padEnd(18)} ${l.path ?? 'missing'}`);
  if (r.cuda.hint) out.push(`  ${r.cuda.hint}`);
  if (r.nvidia.hint) out.push('', `container: ${r.nvidia.hint}`);
  const probed = r.backends.filter((b) => b.probe);
  if (probed.length) {
    out.push('', `probe (${PROBE_ENV}, 64-64 tanh MLP; rollouts at N = ${fmt(DOCTOR_PROBE.numEnvs)}, one update at B = ${fmt(DOCTOR_PROBE.batch)})`);
    out.push(`  ${'backend'.padEnd(w + 1)}  ${'JS env steps/s'.padStart(15)}  ${'tensor env steps/s'.padStart(18)}  ${'update ms'.padStart(10)}  B`);
    for (const b of probed) {
      const p = b.probe!;
      const js = p.rollout.find((x) => x.env === 'js');
      const te = p.rollout.find((x) => x.env === 'tensor');
      const star = p.capped ? '*' : '';
      if (p.error) out.push(`  ${(b.name + star).padEnd(w + 1)}  probe failed: ${p.error}`);
      else out.push(`  ${(b.name + star).padEnd(w + 1)}  ${(js ? fmt(js.stepsPerSec) : '–').padStart(15)}  ${(te ? fmt(te.stepsPerSec) : '–').padStart(18)}  ${(p.update ? p.update.ms.toFixed(1) : '–').padStart(10)}  ${p.update ? fmt(p.update.batch) : ''}`);
    }
    for (const b of probed) if (b.probe!.capped) out.push(`  * ${b.name}: ${b.probe!.capped}`);
  }
  out.push('', `recommended: ${r.recommended.backend} — ${r.recommended.reason}`, `  ${r.recommended.command}`);
  return `${out.join('\n')}\n`;
}

/** `rl doctor`: prints the report (text, or one JSON document with `--json`); exit code 0. */
export async function doctorCommand(opts: DoctorOptions): Promise<void> {
  const report = await doctorReport({ probe: opts.probe !== false });
  await initTf({ backend: 'cpu' });
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatDoctor(report));
  process.exitCode = 0;
}
