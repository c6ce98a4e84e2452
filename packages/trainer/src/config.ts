/**
 * The hyperparameters of a training run: one zod schema, the single source of every field's
 * type, range, default and doc; the type, the defaults and the flags are derived from it.
 */
import { z } from 'zod';
import { BACKENDS, type BackendName } from '@rl/tf';

/**
 * Smallest batch (T·N samples, steps mode) for which `updateWorkers: 'auto'` computes the
 * update's gradient on every core: measured with `rl bench update` on 2 cores (see
 * benchmarks/RESULTS.md, "Update speed").
 */
export const AUTO_UPDATE_MIN_BATCH = 4096;

/** Log levels of the trainer's pino logger. */
export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const LOG_LEVELS: readonly LogLevel[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];

function defaultLogLevel(): LogLevel {
  const v = typeof process === 'undefined' ? undefined : process.env.RL_LOG_LEVEL; // no `process` in a browser
  return LOG_LEVELS.includes(v as LogLevel) ? (v as LogLevel) : 'info';
}

const posInt = (what: string) => z.number({ error: `must be ${what}` }).int(`must be ${what}`).min(1, `must be ${what}`);
const inUnit = () => z.number({ error: 'must be a number in [0, 1]' }).min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');
const nonNeg = () => z.number({ error: 'must be a finite number ≥ 0' }).min(0, 'must be ≥ 0').finite('must be finite');
const positive = () => z.number({ error: 'must be a finite number > 0' }).gt(0, 'must be > 0').finite('must be finite');
const bool = () => z.boolean({ error: 'must be true or false' });
const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });

/**
 * The hyperparameters of a REINFORCE run, written once: each field's type, range, default and
 * one-line doc (`.describe()`, also the CLI's flag help). {@link TrainConfig} is its inferred
 * type, {@link DEFAULT_CONFIG} its defaults, `rl train`'s flags and `@rl/distributed`'s flags
 * are derived from it ({@link schemaFlags}). Unknown fields are errors.
 */
