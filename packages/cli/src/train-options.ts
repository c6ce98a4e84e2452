/**
 * The flags of `rl train` that come from schemas: one per trainer config field
 * (`trainConfigSchema`) and one per distributed run option (`distributedRunSchema`, used with
 * `--distributed`), each with the schema's help text, allowed values and default. Loaded only
 * for `rl train` / `rl help train` (it pulls in the trainer).
 */
import { InvalidArgumentError, Option } from 'commander';
import { distributedRunSchema } from '@rl/distributed/config';
import { DEFAULT_CONFIG, flagHelp, parseFlagValue, schemaFlags, setPath, trainConfigSchema, type FieldFlag } from '@rl/trainer';
import { envConfigFile, readConfigFile } from './config.js';
import { camel } from './flag-names.js';

/** Trainer fields the CLI does not expose as flags (its own logging replaces them). */
export const HIDDEN_FIELDS: readonly string[] = ['logLevel'];

/** The env whose `configs/<env>.*` defaults `--help` shows: `--env X` on the command line, else CartPole-v1. */
export function helpEnv(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--env' || a.startsWith('--env='));
  if (i < 0) return 'CartPole-v1';
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[i + 1] ?? 'CartPole-v1');
}

/** A commander option for a schema flag: the schema's help, the default text, its parser (errors as commander's). */
function schemaOption(f: FieldFlag, prefix: string, defaultText: string): Option {
  const arg = f.kind === 'boolean' ? '[bool]' : f.kind === 'number[]' ? '<list>' : f.kind === 'enum' ? '<value>' : f.kind === 'int' ? '<n>' : f.kind === 'number' ? '<x>' : '<value>';
  const { choices: _shownByCommander, ...rest } = f;
  const help = flagHelp({ ...rest, description: f.description ?? f.path.join('.'), defaultValue: undefined, defaultText: undefined });
  const opt = new Option(`--${f.flag} ${arg}`, `${prefix}${help} (default: ${defaultText})`);
  if (f.choices) opt.choices(f.choices);
  else {
    opt.argParser((text: string) => {
      try {
        return parseFlagValue(f, text);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    });
  }
  if (f.kind === 'boolean') opt.preset('true');
  return opt;
}

const shown = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/**
 * Commander options for the trainer's fields, each with the schema's description, its allowed
 * values and its default (the trainer's, or the env's `configs/` file's where that sets it).
 * No commander defaults are set, so only flags actually given override the config files.
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
    return schemaOption(f, '', dv === undefined ? 'none' : `${shown(dv)}${fromFile ? ` from configs/${env}` : ''}`);
  });
}

/** Commander options for the distributed run fields (only with `--distributed`). */
export function distributedOptions(flags: readonly FieldFlag[]): Option[] {
  return flags.map((f) => schemaOption(f, 'distributed: ', f.defaultText ?? (f.defaultValue === undefined ? 'none' : shown(f.defaultValue))));
}

/** What the `train` command needs from the schemas (see `buildProgram`). */
export interface TrainerFlagSource {
  /** The trainer config fields as flags. */
  readonly flags: readonly FieldFlag[];
  /** The distributed run fields as flags. */
  readonly distributedFlags: readonly FieldFlag[];
  /** Their commander options, trainer fields first. */
  readonly options: readonly Option[];
}

/** The flags and options of `rl train`, with the defaults of `argv`'s `--env` (see {@link helpEnv}). */
export function trainFlagSource(argv: readonly string[]): TrainerFlagSource {
  const flags = schemaFlags(trainConfigSchema, HIDDEN_FIELDS);
  const distributedFlags = schemaFlags(distributedRunSchema);
  return { flags, distributedFlags, options: [...trainerOptions(flags, DEFAULT_CONFIG as unknown as Record<string, unknown>, helpEnv(argv)), ...distributedOptions(distributedFlags)] };
}

/** The schema flags given on the command line (commander's parsed `opts`), as a partial record of the schema. */
export function flagConfig(opts: Record<string, unknown>, flags: readonly FieldFlag[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const v = opts[camel(f.flag)];
    if (v !== undefined) setPath(out, f.path, v);
  }
  return out;
}
