/**
 * A user's env module: a JavaScript or TypeScript file that registers envs with
 * {@link register} when it is imported (`rl train --env-module my-env.ts`, the trainer's
 * `envModule`). Node only: the `@rl/env/module` entry.
 */
import { existsSync, statSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registeredIds } from './registry.js';

/** Thrown by {@link loadEnvModule}: names the module file and what went wrong. */
export class EnvModuleError extends Error {
  override readonly name = 'EnvModuleError';
  constructor(
    /** Absolute path of the module. */
    readonly path: string,
    /** What went wrong, without the path. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`env module ${path}: ${reason}`, options);
  }
}

/** What {@link loadEnvModule} loaded. */
export interface EnvModule {
  /** Absolute path of the file. */
  readonly path: string;
  /** Its file URL (the key of Node's module cache). */
  readonly url: string;
  /** The env ids importing it registered (empty when something had imported it before). */
  readonly ids: readonly string[];
}

/** Options of {@link loadEnvModule}. */
export interface LoadEnvModuleOptions {
  /** An env id the module must leave registered (e.g. a run's `env`). */
  readonly expect?: string;
  /**
   * A module URL from which `@rl/…` packages resolve when the env module's own location has
   * none of them (a file outside any project that installed them): the caller's
   * `import.meta.url`. This package's own location is always tried last.
   */
  readonly resolveFrom?: string | URL;
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Whether `path` names a TypeScript file (which Node imports only with a loader such as tsx). */
export const isTypeScriptFile = (path: string): boolean => TYPESCRIPT.has(extname(path).toLowerCase());

/**
 * Module-resolution hooks for env modules (Node's `module.register`, run on its loader thread):
 * - a module this file imports (an env module), and the TypeScript files it imports in turn,
 *   load as ES modules even where no package.json says `"type": "module"` (tsx would otherwise
 *   compile them to CommonJS, whose `require` resolves packages another way);
 * - an `@rl/…` import that does not resolve from the importing file resolves from `data.from`
 *   instead (one hook per such location), so an env module anywhere on disk registers its envs
 *   in the registry of the process that loads it.
 */
const HOOKS = `let data;
export function initialize(d) { data = d; }
const esm = new Set();
export async function resolve(specifier, context, next) {
  let r;
  try {
    r = await next(specifier, context);
  } catch (err) {
    if (!specifier.startsWith('@rl/') || err?.code !== 'ERR_MODULE_NOT_FOUND' || !data.from) throw err;
    r = await next(specifier, { ...context, parentURL: data.from });
  }
  if (!data.loader || !r.url.startsWith('file:')) return r;
  // the file itself, without the query tsx adds to a file it has taken for CommonJS
  const file = new URL(r.url);
  file.search = '';
  file.pathname = file.pathname.replace(/%3Ftsx-[^/]*$/i, '');
  if (/\\.c[jt]s$/i.test(file.pathname)) return r;
  const parent = context.parentURL;
  if (parent === data.loader || (esm.has(parent) && /\\.(ts|tsx|mts)$/i.test(file.pathname) && !file.pathname.includes('/node_modules/'))) {
    esm.add(file.href);
    // undefined: no loader takes the file (TypeScript without tsx), and Node's own error says so
    if (r.format !== undefined && r.format !== 'module') return { ...r, url: file.href, format: 'module' };
  }
  return r;
}`;

const hooked = new Set<string>();

/** Registers the hooks of `data` (a module URL of their own: Node runs one instance per URL). */
function hook(data: { from: string; loader?: string }): void {
  registerHooks(`data:text/javascript,${encodeURIComponent(`${HOOKS}\n// from ${data.from}`)}`, { data });
}

/** Registers the hooks once (ES modules, fallback from this package), and one fallback hook per other location. */
function installHooks(resolveFrom: string | undefined): void {
  if (hooked.size === 0) hook({ from: import.meta.url, loader: import.meta.url });
  hooked.add(import.meta.url);
  if (resolveFrom === undefined || hooked.has(resolveFrom)) return;
  hooked.add(resolveFrom);
  hook({ from: resolveFrom });
}

const loaded = new Map<string, Promise<readonly string[]>>();

function importReason(err: unknown, path: string): string {
  const e = err as { code?: string; message?: string };
  const msg = String(e?.message ?? err);
  if (e?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && isTypeScriptFile(path)) {
    return 'cannot import TypeScript in this process: run it under tsx (`pnpm tsx script.ts`, `node --import tsx …`) or compile the module to JavaScript';
  }
  if (/is already registered/.test(msg)) {
    return `cannot import it: ${msg} (either another module registers the same id, or this module was loaded a second time through another path or copy of @rl/env)`;
  }
  if (/Cannot use import statement outside a module|require is not defined in ES module scope/.test(msg)) {
    return `cannot import it: ${msg} (an env module is an ES module: name it .mjs, or add "type": "module" to its package.json)`;
  }
  return `cannot import it: ${msg}`;
}

/**
 * Imports an env module (relative paths resolve against the current directory) and checks
 * what it registered: it must register at least one env, and `expect` when given. Importing the
 * same file again is a no-op (Node's module cache), so every part of a process may call this
 * with the module it needs. A TypeScript file needs a loader in this process (tsx); without
 * one the error says so. Throws {@link EnvModuleError} naming the file.
 *
 * @example
 * import { loadEnvModule } from '@rl/env/module';
 * const { ids } = await loadEnvModule('./reach-env.js', { expect: 'Reach-v0' }); // ['Reach-v0']
 * makeVec('Reach-v0', 8);
 */
export async function loadEnvModule(path: string, opts: LoadEnvModuleOptions = {}): Promise<EnvModule> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`loadEnvModule: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const abs = resolve(path);
  if (!existsSync(abs)) throw new EnvModuleError(abs, 'no such file');
  if (statSync(abs).isDirectory()) throw new EnvModuleError(abs, 'is a directory; give the module file itself (e.g. my-env.ts)');
  const url = pathToFileURL(abs).href;
  installHooks(opts.resolveFrom === undefined ? undefined : String(opts.resolveFrom));
  let pending = loaded.get(url);
  if (!pending) {
    const before = new Set(registeredIds());
    pending = import(/* @vite-ignore */ url).then(
      () => registeredIds().filter((id) => !before.has(id)),
      (err: unknown) => {
        throw new EnvModuleError(abs, importReason(err, abs), { cause: err });
      },
    );
    loaded.set(url, pending);
  }
  const ids = await pending;
  const registered = registeredIds();
  if (opts.expect !== undefined ? registered.includes(opts.expect) : ids.length > 0) return { path: abs, url, ids };
  if (ids.length > 0) throw new EnvModuleError(abs, `registers ${ids.join(', ')}, not env id "${opts.expect}"`);
  const call = opts.expect === undefined ? 'register(id, …)' : `register(${JSON.stringify(opts.expect)}, …)`;
  throw new EnvModuleError(
    abs,
    `registers no env: importing it must call ${call} of @rl/env, the copy this process uses (${fileURLToPath(new URL('.', import.meta.url))}); registered ids: ${registered.join(', ')}`,
  );
}