export const trainConfigSchema = z.strictObject({
  env: z.string({ error: 'must be a registered env id (string)' }).min(1, 'must be a registered env id').default('CartPole-v1').describe('Registered env id, e.g. `CartPole-v1`.'),
  envModule: z
    .string({ error: 'must be the path of a module file (string)' })
    .min(1, 'must be the path of a module file')
    .optional()
    .describe('A .js or .ts file that registers `env` with @rl/env\'s `register` when imported (Node): imported before `env` is looked up, relative to the current directory, recorded as its absolute path (none: `env` is built in).'),
  seed: z.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must be an integer ≥ 0').max(2 ** 31 - 1, 'must be < 2^31').default(1).describe('Seed of everything random (weights, envs, action sampling).'),
  numEnvs: posInt('an integer ≥ 1').default(16).describe('N: envs stepped together as one batch.'),
  stepsPerIter: posInt('an integer ≥ 1').default(64).describe('T: steps per env per iteration in `steps` mode (in `episodes` mode the env\'s time limit caps an episode).'),
  totalSteps: posInt('an integer ≥ 1').default(1_000_000).describe('Stop after this many env steps (summed over the N envs).'),
  mode: oneOf(['steps', 'episodes']).default('steps').describe('`steps`: T steps of N envs per iteration, episodes continue across iterations; `episodes`: N whole episodes per iteration (the seed\'s estimator).'),
  returnEstimator: oneOf(['totalReturn', 'rewardToGo']).default('rewardToGo').describe('Weight of each step: `totalReturn` R(τ) of its whole episode (the seed\'s) or `rewardToGo` (causality).'),
  gamma: inUnit().default(0.99).describe('Discount γ.'),
  gaeLambda: inUnit().default(0.95).describe('λ of GAE (baseline `gae` only).'),
  baseline: oneOf(['none', 'mean', 'ema', 'value', 'gae']).default('mean').describe('Baseline b subtracted from the return: `none`, batch `mean`, `ema` of past batch means, learned `value` V(s), or `gae` (GAE-λ on the learned V).'),
  emaDecay: z.number({ error: 'must be a number in [0, 1)' }).min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').default(0.9).describe('Decay of the `ema` baseline (b ← decay·b + (1 − decay)·mean return).'),
  rewardScale: positive().default(1).describe('Rewards are multiplied by this before returns and value targets are computed (metrics stay unscaled).'),
  normalizeAdvantages: bool().default(true).describe('Normalise advantages to zero mean and unit std per batch.'),
  entCoef: nonNeg().default(0).describe('Entropy bonus coefficient (per step).'),
  valueLr: positive().default(1e-3).describe('Learning rate of the value network\'s own Adam (baselines `value`, `gae`).'),
  valueEpochs: posInt('an integer ≥ 1').default(1).describe('Gradient steps on the value MSE per iteration (full batch).'),
  lr: positive().default(1e-3).describe('Learning rate α of the policy optimizer.'),
  lrDecay: oneOf(['none', 'linear']).default('none').describe('`linear`: α decays linearly to 0 at `totalSteps`; `none`: constant.'),
  optimizer: oneOf(['adam', 'sgd']).default('adam').describe('Policy optimizer.'),
  maxGradNorm: nonNeg().default(0).describe('Clip the global norm of ∇θJ to this (0: no clipping).'),
  hidden: z.array(posInt('an integer ≥ 1'), { error: 'must be an array of layer widths' }).min(1, 'must list at least one hidden layer').default(() => [64, 64]).describe('Hidden layer widths of the policy and value MLPs.'),
  activation: oneOf(['tanh', 'relu']).default('tanh').describe('Hidden activation.'),
  logStdInit: z.number({ error: 'must be a finite number' }).finite('must be finite').default(0).describe('Initial log σ of Gaussian policies (continuous actions).'),
  normalizeObs: bool().default(false).describe('Normalise observations with running statistics (stored in the policy).'),
  backend: oneOf(BACKENDS as [BackendName, ...BackendName[]]).default('wasm').describe('TensorFlow.js backend.'),
  envVectorization: oneOf(['auto', 'native', 'generic', 'tensor'])
    .default('auto')
    .describe('How the N envs are stepped: `auto` (the native batched env where one is registered, else generic), `native` batched loop, `generic` N scalar envs, or `tensor` (dynamics as tf ops).'),
  targetReturn: z.number({ error: 'must be a finite number or undefined' }).finite('must be finite').optional().describe('Stop once the mean return of the last `returnWindow` episodes reaches this (none: never).'),
  returnWindow: posInt('an integer ≥ 1').default(20).describe('Episodes averaged for the reported mean return (and the `targetReturn` stop rule).'),
  evalEvery: z
    .number({ error: 'must be an integer ≥ 0' })
    .int('must be an integer ≥ 0')
    .min(0, 'must be an integer ≥ 0')
    .default(0)
    .describe('Evaluate πθ during training each time this many more env steps are done, and once more at the end, on envs of their own seed (`runSeeds(seed).evalSeed`); the best evaluated policy is kept (0: no evaluation during training, the last policy is the one kept).'),
  evalEpisodes: z.number({ error: 'must be an integer ≥ 0' }).int('must be an integer ≥ 0').min(0, 'must be an integer ≥ 0').default(10).describe('Episodes of each evaluation: those during training (`evalEvery`) and the one after training (0: no evaluation at all, none during training either).'),
  evalDeterministic: bool().default(true).describe('Evaluations act with the mode of π (argmax / mean) instead of sampling.'),
  stopOnEval: z.number({ error: 'must be a finite number or undefined' }).finite('must be finite').optional().describe('Stop once an evaluation during training reaches this mean return (needs `evalEvery` > 0; none: never).'),
  logLevel: oneOf(LOG_LEVELS as [LogLevel, ...LogLevel[]]).default(defaultLogLevel).describe('pino log level (default: the RL_LOG_LEVEL env var, else `info`).'),
  workers: z
    .union([z.number().int().min(1), z.literal('auto')], { error: 'must be an integer ≥ 1 or "auto"' })
    .default(1)
    .describe('Rollout worker threads (steps mode, JS envs): 1 = in the trainer\'s thread; k > 1 or auto (one per core, at most N) shards the N envs across k worker_threads.'),
  updateWorkers: z
    .union([z.number().int().min(1), z.literal('auto')], { error: 'must be an integer ≥ 1 or "auto"' })
    .default('auto')
    .describe(
      `Threads of the update's ∇θJ (wasm, cpu backends; Node): 1 = in the trainer's thread; k > 1 splits each batch along T into k parts computed at once (k − 1 gradient threads, the same estimate within float rounding); auto = one per core when a steps-mode batch has T·N ≥ ${AUTO_UPDATE_MIN_BATCH} samples, else 1 (below that the hand-over costs what the second core saves). The value network's fit stays in the trainer's thread.`,
    ),
});

