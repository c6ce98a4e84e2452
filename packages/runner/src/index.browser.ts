/**
 * `@rl/runner` in a browser (the `browser` export condition): everything of the Node entry
 * except the worker-thread runner (`./workers`, built on node:worker_threads).
 */
export type * from './types.js';
export { createRunner } from './rollout.js';
export { isTensorEnv, tensorIds } from '@rl/env';
export type { AnyVectorEnv, Runner, RunnerOptions, RunnerStats, RunnerState } from './rollout.js';
export { batchFromHost, hostBatch } from './batch.js';
export type { BatchShape, BatchEpisodes } from './batch.js';
export { checkSpaces } from './spaces_check.js';
export type * from './tensor_envs/types.js';
export {
  makeTensorVec,
  TENSOR_ENVS,
  createTensorVectorEnv,
  kernelFacts,
  cartPoleDynamics,
  acrobotDynamics,
  mountainCarDynamics,
  mountainCarContinuousDynamics,
  pendulumDynamics,
} from './tensor_envs/index.js';
export type { TensorResetOptions, TensorVectorEnvOptions, TensorVectorEnvState } from '@rl/env';
export { rolloutEpisodes } from './episodes.js';
export type { EpisodeRolloutOptions } from './episodes.js';
