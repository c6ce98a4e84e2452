/**
 * The hyperparameters of a training run: one typed record, each field with a one-line doc and
 * its default. The zod schema below is written once from it and reports every bad field at once.
 */
import { z } from 'zod';
import { BACKENDS, type BackendName } from '@rl/tf';

/** How each step of a trajectory is weighted before the baseline is subtracted. */
export type ReturnEstimator = 'totalReturn' | 'rewardToGo';
/** What is subtracted from the return: see {@link TrainConfig.baseline}. */
export type BaselineKind = 'none' | 'mean' | 'ema' | 'value' | 'gae';
/** Log levels of the trainer's pino logger. */
export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The hyperparameters of a REINFORCE run. Every field has a default (see {@link DEFAULT_CONFIG}). */
export interface TrainConfig {
  /** Registered env id, e.g. `CartPole-v1`. Default `CartPole-v1`. */
  readonly env: string;
  /** Seed of everything random (weights, envs, action sampling). Default 1. */
  readonly seed: number;
  /** N: envs stepped together as one batch. Default 16. */
  readonly numEnvs: number;
  /** T: steps per env per iteration in `steps` mode (the cap on episode length in `episodes` mode is the env's time limit). Default 64. */
  readonly stepsPerIter: number;
  /** Stop after this many env steps (summed over the N envs). Default 1,000,000. */
  readonly totalSteps: number;
  /** `steps`: T steps of N envs per iteration, episodes continue across iterations; `episodes`: N whole episodes per iteration (the seed's estimator). Default `steps`. */
  readonly mode: 'steps' | 'episodes';
  /** Weight of each step: `totalReturn` R(τ) of its whole episode (the seed's) or `rewardToGo` (causality). Default `rewardToGo`. */
  readonly returnEstimator: ReturnEstimator;
  /** Discount γ ∈ [0, 1]. Default 0.99. */
  readonly gamma: number;
  /** λ ∈ [0, 1] of GAE (baseline `gae` only). Default 0.95. */
  readonly gaeLambda: number;
  /** Baseline b subtracted from the return: `none`, batch `mean`, `ema` of past batch means, learned `value` V(s), or `gae` (GAE-λ on the learned V). Default `mean`. */
  readonly baseline: BaselineKind;
  /** Decay of the `ema` baseline (b ← decay·b + (1 − decay)·mean return). Default 0.9. */
  readonly emaDecay: number;
  /** Rewards are multiplied by this before returns and value targets are computed (metrics stay unscaled). Default 1. */
  readonly rewardScale: number;
  /** Normalise advantages to zero mean and unit standard deviation per batch. Default true. */
  readonly normalizeAdvantages: boolean;
  /** Entropy bonus coefficient (per step). Default 0. */
  readonly entCoef: number;
  /** Learning rate of the value network's own Adam (baselines `value`, `gae`). Default 1e-3. */
  readonly valueLr: number;
  /** Gradient steps on the value MSE per iteration (full batch). Default 1. */
  readonly valueEpochs: number;
  /** Learning rate α of the policy optimizer. Default 1e-3. */
  readonly lr: number;
  /** `linear`: α decays linearly to 0 at `totalSteps`; `none`: constant. Default `none`. */
  readonly lrDecay: 'none' | 'linear';
  /** Policy optimizer. Default `adam`. */
  readonly optimizer: 'adam' | 'sgd';
  /** Clip the global norm of ∇θJ to this value; 0 disables clipping. Default 0. */
  readonly maxGradNorm: number;
  /** Hidden layer widths of the policy and value MLPs. Default [64, 64]. */
  readonly hidden: readonly number[];
  /** Hidden activation. Default `tanh`. */
  readonly activation: 'tanh' | 'relu';
  /** Initial log σ of Gaussian policies (continuous actions). Default 0. */
  readonly logStdInit: number;
  /** Normalise observations with running statistics (stored in the policy). Default false. */
  readonly normalizeObs: boolean;
  /** TensorFlow.js backend. Default `wasm`. */
  readonly backend: BackendName;
  /** How the N envs are stepped: `native` batched loop, `generic` N scalar envs, or `tensor` (dynamics as tf ops, the runner's tensor-native envs). Default `native`. */
  readonly envVectorization: 'native' | 'generic' | 'tensor';
  /** Stop early once the mean return of the last `returnWindow` episodes reaches this (undefined: never). Default undefined. */
  readonly targetReturn: number | undefined;
  /** Episodes averaged for `returnMean` in the metrics. Default 20. */
  readonly returnWindow: number;
  /** Episodes of the evaluation after training (0: none). Default 10. */
  readonly evalEpisodes: number;
  /** pino level. Default: the RL_LOG_LEVEL env var, else `info`. */
  readonly logLevel: LogLevel;
  /** Rollout worker threads (Node only, `steps` mode, JS envs): 1 steps the envs in the trainer's thread; k > 1 or `auto` (one per core, at most N) shards the N envs across k `worker_threads` with `createWorkerRunner`. Default 1. */
  readonly workers: number | 'auto';
}

