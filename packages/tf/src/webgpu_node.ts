/**
 * The WebGPU backend in Node: Dawn's Node bindings (the optional npm package `webgpu`) give
 * Node a `navigator.gpu` over Vulkan (Linux), Metal (macOS) or D3D12 (Windows), and
 * `@tensorflow/tfjs-backend-webgpu` runs on it. This module loads the package at run time,
 * finds an adapter (saying exactly what is missing when there is none), sets up `navigator.gpu`
 * only while tfjs creates its device (tfjs registers the backend only if `navigator.gpu` exists
 * when it is imported; releasing it afterwards lets Node exit), and gives the backend
 * synchronous reads (`dawn_sync.ts`). Node only.
 */
import tf from './tfjs.cjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mapReadSync, watchDawnEvents, type MappableBuffer } from './dawn_sync.js';
import { BackendUnavailableError } from './errors.js';
import { noteDeviceRead } from './read_backs.js';
import { swiftShaderIcd } from './swiftshader.js';
import { findSharedLibrary, gpuDeviceNodes, inContainer } from './system.js';

/** The native graphics API Dawn drives: Vulkan on Linux, Metal on macOS, D3D12 on Windows. */
export type GpuApi = 'vulkan' | 'metal' | 'd3d12';

/** A WebGPU adapter as `backendInfo().adapter` and `rl doctor` report it. */
export interface WebgpuAdapter {
  /** The device's name as Dawn gives it (e.g. `swiftshader-device-subzero-`), else the driver's description. */
  readonly name: string;
  /** The vendor (`nvidia`, `amd`, `intel`, `apple`, `google` for SwiftShader, …). */
  readonly vendor: string;
  /** The architecture (`ampere`, `rdna-2`, `swiftshader`, …), when the driver says. */
  readonly architecture: string;
  /** The driver's description (e.g. `SwiftShader driver 5.0.0`). */
  readonly driver: string;
  /** The native API underneath. */
  readonly backend: GpuApi;
  /**
   * A software implementation running on the CPU (SwiftShader, lavapipe/llvmpipe, WARP): it
   * proves the GPU path correct and says nothing about a GPU's speed. `auto` never picks one.
   */
  readonly software: boolean;
}

/** The part of Dawn's module we use (`import { create, globals } from 'webgpu'`). */
interface DawnModule {
  create(flags: string[]): GpuLike;
  readonly globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: 'high-performance' | 'low-power'; forceFallbackAdapter?: boolean }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
  requestDevice(desc?: unknown): Promise<unknown>;
}
interface GpuBufferLike extends MappableBuffer {
  readonly size: number;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
/** The internals of tfjs-backend-webgpu 4.22's `WebGPUBackend` that a synchronous read uses (the same steps as its `getBufferData`). */
interface WebgpuBackendInternals {
  readonly tensorMap: { get(id: object): { values?: unknown; dtype: tf.DataType | 'complex64'; resource?: unknown } | undefined };
  readonly bufferManager: { acquireBuffer(size: number, usage: number): GpuBufferLike; releaseBuffer(b: GpuBufferLike, reuse?: boolean): void };
  commandEncoder: { copyBufferToBuffer(src: unknown, srcOffset: number, dst: unknown, dstOffset: number, size: number): void } | null;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  readSync(dataId: object): unknown;
  getBufferData(buffer: unknown): Promise<ArrayBuffer>;
  rlSyncRead?: true;
}

/** Names that mark a software adapter. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|microsoft basic render/i;

/** `GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST`. */
const STAGING_USAGE = 0x0001 | 0x0008;

/** The `webgpu` version @rl/tf is tested with (its peerDependencies). */
export const WEBGPU_PACKAGE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { peerDependencies: Record<string, string> }).peerDependencies.webgpu!;

const INSTALL_PACKAGE = `pnpm add webgpu@${WEBGPU_PACKAGE_VERSION}`;

