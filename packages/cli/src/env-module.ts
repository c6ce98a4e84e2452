/**
 * A user's env module on the command line: `--env-module FILE` of `rl train`, `resume`, `eval`,
 * `serve` and `check-env`, and the `envModule` a run's config.json records. `rl train` records
 * the module's absolute path, so later commands on the run find it from any directory; a
 * relative path in a config.json (written by hand, or by a run moved with its module) is
 * relative to the run directory. A flag always wins over the recorded path.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { CliError } from './errors.js';
import { RUN_FILES } from './rundir.js';
import { enableTypeScript } from './typescript.js';

/** An env module to load and where its path came from (for the errors). */
export interface EnvModuleRef {
  /** Absolute path of the module file. */
  readonly path: string;
  /** The path as given. */
  readonly given: string;
  /** Where it was given: `--env-module`, a config file's `envModule`, or the run's config.json. */
  readonly source: string;
  /** Whether the path is the one a run recorded (not a flag or config file of this command). */
  readonly recorded: boolean;
}

/** The module of `--env-module PATH` (relative to the current directory), or of a --config file's `envModule`. */
export function givenEnvModule(path: string, source = '--env-module'): EnvModuleRef {
  return { path: resolve(path), given: path, source, recorded: false };
}

/**
 * The env module a command on the run in `dir` uses: the flag's, else the `envModule` its
 * config.json records (resolved against the run directory when relative), else none.
 */
export function runEnvModule(dir: string, config: Record<string, unknown>, flag: unknown): EnvModuleRef | undefined {
  if (typeof flag === 'string') return givenEnvModule(flag);
  const recorded = config.envModule;
  if (typeof recorded !== 'string' || recorded.length === 0) return undefined;
  return { path: isAbsolute(recorded) ? recorded : resolve(dir, recorded), given: recorded, source: `${join(dir, RUN_FILES.config)}: envModule`, recorded: true };
}

/** What to add to "unknown env id": it may be the user's own (or a file given as the id), which --env-module loads. */
export function userEnvHint(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) return '';
  if (/[\\/]|\.(m?[jt]s|tsx)$/i.test(value)) return `; a file is given with --env-module ${value}, with the id it registers as the env`;
  return '; an env of your own: --env-module FILE, a .ts or .js file that registers it';
}

/**
 * Imports the module (a TypeScript one through tsx) and checks that it leaves `expect`
 * registered. Throws a {@link CliError} that names where the path came from, the file and what
 * went wrong (missing, failed to import, registered nothing or another id).
 */
export async function loadEnvModuleFor(ref: EnvModuleRef, expect?: string): Promise<readonly string[]> {
  const { EnvModuleError, isTypeScriptFile, loadEnvModule } = await import('@rl/env/module');
  if (isTypeScriptFile(ref.path)) await enableTypeScript();
  try {
    // @rl packages a module outside any project imports resolve as the trainer's own (every one training uses)
    const m = await loadEnvModule(ref.path, { ...(expect === undefined ? {} : { expect }), resolveFrom: import.meta.resolve('@rl/trainer') });
    return m.ids;
  } catch (err) {
    if (!(err instanceof EnvModuleError)) throw err;
    const moved = ref.recorded && err.reason === 'no such file' ? ' (the run was trained with it: give --env-module FILE where it is now)' : '';
    throw new CliError(`${ref.source} ${ref.given}${ref.given === ref.path ? '' : ` (${ref.path})`}: ${err.reason}${moved}`);
  }
}

/**
 * A run's config.json as the trainer takes it: its env module (`flag`, else the recorded one)
 * imported first, checked to register the run's env, its path made absolute.
 */
export async function withRunEnvModule(dir: string, config: Record<string, unknown>, flag: unknown): Promise<Record<string, unknown>> {
  const ref = runEnvModule(dir, config, flag);
  if (!ref) return config;
  await loadEnvModuleFor(ref, typeof config.env === 'string' ? config.env : undefined);
  return { ...config, envModule: ref.path };
}
