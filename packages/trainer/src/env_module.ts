/**
 * A run's `envModule`: the user's module that registers the run's env, imported before the env
 * id is looked up. Node only; the import is of a specifier in a variable, so the browser build
 * of the trainer never reaches `@rl/env/module` (node:fs, node:module).
 */
import type { EnvModule } from '@rl/env/module';

/**
 * Imports the env module at `path` (relative to the current directory) with `@rl/env/module`'s
 * `loadEnvModule` and checks that it leaves `expect` registered. `@rl/…` imports of a module
 * outside any project that installed them resolve as the trainer's own do, so the env lands in
 * the registry training uses. Throws `EnvModuleError` naming the file and what went wrong.
 *
 * @example
 * await importEnvModule('envs/reach.ts', 'Reach-v0'); // { path: '/home/me/envs/reach.ts', ids: ['Reach-v0'], … }
 */
export async function importEnvModule(path: string, expect?: string): Promise<EnvModule> {
  const specifier = '@rl/env/module';
  let mod: typeof import('@rl/env/module');
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as typeof import('@rl/env/module');
  } catch (err) {
    throw new Error(`envModule ${path}: env modules are imported in Node only (${(err as Error).message}); in a browser, import the module that registers the env before training`);
  }
  return mod.loadEnvModule(path, { ...(expect === undefined ? {} : { expect }), resolveFrom: import.meta.url });
}
