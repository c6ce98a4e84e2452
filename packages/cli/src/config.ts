import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.js';

/** The repo's per-env default configs: `configs/<env>.yaml|yml|json` (override with RL_CONFIGS_DIR). */
export const CONFIGS_DIR = process.env.RL_CONFIGS_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'configs');

/** `yaml`'s parser, loaded on first use: the configs in configs/ are JSON, and loading yaml costs ~35 ms of CPU at start-up. */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

/**
 * Reads a config file (YAML for `.yaml`/`.yml`, else JSON) that must hold one object of
 * fields. Keys starting with `$` (e.g. `"$comment"`, JSON's only way to comment) are dropped.
 * Throws a {@link CliError} naming the file when it is missing, unparsable or not an object.
 */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new CliError(`config file ${path}: not found`);
  if (statSync(path).isDirectory()) throw new CliError(`config file ${path}: is a directory; give a YAML (.yaml, .yml) or JSON file`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const ext = extname(path).toLowerCase();
  let value: unknown;
  try {
    value = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new CliError(`config file ${path}: cannot parse as ${ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON'} (${msg})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`config file ${path}: must hold an object of config fields, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')));
}

/** The repo's default config file for an env (`configs/<env>.yaml`, `.yml` or `.json`), if there is one. */
export function envConfigFile(env: string, dir: string = CONFIGS_DIR): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(env)) return undefined;
  return ['.yaml', '.yml', '.json'].map((ext) => join(dir, `${env}${ext}`)).find((p) => existsSync(p));
}

/** Where each layer of a config came from, lowest precedence first. */
export interface ConfigLayers {
  /** The env's default file in `configs/`, if any. */
  readonly envFile?: string;
  /** The user's `--config FILE`, if given. */
  readonly userFile?: string;
  /** env defaults file < user file < flags; the trainer's defaults fill the rest. */
  readonly partial: Record<string, unknown>;
}

/**
 * Layers a config: trainer defaults (filled in later by the trainer) < `configs/<env>.*` <
 * `--config FILE` < flags. The env is the flag's, else the user file's, else `fallbackEnv`.
 */
export function layerConfig(
  flags: Record<string, unknown>,
  userFile: string | undefined,
  fallbackEnv: string,
  merge: (...s: Record<string, unknown>[]) => Record<string, unknown>,
  configsDir: string = CONFIGS_DIR,
): ConfigLayers {
  const user = userFile ? readConfigFile(userFile) : {};
  const env = (flags.env ?? user.env ?? fallbackEnv) as unknown;
  const envFile = typeof env === 'string' ? envConfigFile(env, configsDir) : undefined;
  const defaults = envFile ? readConfigFile(envFile) : {};
  return { ...(envFile ? { envFile } : {}), ...(userFile ? { userFile } : {}), partial: merge(defaults, user, flags) };
}