type ConfigOutput = z.output<typeof trainConfigSchema>;

/** The hyperparameters of a REINFORCE run: the type of {@link trainConfigSchema} (each field documented there). */
export type TrainConfig = { readonly [K in keyof ConfigOutput]: ConfigOutput[K] extends (infer E)[] ? readonly E[] : ConfigOutput[K] };

/** How each step of a trajectory is weighted before the baseline is subtracted (`returnEstimator`). */
export type ReturnEstimator = TrainConfig['returnEstimator'];
/** What is subtracted from the return (`baseline`). */
export type BaselineKind = TrainConfig['baseline'];
/** How the N envs of a run are stepped (`envVectorization`). */
export type EnvVectorization = TrainConfig['envVectorization'];

/** The defaults of every field (the schema's, `logLevel` read from RL_LOG_LEVEL when this module loads). */
export const DEFAULT_CONFIG: TrainConfig = freezeConfig(trainConfigSchema.parse({}));

function freezeConfig(c: ConfigOutput): TrainConfig {
  return Object.freeze({ ...c, hidden: Object.freeze([...c.hidden]) });
}

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
    super(`invalid training config (${issues.length} bad field${issues.length === 1 ? '' : 's'}):\n` + issues.map((i) => `  - ${i.field} = ${showValue(i.value)}: ${i.message}`).join('\n'));
  }
}

/**
 * A config value as an error message shows it: JSON, with NaN and ±Infinity written as such
 * (JSON.stringify would say `null`), `undefined` for a missing one.
 *
 * @example
 * showValue(Infinity);        // 'Infinity'
 * showValue([64, NaN]);       // '[64,NaN]'
 */
export function showValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  const marks: string[] = [];
  try {
    const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? `\u0000${marks.push(String(x)) - 1}\u0000` : x));
    return text === undefined ? String(v) : text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => marks[Number(i)]!);
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
  const issues: ConfigIssue[] = [];
  const parsed = trainConfigSchema.safeParse(given);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) {
      if (iss.code === 'unrecognized_keys') {
        for (const k of iss.keys) issues.push({ field: k, message: `unknown field (known: ${Object.keys(trainConfigSchema.shape).join(', ')})`, value: given[k] });
      } else {
        const field = iss.path.map(String).join('.') || '(config)';
        const value = valueAt(given, iss.path);
        // an integer field given an integer too large to be exact (1e20): say why it is refused
        const unsafe = typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && /integer/.test(iss.message);
        issues.push({ field, message: unsafe ? `${iss.message} and at most ${Number.MAX_SAFE_INTEGER} (2^53 − 1)` : iss.message, value });
      }
    }
  }
  const m: Record<string, unknown> = { ...DEFAULT_CONFIG, ...given };
  if (opts.envIds && typeof m.env === 'string' && m.env.length > 0 && !opts.envIds.includes(m.env)) {
    issues.push({ field: 'env', message: `unknown env id; registered: ${opts.envIds.join(', ')}`, value: m.env });
  }
  if (m.workers !== 1 && !issues.some((i) => i.field === 'workers')) {
    if (m.mode === 'episodes') issues.push({ field: 'workers', message: 'rollout workers need mode "steps" (episodes mode rolls out in the trainer\'s thread); use 1', value: m.workers });
    else if (m.envVectorization === 'tensor') issues.push({ field: 'workers', message: 'rollout workers step JS envs (envVectorization "auto", "native" or "generic"); use 1 with "tensor"', value: m.workers });
  }
  if (m.stopOnEval !== undefined && (m.evalEvery === 0 || m.evalEpisodes === 0) && !issues.some((i) => i.field === 'stopOnEval')) {
    issues.push({ field: 'stopOnEval', message: `needs evalEvery > 0 and evalEpisodes ≥ 1 (got evalEvery ${String(m.evalEvery)}, evalEpisodes ${String(m.evalEpisodes)}: no evaluation during training would ever reach it)`, value: m.stopOnEval });
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  return freezeConfig(parsed.data);
}