const LOG_LEVELS: readonly LogLevel[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** The defaults of every field. */
export const DEFAULT_CONFIG: TrainConfig = Object.freeze({
  env: 'CartPole-v1',
  seed: 1,
  numEnvs: 16,
  stepsPerIter: 64,
  totalSteps: 1_000_000,
  mode: 'steps',
  returnEstimator: 'rewardToGo',
  gamma: 0.99,
  gaeLambda: 0.95,
  baseline: 'mean',
  emaDecay: 0.9,
  rewardScale: 1,
  normalizeAdvantages: true,
  entCoef: 0,
  valueLr: 1e-3,
  valueEpochs: 1,
  lr: 1e-3,
  lrDecay: 'none',
  optimizer: 'adam',
  maxGradNorm: 0,
  hidden: Object.freeze([64, 64]),
  activation: 'tanh',
  logStdInit: 0,
  normalizeObs: false,
  backend: 'wasm',
  envVectorization: 'native',
  targetReturn: undefined,
  returnWindow: 20,
  evalEpisodes: 10,
  logLevel: defaultLogLevel(),
  workers: 1,
} satisfies TrainConfig);

function defaultLogLevel(): LogLevel {
  const v = typeof process === 'undefined' ? undefined : process.env.RL_LOG_LEVEL; // no `process` in a browser
  return LOG_LEVELS.includes(v as LogLevel) ? (v as LogLevel) : 'info';
}

const posInt = (what: string) => z.number({ error: `must be ${what}` }).int(`must be ${what}`).min(1, `must be ${what}`);
const inUnit = z.number({ error: 'must be a number in [0, 1]' }).min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');
const nonNeg = z.number({ error: 'must be a finite number ≥ 0' }).min(0, 'must be ≥ 0').finite('must be finite');
const positive = z.number({ error: 'must be a finite number > 0' }).gt(0, 'must be > 0').finite('must be finite');
const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });

/** The zod schema of a full {@link TrainConfig} (unknown fields are errors); each field's `.describe()` is its one-line doc (the CLI's flag help). */
export const trainConfigSchema = z.strictObject({
  env: z.string({ error: 'must be a registered env id (string)' }).min(1, 'must be a registered env id').describe('Registered env id, e.g. `CartPole-v1`.'),
  seed: z.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must be an integer ≥ 0').max(2 ** 31 - 1, 'must be < 2^31').describe('Seed of everything random (weights, envs, action sampling).'),
  numEnvs: posInt('an integer ≥ 1').describe('N: envs stepped together as one batch.'),
  stepsPerIter: posInt('an integer ≥ 1').describe('T: steps per env per iteration in `steps` mode.'),
  totalSteps: posInt('an integer ≥ 1').describe('Stop after this many env steps (summed over the N envs).'),
  mode: oneOf(['steps', 'episodes']).describe('`steps`: T steps of N envs per iteration, episodes continue across iterations; `episodes`: N whole episodes per iteration.'),
  returnEstimator: oneOf(['totalReturn', 'rewardToGo']).describe('Weight of each step: `totalReturn` R(τ) of its whole episode or `rewardToGo`.'),
  gamma: inUnit.describe('Discount γ.'),
  gaeLambda: inUnit.describe('λ of GAE (baseline `gae` only).'),
  baseline: oneOf(['none', 'mean', 'ema', 'value', 'gae']).describe('Baseline subtracted from the return: none, batch mean, ema of batch means, learned value V(s), or gae.'),
  emaDecay: z.number({ error: 'must be a number in [0, 1)' }).min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').describe('Decay of the `ema` baseline.'),
  rewardScale: positive.describe('Rewards are multiplied by this before returns and value targets (metrics stay unscaled).'),
  normalizeAdvantages: z.boolean({ error: 'must be true or false' }).describe('Normalise advantages to zero mean and unit std per batch.'),
  entCoef: nonNeg.describe('Entropy bonus coefficient (per step).'),
  valueLr: positive.describe('Learning rate of the value network (baselines `value`, `gae`).'),
  valueEpochs: posInt('an integer ≥ 1').describe('Gradient steps on the value MSE per iteration.'),
  lr: positive.describe('Learning rate α of the policy optimizer.'),
  lrDecay: oneOf(['none', 'linear']).describe('`linear`: α decays linearly to 0 at `totalSteps`; `none`: constant.'),
  optimizer: oneOf(['adam', 'sgd']).describe('Policy optimizer.'),
  maxGradNorm: nonNeg.describe('Clip the global norm of ∇θJ to this (0: no clipping).'),
  hidden: z.array(posInt('an integer ≥ 1'), { error: 'must be an array of layer widths' }).min(1, 'must list at least one hidden layer').describe('Hidden layer widths of the policy and value MLPs.'),
  activation: oneOf(['tanh', 'relu']).describe('Hidden activation.'),
  logStdInit: z.number({ error: 'must be a finite number' }).finite('must be finite').describe('Initial log σ of Gaussian policies (continuous actions).'),
  normalizeObs: z.boolean({ error: 'must be true or false' }).describe('Normalise observations with running statistics (stored in the policy).'),
  backend: oneOf(BACKENDS as [BackendName, ...BackendName[]]).describe('TensorFlow.js backend.'),
  envVectorization: oneOf(['native', 'generic', 'tensor']).describe('How the N envs are stepped: `native` batched loop, `generic` N scalar envs, or `tensor` (dynamics as tf ops).'),
  targetReturn: z.number({ error: 'must be a finite number or undefined' }).finite('must be finite').optional().describe('Stop once the mean return of the last `returnWindow` episodes reaches this.'),
  returnWindow: posInt('an integer ≥ 1').describe('Episodes averaged for the reported mean return.'),
  evalEpisodes: z.number({ error: 'must be an integer ≥ 0' }).int('must be an integer ≥ 0').min(0, 'must be an integer ≥ 0').describe('Episodes of the evaluation after training (0: none).'),
  logLevel: oneOf(LOG_LEVELS as [LogLevel, ...LogLevel[]]).describe('pino log level.'),
  workers: z
    .union([z.number().int().min(1), z.literal('auto')], { error: 'must be an integer ≥ 1 or "auto"' })
    .describe('Rollout worker threads (steps mode, JS envs): 1 = in the trainer\'s thread; k > 1 or auto shards the N envs across k worker_threads.'),
});

