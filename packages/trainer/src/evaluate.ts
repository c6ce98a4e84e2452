/**
 * Evaluation of a policy: `episodes` whole episodes on fresh seeded envs, all as one batch,
 * the policy acting without taping (`rolloutEpisodes`, the runner's episode collection, as the
 * trainer's episode mode uses it). `Trainer.evaluate` and `rl eval` both run it, with the seed
 * rule of `evaluationSeed`.
 */
import { makeVec, Rng, spacesEqual } from '@rl/env';
import type { Policy } from '@rl/policy';
import { rolloutEpisodes } from '@rl/runner';
import { backendInfo, initTf, type BackendName } from '@rl/tf';
import { checkEvalMemory } from './memory.js';

/** Evaluation result. */
export interface EvalResult {
  /** Undiscounted return of each episode. */
  readonly returns: number[];
  /** Length of each episode. */
  readonly lengths: number[];
  /** Mean and (population) standard deviation of `returns`. */
  readonly mean: number;
  readonly std: number;
}

/** Options of {@link evaluatePolicy} and {@link evaluatePolicySync}. */
export interface EvaluatePolicyOptions {
  /** Registered env id the policy acts in. */
  readonly envId: string;
  /** Number of episodes (run as that many envs in one batch). Default 10. */
  readonly episodes?: number;
  /** Act with the mode of π (argmax / mean) instead of sampling. Default true. */
  readonly deterministic?: boolean;
  /** Seed of the fresh envs (env i gets seed + i) and of action sampling. Default 0. */
  readonly seed?: number;
  /** Backend to evaluate on (initialised when it is not the active one); default: the active backend. */
  readonly backend?: BackendName;
}

/**
 * Runs `policy` for whole episodes on fresh seeded envs of `envId` on the active backend. The
 * policy's sampling stream is seeded from `seed` for the evaluation and restored afterwards,
 * so a training run that evaluates is not perturbed. Throws a TypeError naming the env when
 * the policy's spaces do not fit it.
 *
 * @example
 * const r = evaluatePolicySync(trainer.policy, { envId: 'CartPole-v1', episodes: 100, seed: 7 });
 * r.mean; // mean undiscounted return
 */
export function evaluatePolicySync(policy: Policy, opts: Omit<EvaluatePolicyOptions, 'backend'>): EvalResult {
  const episodes = opts.episodes ?? 10;
  if (!Number.isInteger(episodes) || episodes < 1) throw new RangeError(`evaluatePolicy: episodes must be a positive integer, got ${episodes}`);
  const deterministic = opts.deterministic ?? true;
  const seed = opts.seed ?? 0;
  checkEvalMemory(opts.envId, policy, episodes); // before the envs exist
  const env = makeVec(opts.envId, episodes, { seed });
  const policyRng = policy.getRngState();
  try {
    if (!spacesEqual(policy.observationSpace, env.singleObservationSpace)) {
      throw new TypeError(`evaluatePolicy: the policy's observation space ${policy.observationSpace.toString()} does not match env ${opts.envId}'s ${env.singleObservationSpace.toString()}`);
    }
    if (!spacesEqual(policy.actionSpace, env.singleActionSpace)) {
      throw new TypeError(`evaluatePolicy: the policy's action space ${policy.actionSpace.toString()} does not match env ${opts.envId}'s ${env.singleActionSpace.toString()}`);
    }
    if (!deterministic) policy.setRngState(new Rng(seed).getState());
    const batch = rolloutEpisodes(policy, env, { episodes, seed, deterministic });
    batch.dispose();
    const rs = [...batch.episodeReturns];
    const m = rs.reduce((a, b) => a + b, 0) / rs.length;
    const std = Math.sqrt(rs.reduce((s, x) => s + (x - m) ** 2, 0) / rs.length);
    return { returns: rs, lengths: [...batch.episodeLengths], mean: m, std };
  } finally {
    env.close();
    policy.setRngState(policyRng);
  }
}

/**
 * {@link evaluatePolicySync} after initialising `opts.backend` when it is given and not the
 * active backend (the policy's weights move with TensorFlow.js's lazy data transfer).
 *
 * @example
 * const policy = await loadPolicyModel('runs/x/model');
 * const r = await evaluatePolicy(policy, { envId: 'CartPole-v1', episodes: 100, deterministic: true, seed: 1, backend: 'wasm' });
 */
export async function evaluatePolicy(policy: Policy, opts: EvaluatePolicyOptions): Promise<EvalResult> {
  if (opts.backend !== undefined && backendInfo()?.requested !== opts.backend) await initTf({ backend: opts.backend });
  return evaluatePolicySync(policy, opts);
}
