/**
 * `@rl/runner` in a browser (the `browser` export condition): everything of the Node entry
 * except the worker-thread runner (`./workers`, built on node:worker_threads).
 */
export type * from './types.js';
export { createRunner, isTensorEnv } from './rollout.js';
export type { AnyVectorEnv, Runner, RunnerOptions, RunnerStats, RunnerState } from './rollout.js';
export { batchFromHost, hostBatch } from './batch.js';
export type { BatchShape, BatchEpisodes } from './batch.js';
export { checkSpaces } from './spaces_check.js';
export type * from './tensor_envs/types.js';
export {
  makeTensorVec,
  TENSOR_ENVS,
  createTensorVectorEnv,
  cartPoleDynamics,
  acrobotDynamics,
  mountainCarDynamics,
  mountainCarContinuousDynamics,
  pendulumDynamics,
} from './tensor_envs/index.js';
export type { TensorVectorEnvOptions } from './tensor_envs/index.js';
export { cartPoleConstants } from './tensor_envs/cartpole.js';
export { acrobotConstants } from './tensor_envs/acrobot.js';
export { mountainCarConstants } from './tensor_envs/mountain_car.js';
export { mountainCarContinuousConstants } from './tensor_envs/mountain_car_continuous.js';
export { pendulumConstants } from './tensor_envs/pendulum.js';
export { rolloutEpisodes } from './episodes.js';
export type { EpisodeRolloutOptions } from './episodes.js';
