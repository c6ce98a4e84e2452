/**
 * The CLI's bridge to the trainer: config validation with CLI-worded errors, backend
 * selection that fails before anything is written, the trainer itself, and evaluation of a
 * saved policy. Loaded lazily (it pulls in TensorFlow.js).
 */
import { registeredIds } from '@rl/env';
import { loadPolicyModel } from '@rl/policy';
import { BackendUnavailableError, initTf, type BackendInfo, type BackendName } from '@rl/tf';
import { checkRunMemory, ConfigError, createTrainer, evaluatePolicySync, kebab, resolveConfig, RunSizeError, showValue, type TrainConfig, type Trainer } from '@rl/trainer';

export { evaluationSeed } from '@rl/trainer';
import type { Logger } from 'pino';
import { userEnvHint } from './env-module.js';
import { CliError } from './errors.js';

export type { TrainConfig, Trainer };

/**
 * Validates a layered config with the trainer's schema. On failure throws one {@link CliError}
 * listing every bad field with its value, what is allowed, and where it came from
 * (`sourceOf(field)`, e.g. `--gamma` or a file path).
 */
export function resolveTrainConfig(partial: Record<string, unknown>, sourceOf: (field: string) => string, file?: string): TrainConfig {
  try {
    return resolveConfig(partial, { envIds: registeredIds() });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const n = err.issues.length;
    const lines = err.issues.map((i) => `  - ${i.field} = ${showValue(i.value)}: ${i.message} (from ${sourceOf(i.field)})${i.field === 'env' ? userEnvHint(i.value) : ''}`);
    throw new CliError(`${file ? `${file}: ` : ''}invalid config, ${n} bad field${n === 1 ? '' : 's'}:\n${lines.join('\n')}`);
  }
}

/** Initialises the backend; a missing optional package becomes a {@link CliError} naming it. */
export async function initBackend(backend: BackendName): Promise<BackendInfo> {
  try {
    return await initTf({ backend });
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw new CliError(err.message);
    throw err;
  }
}

/** How `rl train` names a config field in a message: its flag (`numEnvs` → `--num-envs`). */
export const flagOf = (field: string): string => `--${kebab(field)}`;

/**
 * Refuses a config whose run cannot fit in this machine's memory (the trainer's
 * `checkRunMemory`: rollout arrays, update tensors, envs, workers, evaluation) with a
 * {@link CliError} naming each field as `name` writes it and the estimate. `backend` is the
 * tfjs backend once known (before: the config's, `auto` setting no tensor limit).
 */
export function checkRunSize(config: TrainConfig, name: (field: string) => string, backend?: string): void {
  try {
    checkRunMemory(config, backend ? { backend } : {});
  } catch (err) {
    if (err instanceof RunSizeError) throw new CliError(err.render(name));
    throw err;
  }
}

/** Builds the trainer for a resolved config (envs, networks, optimizers), logging through `logger`; a run too big for the backend (known now) is a {@link CliError} naming the fields as `name` writes them. */
export async function openSession(config: TrainConfig, logger: Logger, name: (field: string) => string = flagOf): Promise<Trainer> {
  try {
    return await createTrainer(config, { logger });
  } catch (err) {
    if (err instanceof RunSizeError) throw new CliError(err.render(name));
    throw err;
  }
}

/** What `rl eval` reports. */
export interface EvalSummary {
  readonly episodes: number;
  readonly meanReturn: number;
  readonly stdReturn: number;
  readonly minReturn: number;
  readonly maxReturn: number;
  readonly meanLength: number;
  readonly stdLength: number;
}

const meanStd = (xs: readonly number[]): { mean: number; std: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length) };
};

/** Summary numbers of a list of episode returns and lengths. */
export function summarize(returns: readonly number[], lengths: readonly number[]): EvalSummary {
  const r = meanStd(returns);
  const l = meanStd(lengths);
  return { episodes: returns.length, meanReturn: r.mean, stdReturn: r.std, minReturn: Math.min(...returns), maxReturn: Math.max(...returns), meanLength: l.mean, stdLength: l.std };
}

/**
 * Runs the policy saved in `modelDir` for `episodes` whole episodes on fresh envs of the
 * run's env (all episodes as one batch, seeded), without touching the run directory.
 * Errors loading the model name the file.
 */
export async function evaluateSaved(modelDir: string, config: TrainConfig, opts: { episodes: number; deterministic: boolean; seed: number }): Promise<EvalSummary> {
  let policy: Awaited<ReturnType<typeof loadPolicyModel>>;
  try {
    policy = await loadPolicyModel(modelDir);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  try {
    const r = evaluatePolicySync(policy, { envId: config.env, episodes: opts.episodes, deterministic: opts.deterministic, seed: opts.seed });
    return summarize(r.returns, r.lengths);
  } catch (err) {
    if (err instanceof RunSizeError) throw new CliError(err.render((f) => (f === 'episodes' ? '--episodes' : f)));
    // a policy whose spaces do not fit the run's env: name the model directory
    if (err instanceof TypeError && err.message.startsWith('evaluatePolicy:')) throw new CliError(`${modelDir}: ${err.message.slice('evaluatePolicy: '.length)}`);
    throw err;
  } finally {
    policy.dispose();
  }
}
