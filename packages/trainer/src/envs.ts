/**
 * The N envs of a training run, built from its config in one place (the trainer, its rollout
 * workers and `@rl/distributed`'s shards all come here).
 */
import { getSpec, makeVec } from '@rl/env';
import { makeTensorVec, type AnyVectorEnv } from '@rl/runner';
import type { TrainConfig } from './config.js';

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
