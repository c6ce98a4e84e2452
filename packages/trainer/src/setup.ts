/**
 * The pieces of a training run built from its config, in one place: its N envs and its πθ (the
 * trainer, its rollout workers and `@rl/distributed`'s learner and actors all come here).
 */
import { getSpec, makeVec, type Space } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { makeTensorVec, type AnyVectorEnv } from '@rl/runner';
import type { TrainConfig } from './config.js';
import { runSeeds } from './schedule.js';

/**
 * What `envVectorization` means for this env: `auto` is `native` where the id has a native
 * batched env registered, else `generic` (N scalar envs, e.g. a user's own env); the other
 * values are taken as given.
 *
 * @example
 * vectorizationOf({ env: 'CartPole-v1', envVectorization: 'auto' }); // 'native'
 */
export function vectorizationOf(cfg: Pick<TrainConfig, 'env' | 'envVectorization'>): 'native' | 'generic' | 'tensor' {
  if (cfg.envVectorization !== 'auto') return cfg.envVectorization;
  return getSpec(cfg.env).vectorEntryPoint ? 'native' : 'generic';
}

/**
 * `numEnvs` envs of `cfg.env` as one batched env, env i seeded `seed + i` on its first reset:
 * the native or generic JS vector env, or the runner's tensor-native one.
 */
export function makeTrainingEnv(cfg: Pick<TrainConfig, 'env' | 'envVectorization'>, numEnvs: number, seed: number): AnyVectorEnv {
  const vectorization = vectorizationOf(cfg);
  return vectorization === 'tensor' ? makeTensorVec(cfg.env, numEnvs, { seed }) : makeVec(cfg.env, numEnvs, { seed, vectorization });
}

/**
 * πθ of a run: the config's architecture (`hidden`, `activation`, `logStdInit`) for the env's
 * spaces, its initial weights seeded by the run's seed order ({@link runSeeds}).
 */
export function createTrainingPolicy(cfg: Pick<TrainConfig, 'seed' | 'hidden' | 'activation' | 'logStdInit'>, observationSpace: Space, actionSpace: Space): Policy {
  return createPolicy(observationSpace, actionSpace, {
    hidden: cfg.hidden,
    activation: cfg.activation,
    seed: runSeeds(cfg.seed).policySeed,
    logStdInit: cfg.logStdInit,
  });
}
