/**
 * Builds the web app or the browser test harness with Vite. Resolution takes the `browser`
 * export condition of the @rl packages (their browser entries) and the `source` condition
 * (TypeScript sources, so nothing runs against a stale build). The wasm backend's `.wasm`
 * files are copied to `tfjs-wasm/` beside the bundle, so the page never fetches from a CDN.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localWasmDir } from '@rl/tf';
import { build, type Plugin } from 'vite';

/** The apps/web directory. */
export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the `.wasm` files of the wasm backend sit, relative to the page (pass as `wasmPaths`). */
export const WASM_SUBDIR = 'tfjs-wasm/';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

function tfjsWasmFiles(): Plugin {
  return {
    name: 'rl-tfjs-wasm-files',
    generateBundle() {
      const dir = localWasmDir();
      for (const f of WASM_FILES) this.emitFile({ type: 'asset', fileName: WASM_SUBDIR + f, source: readFileSync(join(dir, f)) });
    },
  };
}

/** Options of {@link buildBundle}. */
export interface BuildBundleOptions {
  /** `app`: the web app (apps/web/index.html); `harness`: the page the browser tests and benchmark drive. */
  readonly which: 'app' | 'harness';
  /** Output directory (emptied first). */
  readonly outDir: string;
  /** Minify (default true for the app, false for the harness: readable stack traces). */
  readonly minify?: boolean;
}

/**
 * Bundles the app or the harness into `outDir` (index.html + assets + tfjs-wasm/).
 *
 * @example
 * await buildBundle({ which: 'app', outDir: 'apps/web/dist' });
 */
export async function buildBundle(opts: BuildBundleOptions): Promise<string> {
  const root = opts.which === 'app' ? WEB_DIR : join(WEB_DIR, 'harness');
  const outDir = resolve(opts.outDir);
  await build({
    root,
    base: './',
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    publicDir: false,
    resolve: { conditions: ['browser', 'source', 'module', 'development|production'] },
    plugins: [tfjsWasmFiles()],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: opts.minify ?? opts.which === 'app',
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 8000,
    },
  });
  return outDir;
}
