/**
 * When things happen in a run, in one place: the seed order, the learning-rate schedule, the
 * stop rule, the cadence of evaluations during training and the evaluation seeds. The trainer, `rl train` / `rl eval` (through the trainer)
 * and `@rl/distributed`'s learner and actors all call these, so a run means the same thing
 * whichever of them drives it.
 */
import { Rng } from '@rl/env';
import type { TrainConfig } from './config.js';

/** The seeds of a run's consumers (see {@link runSeeds}). */
export interface RunSeeds {
  /** Initial weights of πθ. */
  readonly policySeed: number;
  /** Initial weights of V (baselines `value`, `gae`); drawn whether or not V exists. */
  readonly valueSeed: number;
  /** The envs' first reset (env i gets `envSeed + i`). */
  readonly envSeed: number;
  /** The trainer's own stream (episode-mode reset seeds, the action-sampling root of distributed actors). */
  readonly streamSeed: number;
  /**
   * The envs of every evaluation during training (`evalEvery`): env i gets `evalSeed + i`, the
   * same episodes at each evaluation (a fixed validation set, so evaluations compare policies,
   * not luck). Drawn last, so adding it changed none of the seeds above; apart from the
   * training envs' seeds and from {@link evaluationSeed} (the episodes `rl eval` and the
   * evaluation after training report), so the policy is not selected on the episodes it is
   * judged on.
   */
  readonly evalSeed: number;
}

/**
 * The seed order of a run: one root stream `Rng(seed)`, one child seed per consumer, always
 * drawn in this order (policy, value, env, stream, evaluation). Changing the order changes every run.
 *
 * @example
 * const { policySeed, envSeed } = runSeeds(config.seed);
 */
export function runSeeds(seed: number): RunSeeds {
  const root = new Rng(seed);
  const policySeed = root.nextSeed();
  const valueSeed = root.nextSeed();
  const envSeed = root.nextSeed();
  const streamSeed = root.nextSeed();
  const evalSeed = root.nextSeed();
  return { policySeed, valueSeed, envSeed, streamSeed, evalSeed };
}

/**
 * The learning rate α after `envSteps` env steps: `lr`, or with `lrDecay: 'linear'` decayed
 * linearly to 0 at `totalSteps` (never below 0).
 *
 * @example
 * learningRate({ lr: 1e-3, lrDecay: 'linear', totalSteps: 1000 }, 250); // 7.5e-4
 */
export function learningRate(cfg: Pick<TrainConfig, 'lr' | 'lrDecay' | 'totalSteps'>, envSteps: number): number {
  return cfg.lrDecay === 'linear' ? cfg.lr * Math.max(1 - envSteps / cfg.totalSteps, 0) : cfg.lr;
}

/** Where a run stands, for {@link stopReason}. */
export interface RunProgress {
  /** Env steps taken so far. */
  readonly envSteps: number;
  /** Finished episodes in the return window (at most `returnWindow` … or more, for windows of whole rounds). */
  readonly windowEpisodes: number;
  /** Their mean return (NaN before the first). */
  readonly returnMean: number;
  /** The driver was asked to stop (an AbortSignal, SIGINT). */
  readonly aborted?: boolean;
  /** Mean return of the latest evaluation during training (undefined before the first). */
  readonly evalReturn?: number;
}

/** Why a run stops (see {@link stopReason}). */
export type StopReason = 'targetReturn' | 'stopOnEval' | 'totalSteps' | 'aborted';

/**
 * The stop rule, checked before each iteration: `targetReturn` once the return window is full
 * (`returnWindow` finished episodes) and its mean reaches `targetReturn`; `stopOnEval` once the
 * latest evaluation during training reaches `stopOnEval`; `totalSteps` once that many env steps
 * are done; `aborted` when asked to; else undefined (go on).
 *
 * @example
 * stopReason({ targetReturn: 475, returnWindow: 20, totalSteps: 1e6 }, { envSteps: 4096, windowEpisodes: 20, returnMean: 480 }); // 'targetReturn'
 */
export function stopReason(cfg: Pick<TrainConfig, 'targetReturn' | 'returnWindow' | 'totalSteps'> & Partial<Pick<TrainConfig, 'stopOnEval'>>, p: RunProgress): StopReason | undefined {
  if (cfg.targetReturn !== undefined && p.windowEpisodes >= cfg.returnWindow && p.returnMean >= cfg.targetReturn) return 'targetReturn';
  if (cfg.stopOnEval !== undefined && p.evalReturn !== undefined && p.evalReturn >= cfg.stopOnEval) return 'stopOnEval';
  if (p.envSteps >= cfg.totalSteps) return 'totalSteps';
  if (p.aborted) return 'aborted';
  return undefined;
}

/**
 * Whether a run evaluates during training: `evalEvery` > 0 and `evalEpisodes` ≥ 1
 * (`evalEpisodes` 0 turns every evaluation off, those during training included, whatever
 * `evalEvery` a config file sets).
 *
 * @example
 * evaluatesDuringTraining({ evalEvery: 10_240, evalEpisodes: 0 }); // false
 */
export function evaluatesDuringTraining(cfg: Pick<TrainConfig, 'evalEvery' | 'evalEpisodes'>): boolean {
  return cfg.evalEvery > 0 && cfg.evalEpisodes > 0;
}

/**
 * Whether an evaluation during training is due after an iteration took the run from `before`
 * to `after` env steps: each time the count passes a multiple of `evalEvery` (never when the
 * run does not evaluate during training, {@link evaluatesDuringTraining}). The trainer also
 * evaluates after the last iteration of a run that ends by its stop rule, so the last policy
 * always has an evaluation.
 *
 * @example
 * evaluationDue({ evalEvery: 10_000, evalEpisodes: 10 }, 9_216, 10_240); // true
 */
export function evaluationDue(cfg: Pick<TrainConfig, 'evalEvery' | 'evalEpisodes'>, before: number, after: number): boolean {
  return evaluatesDuringTraining(cfg) && Math.floor(after / cfg.evalEvery) > Math.floor(before / cfg.evalEvery);
}

/**
 * The seed of a run's evaluation envs (and of their action sampling), unless one is given:
 * `seed + 1000`, away from the training envs' seeds (those come from {@link runSeeds}). The
 * trainer's evaluation after training and `rl eval` both use it; the evaluations during
 * training use `runSeeds(seed).evalSeed` instead (other episodes, so the policy kept is not
 * chosen on the episodes it is then judged on).
 */
export function evaluationSeed(seed: number): number {
  return seed + 1000;
}
