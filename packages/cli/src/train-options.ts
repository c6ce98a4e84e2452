import { Option } from 'commander';
import { envConfigFile, readConfigFile } from './config.js';
import { flagHelp, parseFlagValue, type FieldFlag } from './schema-flags.js';

/** Trainer fields the CLI does not expose as flags (its own logging replaces them). */
export const HIDDEN_FIELDS: readonly string[] = ['logLevel'];

/** The env whose `configs/<env>.*` defaults `--help` shows: `--env X` on the command line, else CartPole-v1. */
export function helpEnv(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--env' || a.startsWith('--env='));
  if (i < 0) return 'CartPole-v1';
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[i + 1] ?? 'CartPole-v1');
}

/**
 * Commander options for the trainer's fields, each with the schema's description (`.describe()`
 * in the trainer's config), its allowed values and its
 * default (the trainer's, or the env's `configs/` file's where that sets it). No commander
 * defaults are set, so only flags actually given override the config files.
 */
export function trainerOptions(flags: readonly FieldFlag[], defaults: Readonly<Record<string, unknown>>, env: string): Option[] {
  let envDefaults: Record<string, unknown> = {};
  const file = envConfigFile(env);
  try {
    if (file) envDefaults = readConfigFile(file);
  } catch {
    envDefaults = {};
  }
  return flags.map((f) => {
    const key = f.path.join('.');
    const fromFile = key in envDefaults;
    const dv = fromFile ? envDefaults[key] : defaults[key];
    const arg = f.kind === 'boolean' ? '[bool]' : f.kind === 'number[]' ? '<list>' : f.kind === 'enum' ? '<value>' : f.kind === 'int' ? '<n>' : f.kind === 'number' ? '<x>' : '<value>';
    const { choices: _shownByCommander, ...rest } = f;
    const help = flagHelp({ ...rest, description: f.description ?? key, defaultValue: undefined });
    const dtext = dv === undefined ? ' (default: none)' : ` (default: ${Array.isArray(dv) ? dv.join(',') : String(dv)}${fromFile ? ` from configs/${env}` : ''})`;
    const opt = new Option(`--${f.flag} ${arg}`, help + dtext);
    if (f.choices) opt.choices(f.choices);
    else opt.argParser((text: string) => parseFlagValue(f, text));
    if (f.kind === 'boolean') opt.preset('true');
    return opt;
  });
}
