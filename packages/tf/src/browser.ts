/**
 * The browser side of `@rl/tf`: the same `initTf` contract as the Node entry, with the GPU
 * backends a browser has — WebGPU (`@tensorflow/tfjs-backend-webgpu`) and WebGL
 * (`@tensorflow/tfjs-backend-webgl`) — then wasm and cpu. Nothing here touches Node built-ins, so a
 * bundler (Vite, esbuild, webpack) can take `@rl/tf` through its `browser` export condition.
 */
import * as tf from './tfjs.browser.js';
import '@tensorflow/tfjs-backend-webgpu';
import { bindTf } from './bound_tf.js';

const { setWasmPaths } = tf.wasm;
bindTf(tf);

/** Backends `initTf` accepts in a browser. `auto` prefers webgpu, then webgl, wasm, cpu. */
export type BrowserBackendName = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The names of all backends the browser `initTf` accepts. */
export const BROWSER_BACKENDS: readonly BrowserBackendName[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** Where the wasm backend fetches its `.wasm` files: a URL prefix ending in `/`, or one URL per file name. */
export type WasmPaths = string | { readonly [file: string]: string };

/** Options of the browser {@link initTf}. */
export interface BrowserInitTfOptions {
  /** Which backend to use; default `auto` (webgpu, then webgl, then wasm, then cpu). */
  readonly backend?: BrowserBackendName;
  /** Called once with a line saying which backend was chosen. */
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
  /**
   * Where the wasm backend loads `tfjs-backend-wasm{,-simd,-threaded-simd}.wasm` from (passed
   * to `setWasmPaths`). Default: tfjs's own default, the directory of the running script.
   * Bundled apps pass the URLs their bundler gives the files (e.g. Vite's `?url` imports).
   */
  readonly wasmPaths?: WasmPaths;
}

/** Which backend is active and why. */
export interface BrowserBackendInfo {
  /** The tfjs backend name (`webgpu`, `webgl`, `wasm`, `cpu`). */
  readonly backend: string;
  /** What was asked for. */
  readonly requested: BrowserBackendName;
  /** The tfjs version (all `@tensorflow/*` packages are pinned to it). */
  readonly tfjsVersion: string;
  /** Backends `auto` tried and skipped, with the reason. */
  readonly skipped: readonly { readonly backend: string; readonly reason: string }[];
  /**
   * Whether synchronous read-back (`dataSync`, `arraySync`) can be used. WebGPU has no
   * synchronous buffer mapping: tfjs reads through a canvas copy, which on a SwiftShader adapter
   * (measured: headless Chromium) returns zeros and breaks later reads. The framework's runner
   * and trainer read synchronously, so `auto` skips such a webgpu; asked for by name it is set
   * up with this false (use `await t.data()` only). Always true on webgl, wasm and cpu.
   */
  readonly syncReadback: boolean;
  /** The WebGPU adapter's vendor/architecture (`google`/`swiftshader` is a CPU emulating a GPU), when webgpu is active. */
  readonly adapter?: { readonly vendor: string; readonly architecture: string; readonly description: string };
}

/** Thrown when a requested backend cannot be initialised; the message says why and what to choose instead. */
export class BrowserBackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

let current: BrowserBackendInfo | undefined;
let wasmPathsSet = false;

interface GpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  requestAdapterInfo?: () => Promise<{ vendor?: string; architecture?: string; description?: string }>;
}
interface NavigatorGpuLike {
  readonly gpu?: { requestAdapter(opts?: Record<string, unknown>): Promise<GpuAdapterLike | null> };
}

