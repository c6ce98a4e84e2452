import { Option } from 'commander';
import { envConfigFile, readConfigFile } from './config.js';
import { flagHelp, parseFlagValue, type FieldFlag } from './schema-flags.js';

/** One-line help of each trainer field (the trainer's TSDoc, shortened); fields not listed show their name. */
export const FIELD_HELP: Readonly<Record<string, string>> = {
  env: 'registered env id',
  seed: 'seed of everything random (weights, envs, sampling)',
  numEnvs: 'N: envs stepped together as one batch',
  stepsPerIter: 'T: steps per env per iteration (steps mode)',
  totalSteps: 'stop after this many env steps (over all N envs)',
  mode: 'steps: T steps of N envs per iteration; episodes: N whole episodes per iteration',
  returnEstimator: 'weight of each step: whole-episode return or reward-to-go',
  gamma: 'discount γ',
  gaeLambda: 'λ of GAE (baseline gae)',
  baseline: 'baseline subtracted from the return',
  emaDecay: 'decay of the ema baseline',
  rewardScale: 'rewards are multiplied by this before returns are computed',
  normalizeAdvantages: 'normalise advantages per batch',
  entCoef: 'entropy bonus coefficient',
  valueLr: 'learning rate of the value network (baselines value, gae)',
  valueEpochs: 'value-loss gradient steps per iteration',
  lr: 'learning rate α of the policy',
  lrDecay: 'linear: α decays to 0 at totalSteps',
  optimizer: 'policy optimizer',
  maxGradNorm: 'clip the global gradient norm (0: off)',
  hidden: 'hidden layer widths of the policy and value MLPs',
  activation: 'hidden activation',
  logStdInit: 'initial log σ of Gaussian policies',
  normalizeObs: 'normalise observations with running statistics',
  backend: 'TensorFlow.js backend',
  envVectorization: 'how the N envs are stepped',
  targetReturn: 'stop once the recent mean return reaches this',
  returnWindow: 'episodes averaged for the recent mean return',
  evalEpisodes: 'evaluation episodes after training (0: none)',
};

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
 * Commander options for the trainer's fields, each saying its allowed values and its
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
    const help = flagHelp({ ...rest, description: f.description ?? FIELD_HELP[key] ?? key, defaultValue: undefined });
    const dtext = dv === undefined ? ' (default: none)' : ` (default: ${Array.isArray(dv) ? dv.join(',') : String(dv)}${fromFile ? ` from configs/${env}` : ''})`;
    const opt = new Option(`--${f.flag} ${arg}`, help + dtext);
    if (f.choices) opt.choices(f.choices);
    else opt.argParser((text: string) => parseFlagValue(f, text));
    if (f.kind === 'boolean') opt.preset('true');
    return opt;
  });
}