/** The installed version of the optional package `webgpu`, or undefined when it is not installed. */
export function installedWebgpuVersion(): string | undefined {
  try {
    return (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The API Dawn uses on this platform. */
export function gpuApi(): GpuApi {
  return process.platform === 'darwin' ? 'metal' : process.platform === 'win32' ? 'd3d12' : 'vulkan';
}

const unavailable = (message: string, fix?: string) => new BackendUnavailableError(`backend "webgpu": ${message}`, { backend: 'webgpu', ...(fix ? { fix } : {}) });

let dawn: DawnModule | undefined;

/** Loads Dawn's bindings (once) and checks the Vulkan loader on Linux; throws saying which is missing and the fix. */
async function loadDawn(): Promise<DawnModule> {
  if (!dawn) {
    const specifier = 'webgpu'; // optional: resolved at run time only
    try {
      dawn = (await import(specifier)) as DawnModule;
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw unavailable(`needs the optional package webgpu (Dawn's Node bindings, prebuilt for Linux, macOS and Windows), which could not be loaded (${why}). Install it with \`${INSTALL_PACKAGE}\`, or choose --backend wasm.`, INSTALL_PACKAGE);
    }
    // GPUBufferUsage, GPUMapMode, … : tfjs-backend-webgpu reads them as globals, as in a browser
    for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  if (process.platform === 'linux' && !findSharedLibrary('libvulkan.so.1')) {
    throw unavailable(
      'the Vulkan loader (libvulkan.so.1) is not installed; on Linux Dawn reaches the GPU through Vulkan. Install it with `apt-get install libvulkan1` (Fedora: `dnf install vulkan-loader`), and a Vulkan driver for the GPU.',
      'apt-get install libvulkan1',
    );
  }
  return dawn;
}

/** A new Dawn instance. The caller keeps it referenced while its adapters and devices are in use: a collected instance takes them down (measured: `std::system_error` on the next read). */
function openGpu(d: DawnModule): GpuLike {
  // Mesa's device-select Vulkan layer prints "XDG_RUNTIME_DIR is invalid" in headless processes;
  // it only reorders devices, and Dawn enumerates every adapter itself.
  if (process.platform === 'linux' && !process.env.XDG_RUNTIME_DIR) process.env.NODEVICE_SELECT ??= '1';
  return d.create([`backend=${gpuApi()}`]);
}

/** What an adapter is, in the framework's words. */
function describeAdapter(a: AdapterLike): WebgpuAdapter {
  const i = a.info ?? {};
  const vendor = i.vendor ?? '';
  const architecture = i.architecture ?? '';
  const driver = i.description ?? '';
  const name = i.device || driver || `${vendor} ${architecture}`.trim() || 'unknown adapter';
  const software = i.isFallbackAdapter === true || a.isFallbackAdapter === true || SOFTWARE.test(`${vendor} ${architecture} ${name} ${driver}`);
  return { name, vendor, architecture, driver, backend: gpuApi(), software };
}

/** Why there is no adapter and what to do, for this machine. */
function noAdapter(): BackendUnavailableError {
  const icd = swiftShaderIcd();
  const software = icd
    ? `To check the WebGPU path on the CPU instead (SwiftShader: correct, ≈ 0.3 GFLOP/s, nothing like a GPU), run with VK_ICD_FILENAMES=${icd}.`
    : 'To check the WebGPU path on the CPU instead (SwiftShader: correct, not fast), `apt-get install chromium` and run with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.';
  const softwareFix = `VK_ICD_FILENAMES=${icd ?? '/usr/lib/chromium/vk_swiftshader_icd.json'} (SwiftShader, a software adapter: correctness only)`;
  if (process.platform === 'darwin') return unavailable('Dawn found no Metal device (macOS 10.15+ on a Mac with a Metal GPU is needed).', undefined);
  if (process.platform === 'win32') return unavailable('Dawn found no D3D12 adapter; update the GPU driver (Windows 10+).', undefined);
  const nodes = gpuDeviceNodes();
  const nvidia = existsSync('/proc/driver/nvidia/version') || nodes.some((n) => n.includes('nvidia')) || process.env.NVIDIA_VISIBLE_DEVICES !== undefined;
  const caps = process.env.NVIDIA_DRIVER_CAPABILITIES ?? '';
  const container = inContainer();
  if (nodes.length === 0 && !nvidia) {
    const pass = 'docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics … (AMD/Intel: --device /dev/dri)';
    return unavailable(
      `no usable Vulkan adapter, and no GPU is visible to this process (no /dev/dri/renderD*, /dev/nvidia*, /dev/dxg)${container ? `: this container was started without one; pass it through with \`${pass}\`` : ''}. ${software}`,
      container ? pass : softwareFix,
    );
  }
  if (container && nvidia && !/\b(all|graphics)\b/.test(caps)) {
    const fix = 'docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics …';
    return unavailable(
      `no Vulkan adapter: this container has an NVIDIA GPU, but the NVIDIA container runtime mounts the Vulkan driver only when NVIDIA_DRIVER_CAPABILITIES includes "graphics" (it is ${caps ? `"${caps}"` : 'unset, i.e. "compute,utility"'}). Start the container with \`${fix}\` (Kubernetes: the same env var on the container). ${software}`,
      fix,
    );
  }
  const fix = nvidia ? 'install the NVIDIA driver with its Vulkan ICD (Debian: apt-get install nvidia-driver)' : 'apt-get install mesa-vulkan-drivers';
  return unavailable(
    `no usable Vulkan adapter: no Vulkan driver on this machine exposes a GPU Dawn can use (it needs Vulkan 1.1 with WebGPU's features; Debian 12's lavapipe is too old). ` +
      `Install the GPU's Vulkan driver (${nvidia ? "NVIDIA's proprietary driver with its Vulkan ICD" : 'AMD/Intel: `apt-get install mesa-vulkan-drivers`; NVIDIA: its proprietary driver'}); \`vulkaninfo --summary\` (apt-get install vulkan-tools) lists what Vulkan sees. ${software}`,
    fix,
  );
}

async function requestAdapter(gpu: GpuLike, opts: Parameters<GpuLike['requestAdapter']>[0]): Promise<AdapterLike | null> {
  try {
    return await gpu.requestAdapter(opts);
  } catch (err) {
    throw unavailable(`navigator.gpu.requestAdapter() failed (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** The adapters WebGPU sees (high-performance, low-power, fallback), without creating a device. Throws as {@link initWebgpu} does when Dawn or the Vulkan loader is missing. */
export async function listWebgpuAdapters(): Promise<WebgpuAdapter[]> {
  const gpu = openGpu(await loadDawn());
  const out = new Map<string, WebgpuAdapter>();
  for (const opts of [{ powerPreference: 'high-performance' as const }, { powerPreference: 'low-power' as const }, { forceFallbackAdapter: true }]) {
    const a = await requestAdapter(gpu, opts);
    if (!a) continue;
    const d = describeAdapter(a);
    out.set(JSON.stringify(d), d);
  }
  return [...out.values()];
}

/** The adapter the webgpu backend of this process was created on. */
let active: WebgpuAdapter | undefined;
/** The Dawn instance under the backend's device, referenced for as long as the backend lives. */
let instance: GpuLike | undefined;

/**
 * Makes tfjs's webgpu backend the active one: loads Dawn, takes the high-performance adapter,
 * lets tfjs create its device on it, and installs synchronous reads. With `auto`, a machine with
 * no GPU device node (Linux) or only a software adapter is refused (an `auto` skip), without
 * creating a device. Throws {@link BackendUnavailableError} saying which piece is missing and the fix.
 */
export async function initWebgpu(opts: { readonly auto: boolean }): Promise<WebgpuAdapter> {
  if (active && tf.engine().registry.webgpu) {
    if (opts.auto && active.software) throw unavailable(`the adapter is ${active.name}, a software implementation on the CPU; auto never picks one (ask for --backend webgpu to use it, for correctness checks).`);
    if (!(await tf.setBackend('webgpu'))) throw unavailable('switching back to the webgpu backend failed');
    return active;
  }
  if (opts.auto && process.platform === 'linux' && gpuDeviceNodes().length === 0) {
    throw unavailable('no GPU device on this machine (no /dev/dri/renderD*, /dev/nvidia*, /dev/dxg), so no hardware adapter; auto does not try software ones.');
  }
  const gpu = openGpu(await loadDawn());
  const adapter = await requestAdapter(gpu, { powerPreference: 'high-performance' });
  if (!adapter) throw noAdapter();
  const info = describeAdapter(adapter);
  if (opts.auto && info.software) {
    throw unavailable(`the only adapter is ${info.name} (${info.vendor}/${info.architecture}), a software implementation on the CPU; auto never picks one (ask for --backend webgpu to use it, for correctness checks).`);
  }
  await withNavigatorGpu(forTfjs(adapter), async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory('webgpu')) {
      throw unavailable('@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed, so it did not register its backend; import it only through @rl/tf (initTf) in Node.');
    }
    if (!(await tf.setBackend('webgpu'))) throw unavailable(`tfjs could not create its device on ${info.name} (see the warning above).`);
  });
  installSyncReads(tf.backend() as unknown as WebgpuBackendInternals);
  instance = gpu;
  active = info;
  return info;
}

/**
 * A `navigator.gpu` for tfjs's backend factory: hands it `adapter` (the one just described, so
 * `backendInfo()` reports the adapter in use) and watches its `requestDevice` for the callback
 * Dawn processes events with (see `dawn_sync.ts`).
 */
function forTfjs(adapter: AdapterLike): object {
  const watched = new Proxy(adapter, {
    get(target, key) {
      if (key === 'requestDevice') return (desc?: unknown) => watchDawnEvents(() => target.requestDevice(desc));
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { requestAdapter: async () => watched, getPreferredCanvasFormat: () => 'bgra8unorm' };
}

/** Runs `fn` with `navigator.gpu` set, then removes it again (and `navigator`, if Node had none). */
async function withNavigatorGpu<T>(gpu: object, fn: () => Promise<T>): Promise<T> {
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  const hadNavigator = g.navigator !== undefined;
  if (!hadNavigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    delete g.navigator!.gpu;
    if (!hadNavigator) delete g.navigator;
  }
}

/**
 * Replaces the backend's `readSync` (which needs `OffscreenCanvas`, absent in Node) by a copy to
 * a staging buffer mapped synchronously — the same steps as the backend's asynchronous
 * `getBufferData` — and counts every GPU read (both paths) for `countReadBacks`.
 */
function installSyncReads(be: WebgpuBackendInternals): void {
  if (be.rlSyncRead) return;
  be.rlSyncRead = true;
  const readSync = be.readSync.bind(be);
  const getBufferData = be.getBufferData.bind(be);
  be.getBufferData = (buffer: unknown) => {
    noteDeviceRead();
    return getBufferData(buffer);
  };
  be.readSync = (dataId: object) => {
    const d = be.tensorMap.get(dataId);
    const src = d?.resource as GpuBufferLike | undefined;
    // host values, strings and complex parts (read part by part through this function) go the usual way
    if (!d || d.values != null || d.dtype === 'string' || d.dtype === 'complex64' || !src || typeof src.getMappedRange !== 'function') return readSync(dataId);
    const staging = be.bufferManager.acquireBuffer(src.size, STAGING_USAGE);
    be.ensureCommandEncoderReady();
    be.endComputePassEncoder();
    be.commandEncoder!.copyBufferToBuffer(src, 0, staging, 0, src.size);
    be.submitQueue();
    noteDeviceRead();
    let bytes: ArrayBuffer;
    try {
      mapReadSync(staging);
      bytes = staging.getMappedRange().slice(0);
      staging.unmap();
    } catch (err) {
      be.bufferManager.releaseBuffer(staging, false); // destroyed, not reused: its mapping may still be pending
      throw err;
    }
    be.bufferManager.releaseBuffer(staging);
    const values = tf.util.convertBackendValuesAndArrayBuffer(bytes, d.dtype);
    d.values = values; // cached on the host, as the backend's own reads do
    return values;
  };
}