/** Checks that the browser can give WebGPU an adapter; throws a message that says why not. */
async function webgpuAdapter(): Promise<GpuAdapterLike> {
  const nav = (globalThis as { navigator?: NavigatorGpuLike }).navigator;
  const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
  if (!nav?.gpu) {
    throw new BrowserBackendUnavailableError(
      `backend "webgpu": this browser has no WebGPU (navigator.gpu is missing${secure === false ? '; the page is not a secure context — serve it over https or from localhost' : ''}). ` +
        `Use a browser with WebGPU enabled (Chromium: --enable-unsafe-webgpu on Linux), choose backend "webgl", "wasm" or "cpu", or "auto" to fall back.`,
    );
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    throw new BrowserBackendUnavailableError(`backend "webgpu": navigator.gpu.requestAdapter() failed (${String(err)}); choose "webgl", "wasm", "cpu" or "auto".`);
  }
  if (!adapter) {
    throw new BrowserBackendUnavailableError(
      `backend "webgpu": navigator.gpu.requestAdapter() returned no adapter (no usable GPU, or WebGPU is blocked for it; headless Chromium needs --use-webgpu-adapter=swiftshader --enable-unsafe-swiftshader). ` +
        `Choose backend "webgl", "wasm" or "cpu", or "auto" to fall back.`,
    );
  }
  return adapter;
}

function webglAvailable(): string | undefined {
  const doc = (globalThis as { document?: { createElement(t: string): { getContext(k: string): unknown } } }).document;
  const Offscreen = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown } }).OffscreenCanvas;
  try {
    const canvas = Offscreen ? new Offscreen(1, 1) : doc?.createElement('canvas');
    if (!canvas) return 'no canvas (not a browser page or worker)';
    if (canvas.getContext('webgl2') || canvas.getContext('webgl')) return undefined;
    return 'the browser gave no WebGL context (GPU blocklisted or WebGL disabled)';
  } catch (err) {
    return `creating a WebGL context failed (${String(err)})`;
  }
}

async function setOrThrow(name: Exclude<BrowserBackendName, 'auto'>): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new BrowserBackendUnavailableError(`backend "${name}" failed to initialise: ${String(err)}`);
  }
  if (!ok) throw new BrowserBackendUnavailableError(`backend "${name}" failed to initialise (tf.setBackend returned false; see the console for tfjs's reason)`);
}

/**
 * Whether tfjs's synchronous read-back works on this WebGPU adapter. WebGPU cannot map a buffer
 * synchronously; tfjs copies it through a canvas instead. Measured here (headless Chromium 156,
 * SwiftShader adapter): that copy returns zeros, and afterwards every asynchronous read of the
 * device fails ("A valid external Instance reference no longer exists"), so it cannot even be
 * probed safely. SwiftShader (a CPU emulating a GPU) is therefore reported as without
 * synchronous read-back; hardware adapters are taken to have it, as tfjs documents.
 */
function syncReadbackWorks(info: { vendor: string; architecture: string; description: string }, fallback: boolean): boolean {
  return !(fallback || /swiftshader/i.test(`${info.architecture} ${info.description}`));
}

/**
 * On a webgpu without synchronous read-back, makes `dataSync`/`arraySync` of device data throw
 * a clear error instead of returning zeros and breaking the device. Values already on the host
 * (after `await t.data()`, or never uploaded) are still returned.
 */
function guardSyncReadback(adapter: string): void {
  const be = tf.backend() as unknown as { readSync(id: object): unknown; tensorMap?: { get(id: object): { values?: unknown } | undefined }; rlGuarded?: boolean };
  if (be.rlGuarded) return;
  be.rlGuarded = true;
  const orig = be.readSync.bind(be);
  be.readSync = (dataId: object) => {
    if (be.tensorMap?.get(dataId)?.values != null) return orig(dataId);
    throw new BrowserBackendUnavailableError(
      `synchronous read-back (dataSync/arraySync) is not available on this WebGPU adapter (${adapter}): tfjs's canvas copy returns zeros there and breaks the device. ` +
        `Read with \`await tensor.data()\`, or use backend "webgl".`,
    );
  };
}

interface Tried {
  readonly adapter: BrowserBackendInfo['adapter'];
  readonly syncReadback: boolean;
}

