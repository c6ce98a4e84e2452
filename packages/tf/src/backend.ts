import tf from './tfjs.cjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { setWasmPaths } = tf.wasm;

/** Backends `initTf` accepts. `auto` picks the fastest one available. */
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The names of all backends `initTf` accepts, for validation and `--help`. */
export const BACKENDS: readonly BackendName[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The browser's GPU backends: `initTf` of the browser entry (`src/index.browser.ts`) takes them. */
const BROWSER_ONLY: readonly string[] = ['webgpu', 'webgl'];

/** Options of {@link initTf}. */
export interface InitTfOptions {
  /** Which backend to use; default `auto` (tfjs-node-gpu, then tfjs-node, then wasm, then cpu). */
  readonly backend?: BackendName;
  /** Called once with a line saying which backend was chosen (e.g. a pino logger's `info`). */
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Which backend is active and why. */
export interface BackendInfo {
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  readonly backend: string;
  /** What was asked for. */
  readonly requested: BackendName;
  /** The tfjs version (all `@tensorflow/*` packages are pinned to it). */
  readonly tfjsVersion: string;
  /** Backends `auto` tried and skipped, with the reason. */
  readonly skipped: readonly { readonly backend: string; readonly reason: string }[];
  /** Whether synchronous read-back (`dataSync`) works: always true in Node (the browser entry reports it for webgpu). */
  readonly syncReadback: boolean;
}

const NATIVE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let current: BackendInfo | undefined;

/** Thrown when a requested backend cannot be loaded; the message says which package to install. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

/** Points the wasm backend at the .wasm files inside its own npm package, so nothing is fetched. */
export function localWasmDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(pkg), 'dist') + '/';
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const pkg = NATIVE[name];
  try {
    await import(pkg);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new BackendUnavailableError(
      `backend "${name}" needs the optional package ${pkg}, which could not be loaded (${why}). ` +
        `Install it with \`pnpm add ${pkg}@${tf.version.tfjs}\` (its install script downloads libtensorflow), ` +
        `or choose --backend wasm or cpu.`,
    );
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new BackendUnavailableError(`backend "${name}": ${pkg} loaded but the "tensorflow" backend failed to initialise`);
  }
}

async function trySimple(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') {
    setWasmPaths(pathToFileURL(localWasmDir()).pathname.replace(/^\/([A-Za-z]:)/, '$1'));
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new BackendUnavailableError(`backend "${name}" failed to initialise: ${String(err)}`);
  }
  if (!ok) throw new BackendUnavailableError(`backend "${name}" failed to initialise`);
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
      `backend "${requested}" runs in a browser (WebGPU / WebGL): bundle @rl/tf for the browser — its "browser" export condition — as the web app does (\`pnpm web\`). ` +
        `In Node choose one of ${BACKENDS.join(', ')}.`,
    );
  }
  if (!BACKENDS.includes(requested)) {
    throw new RangeError(`initTf: unknown backend "${String(requested)}"; expected one of ${BACKENDS.join(', ')}`);
  }
  const skipped: { backend: string; reason: string }[] = [];
  if (requested === 'auto') {
    const order = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
    for (const name of order) {
      try {
        if (name === 'wasm' || name === 'cpu') await trySimple(name);
        else await tryNative(name);
        break;
      } catch (err) {
        skipped.push({ backend: name, reason: err instanceof Error ? err.message : String(err) });
        if (name === 'cpu') throw err;
      }
    }
  } else if (requested === 'wasm' || requested === 'cpu') {
    await trySimple(requested);
  } else {
    await tryNative(requested);
  }
  await tf.ready();
  current = { backend: tf.getBackend(), requested, tfjsVersion: tf.version.tfjs, skipped, syncReadback: true };
  opts.log?.(`tfjs backend: ${current.backend}`, { backend: current.backend, requested, tfjs: current.tfjsVersion });
  return current;
}

/** The backend chosen by the last {@link initTf}, or undefined before it. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export { tf };
