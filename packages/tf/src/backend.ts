import tf from './tfjs.cjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendUnavailableError } from './errors.js';
import { withoutAddedErrorHandlers } from './error_handlers.js';
import { initWebgpu, type WebgpuAdapter } from './webgpu_node.js';
import { bindTf } from './bound_tf.js';

const { setWasmPaths } = tf.wasm;
bindTf(tf);

/**
 * Backends `initTf` accepts in Node. `auto` picks the fastest one available; `webgpu` is the GPU
 * through Dawn (the optional package `webgpu`: Vulkan, Metal, D3D12); `tensorflow-gpu` and
 * `tensorflow` are the optional tfjs-node packages (CUDA, libtensorflow).
 */
export type BackendName = 'auto' | 'webgpu' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The names of all backends `initTf` accepts, for validation and `--help`. */
export const BACKENDS: readonly BackendName[] = ['auto', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The order `auto` tries (webgpu only on a hardware adapter). */
export const AUTO_ORDER: readonly Exclude<BackendName, 'auto'>[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The browser's WebGL backend: `initTf` of the browser entry (`src/index.browser.ts`) takes it. */
const BROWSER_ONLY: readonly string[] = ['webgl'];

/** Options of {@link initTf}. */
export interface InitTfOptions {
  /** Which backend to use; default `auto` (webgpu on a hardware adapter, then tfjs-node-gpu, tfjs-node, wasm, cpu). */
  readonly backend?: BackendName;
  /** Called once with a line saying which backend was chosen and what `auto` skipped and why (e.g. a pino logger's `info`). */
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Which backend is active and why. */
export interface BackendInfo {
  /** The tfjs backend name (`webgpu`, `tensorflow`, `wasm`, `cpu`). */
  readonly backend: string;
  /** What was asked for. */
  readonly requested: BackendName;
  /** The tfjs version (all `@tensorflow/*` packages are pinned to it). */
  readonly tfjsVersion: string;
  /** Backends `auto` tried and skipped, with the reason. */
  readonly skipped: readonly { readonly backend: string; readonly reason: string }[];
  /**
   * Whether synchronous read-back (`dataSync`) works: always true in Node — on webgpu through
   * Dawn's event processing (see `dawn_sync.ts`). The browser entry reports false for a webgpu
   * whose canvas read-back is broken.
   */
  readonly syncReadback: boolean;
  /** The WebGPU adapter in use, when the backend is `webgpu`. */
  readonly adapter?: WebgpuAdapter;
}

const NATIVE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let current: BackendInfo | undefined;

export { BackendUnavailableError };

/** Points the wasm backend at the .wasm files inside its own npm package, so nothing is fetched. */
export function localWasmDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(pkg), 'dist') + '/';
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const pkg = NATIVE[name];
  const fix = `pnpm add ${pkg}@${tf.version.tfjs}`;
  try {
    await import(pkg);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new BackendUnavailableError(
      `backend "${name}" needs the optional package ${pkg}, which could not be loaded (${why}). ` +
        `Install it with \`${fix}\` (its install script downloads libtensorflow), ` +
        `or choose --backend wasm or cpu.`,
      { backend: name, fix },
    );
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new BackendUnavailableError(`backend "${name}": ${pkg} loaded but the "tensorflow" backend failed to initialise`, { backend: name });
  }
}

async function trySimple(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') {
    setWasmPaths(pathToFileURL(localWasmDir()).pathname.replace(/^\/([A-Za-z]:)/, '$1'));
  }
  let ok = false;
  try {
    ok = await withoutAddedErrorHandlers(() => tf.setBackend(name)); // wasm: Emscripten's rethrowing error handlers removed
  } catch (err) {
    throw new BackendUnavailableError(`backend "${name}" failed to initialise: ${String(err)}`, { backend: name });
  }
  if (!ok) throw new BackendUnavailableError(`backend "${name}" failed to initialise`, { backend: name });
}

/**
 * Loads TensorFlow.js and selects a backend. Every package takes `tf` from `@rl/tf`, so one
 * tfjs instance is shared. Safe to call again: switching backend re-initialises.
 *
 * @example
 * const info = await initTf({ backend: 'wasm' });
 * info.backend; // 'wasm'
 */
export async function initTf(opts: InitTfOptions = {}): Promise<BackendInfo> {
  const requested = opts.backend ?? 'auto';
  if (BROWSER_ONLY.includes(requested)) {
    throw new BackendUnavailableError(
      `backend "${requested}" runs in a browser: bundle @rl/tf for the browser — its "browser" export condition — as the web app does (\`pnpm web\`). ` +
        `In Node choose one of ${BACKENDS.join(', ')} (webgpu is the GPU in Node).`,
      { backend: requested },
    );
  }
  if (!BACKENDS.includes(requested)) {
    throw new RangeError(`initTf: unknown backend "${String(requested)}"; expected one of ${BACKENDS.join(', ')}`);
  }
  const skipped: { backend: string; reason: string }[] = [];
  let adapter: WebgpuAdapter | undefined;
  const tryOne = async (name: Exclude<BackendName, 'auto'>, auto: boolean): Promise<void> => {
    if (name === 'webgpu') adapter = await initWebgpu({ auto });
    else if (name === 'wasm' || name === 'cpu') await trySimple(name);
    else await tryNative(name);
  };
  if (requested === 'auto') {
    for (const name of AUTO_ORDER) {
      try {
        await tryOne(name, true);
        break;
      } catch (err) {
        skipped.push({ backend: name, reason: err instanceof Error ? err.message : String(err) });
        if (name === 'cpu') throw err;
      }
    }
  } else {
    await tryOne(requested, false);
  }
  await tf.ready();
  current = { backend: tf.getBackend(), requested, tfjsVersion: tf.version.tfjs, skipped, syncReadback: true, ...(adapter ? { adapter } : {}) };
  const why = skipped.map((s) => `${s.backend} (${firstSentence(s.reason)})`).join('; ');
  opts.log?.(`tfjs backend: ${current.backend}${adapter ? ` on ${adapter.name}${adapter.software ? ' (software adapter: correctness, not speed)' : ''}` : ''}${why ? `; auto skipped ${why}` : ''}`, {
    backend: current.backend,
    requested,
    tfjs: current.tfjsVersion,
    ...(adapter ? { adapter } : {}),
    ...(skipped.length ? { skipped } : {}),
  });
  return current;
}

/** A reason's first sentence (without the `backend "x": ` prefix), for one log line. */
function firstSentence(reason: string): string {
  const s = reason.replace(/^backend "[^"]+"\s*:?\s*/, '');
  const end = s.search(/[.;](\s|$)/);
  return end > 0 ? s.slice(0, end) : s;
}

/** The backend chosen by the last {@link initTf}, or undefined before it. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export { tf };