async function tryBackend(name: Exclude<BrowserBackendName, 'auto'>, opts: BrowserInitTfOptions, auto: boolean): Promise<Tried> {
  if (name === 'webgpu') {
    const adapter = await webgpuAdapter();
    await setOrThrow('webgpu');
    const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo().catch(() => undefined) : undefined);
    const described = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', description: info?.description ?? '' };
    const syncReadback = syncReadbackWorks(described, adapter.isFallbackAdapter === true || adapter.info?.isFallbackAdapter === true);
    if (!syncReadback && !auto) guardSyncReadback(`${described.vendor}/${described.architecture}`);
    if (!syncReadback && auto) {
      throw new BrowserBackendUnavailableError(
        `backend "webgpu": the adapter ${described.vendor}/${described.architecture} is a software fallback, on which tfjs's synchronous read-back (dataSync) returns zeros and breaks the device; the runner and trainer read synchronously. Ask for "webgpu" by name to use it with asynchronous reads only`,
      );
    }
    return { adapter: described, syncReadback };
  }
  if (name === 'webgl') {
    const why = webglAvailable();
    if (why) throw new BrowserBackendUnavailableError(`backend "webgl": ${why}; choose "wasm" or "cpu", or "auto" to fall back.`);
  }
  if (name === 'wasm' && opts.wasmPaths !== undefined && !wasmPathsSet) {
    setWasmPaths(opts.wasmPaths as Parameters<typeof setWasmPaths>[0]);
    wasmPathsSet = true;
  }
  await setOrThrow(name);
  return { adapter: undefined, syncReadback: true };
}

/**
 * Loads TensorFlow.js in a browser and selects a backend. `auto` tries webgpu, webgl, wasm,
 * then cpu and records why each skipped one failed (including a webgpu whose synchronous
 * read-back is broken, see {@link BrowserBackendInfo.syncReadback}); a backend asked for by name
 * that cannot start throws {@link BrowserBackendUnavailableError} (no silent fallback).
 *
 * @example
 * const info = await initTf({ backend: 'auto' });
 * info.backend; // 'webgpu' where the browser has an adapter, else 'webgl', …
 */
export async function initTf(opts: BrowserInitTfOptions = {}): Promise<BrowserBackendInfo> {
  const requested = opts.backend ?? 'auto';
  if (!BROWSER_BACKENDS.includes(requested)) {
    const node = requested === ('tensorflow' as string) || requested === ('tensorflow-gpu' as string);
    throw new RangeError(
      `initTf: unknown backend "${String(requested)}" in a browser; expected one of ${BROWSER_BACKENDS.join(', ')}` +
        (node ? ' (tensorflow and tensorflow-gpu are the Node-only tfjs-node backends)' : ''),
    );
  }
  const skipped: { backend: string; reason: string }[] = [];
  let tried: Tried = { adapter: undefined, syncReadback: true };
  if (requested === 'auto') {
    const order = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
    for (const name of order) {
      try {
        tried = await tryBackend(name, opts, true);
        break;
      } catch (err) {
        skipped.push({ backend: name, reason: err instanceof Error ? err.message : String(err) });
        if (name === 'cpu') throw err;
      }
    }
  } else {
    tried = await tryBackend(requested, opts, false);
  }
  await tf.ready();
  const { adapter, syncReadback } = tried;
  current = { backend: tf.getBackend(), requested, tfjsVersion: tf.version.tfjs, skipped, syncReadback, ...(adapter ? { adapter } : {}) };
  opts.log?.(`tfjs backend: ${current.backend}`, { backend: current.backend, requested, tfjs: current.tfjsVersion, syncReadback, ...(adapter ? { adapter } : {}) });
  return current;
}

/** The backend chosen by the last {@link initTf}, or undefined before it. */
export function backendInfo(): BrowserBackendInfo | undefined {
  return current;
}

export { tf };
