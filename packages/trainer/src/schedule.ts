/**
 * When things happen in a run, in one place: the seed order, the learning-rate schedule, the
 * stop rule and the evaluation seed. The trainer, `rl train` / `rl eval` (through the trainer)
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
}

/**
 * The seed order of a run: one root stream `Rng(seed)`, one child seed per consumer, always
 * drawn in this order (policy, value, env, stream). Changing the order changes every run.
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
  return { policySeed, valueSeed, envSeed, streamSeed };
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
}

/** Why a run stops (see {@link stopReason}). */
export type StopReason = 'targetReturn' | 'totalSteps' | 'aborted';

/**
 * The stop rule, checked before each iteration: `targetReturn` once the return window is full
 * (`returnWindow` finished episodes) and its mean reaches `targetReturn`; `totalSteps` once that
 * many env steps are done; `aborted` when asked to; else undefined (go on).
 *
 * @example
 * stopReason({ targetReturn: 475, returnWindow: 20, totalSteps: 1e6 }, { envSteps: 4096, windowEpisodes: 20, returnMean: 480 }); // 'targetReturn'
 */
export function stopReason(cfg: Pick<TrainConfig, 'targetReturn' | 'returnWindow' | 'totalSteps'>, p: RunProgress): StopReason | undefined {
  if (cfg.targetReturn !== undefined && p.windowEpisodes >= cfg.returnWindow && p.returnMean >= cfg.targetReturn) return 'targetReturn';
  if (p.envSteps >= cfg.totalSteps) return 'totalSteps';
  if (p.aborted) return 'aborted';
  return undefined;
}

/**
 * The seed of a run's evaluation envs (and of their action sampling), unless one is given:
 * `seed + 1000`, away from the training envs' seeds (those come from {@link runSeeds}). The
 * trainer's evaluation after training and `rl eval` both use it.
 */
export function evaluationSeed(seed: number): number {
  return seed + 1000;
}