// The schema and the documented record describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<Required<z.infer<typeof trainConfigSchema>>, { -readonly [K in keyof TrainConfig]-?: K extends 'hidden' ? number[] : Exclude<TrainConfig[K], undefined> }> = true;
void sameShape;

/** One bad field of a config. */
export interface ConfigIssue {
  /** Field path, e.g. `gamma` or `hidden.1`. */
  readonly field: string;
  /** What is allowed. */
  readonly message: string;
  /** The value given. */
  readonly value: unknown;
}

/** Thrown by {@link resolveConfig}: lists every bad field with its allowed range. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid training config (${issues.length} bad field${issues.length === 1 ? '' : 's'}):\n` + issues.map((i) => `  - ${i.field} = ${show(i.value)}: ${i.message}`).join('\n'));
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = obj;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Options of {@link resolveConfig}. */
export interface ResolveOptions {
  /** Env ids that count as registered (default: no check of the id beyond being a non-empty string). */
  readonly envIds?: readonly string[];
}

/**
 * Fills the defaults into a partial config and validates it. Throws one {@link ConfigError}
 * listing every bad field (unknown fields included) with the range allowed. Keys starting
 * with `$` (such as `"$comment"` in the files of `configs/`) are documentation and ignored.
 *
 * @example
 * const cfg = resolveConfig({ env: 'CartPole-v1', lr: 3e-3 });
 * resolveConfig({ gamma: 2, numEnvs: 0 }); // ConfigError: gamma must be in [0, 1]; numEnvs must be an integer ≥ 1
 */
export function resolveConfig(partial: Partial<TrainConfig> | Record<string, unknown> = {}, opts: ResolveOptions = {}): TrainConfig {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new ConfigError([{ field: '(config)', message: 'must be an object of fields', value: partial }]);
  }
  // `$`-prefixed keys (e.g. "$comment" in configs/*.json) are documentation, not fields
  const given = Object.fromEntries(Object.entries(partial).filter(([k, v]) => v !== undefined && !k.startsWith('$')));
  const merged = { ...DEFAULT_CONFIG, logLevel: defaultLogLevel(), ...given };
  const issues: ConfigIssue[] = [];
  const parsed = trainConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) {
      if (iss.code === 'unrecognized_keys') {
        for (const k of iss.keys) issues.push({ field: k, message: `unknown field (known: ${Object.keys(DEFAULT_CONFIG).join(', ')})`, value: (merged as Record<string, unknown>)[k] });
      } else {
        const field = iss.path.map(String).join('.') || '(config)';
        issues.push({ field, message: iss.message, value: valueAt(merged, iss.path) });
      }
    }
  }
  const env = (merged as Record<string, unknown>).env;
  if (opts.envIds && typeof env === 'string' && env.length > 0 && !opts.envIds.includes(env)) {
    issues.push({ field: 'env', message: `unknown env id; registered: ${opts.envIds.join(', ')}`, value: env });
  }
  const m = merged as Record<string, unknown>;
  if (m.workers !== undefined && m.workers !== 1 && !issues.some((i) => i.field === 'workers')) {
    if (m.mode === 'episodes') issues.push({ field: 'workers', message: 'rollout workers need mode "steps" (episodes mode rolls out in the trainer\'s thread); use 1', value: m.workers });
    else if (m.envVectorization === 'tensor') issues.push({ field: 'workers', message: 'rollout workers step JS envs (envVectorization "native" or "generic"); use 1 with "tensor"', value: m.workers });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({ ...(parsed.data as TrainConfig), hidden: Object.freeze([...parsed.data!.hidden]) });
}
