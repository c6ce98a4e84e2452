/**
 * `@rl/env`: spaces, the Gymnasium-style `Env` contract, the one vector-env contract (host
 * `VectorEnv` and tensor-native `TensorVectorEnv`, told apart by `kind`), classic-control envs,
 * `make` / `makeVec` / `makeTensorVec`, wrappers and an env checker. No TensorFlow.
 */
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { Box, Discrete, spaceFromJSON, spacesEqual } from './spaces.js';
export type { Space, SpaceJSON, BoxJSON, DiscreteJSON } from './spaces.js';
export type * from './types.js';

export { checkAction, checkActionBatch, checkBoxAction, checkDiscreteAction, discreteActionError } from './actions.js';
export { createStepBuffers, entropySeed, parseResetBounds } from './kernel.js';
export type { ClassicKernel, StepBuffers } from './kernel.js';
export { ClassicControlEnv } from './classic_env.js';
export type { ClassicEnvState } from './classic_env.js';
export { NativeVectorEnv } from './native_vector.js';
export type { NativeVectorOptions, NativeVectorEnvState, StateArray } from './native_vector.js';

export { CartPoleEnv, CartPoleVectorEnv, cartPoleDefaultParams, cartPoleKernel, cartPoleStep } from './cartpole.js';
export type { CartPoleParams, CartPoleState, UniformRange } from './cartpole.js';
export { AcrobotEnv, AcrobotVectorEnv, acrobotDefaultParams, acrobotKernel, acrobotStep, bound, wrap } from './acrobot.js';
export type { AcrobotParams, AcrobotState } from './acrobot.js';
export { MountainCarEnv, MountainCarVectorEnv, mountainCarDefaultParams, mountainCarKernel, mountainCarStep } from './mountain_car.js';
export type { MountainCarParams, MountainCarState } from './mountain_car.js';
export {
  MountainCarContinuousEnv,
  MountainCarContinuousVectorEnv,
  mountainCarContinuousDefaultParams,
  mountainCarContinuousKernel,
  mountainCarContinuousStep,
} from './mountain_car_continuous.js';
export type { MountainCarContinuousParams, MountainCarContinuousState } from './mountain_car_continuous.js';
export { PendulumEnv, PendulumVectorEnv, angleNormalize, pendulumDefaultParams, pendulumKernel, pendulumStep } from './pendulum.js';
export type { PendulumParams, PendulumResetRange, PendulumState } from './pendulum.js';

export { SyncVectorEnv } from './sync_vector.js';
export type { SyncVectorOptions, SyncVectorEnvState } from './sync_vector.js';
export { getSpec, make, makeTensorVec, makeVec, register, registerTensorVec, registeredIds, tensorIds } from './registry.js';
export { isTensorEnv } from './vector_kind.js';
export type { MakeOptions, MakeVecOptions } from './registry.js';

export { Wrapper, hasState, isRestorable } from './wrappers/wrapper.js';
export type { RestorableEnv, WrapperState } from './wrappers/wrapper.js';
export { TimeLimit } from './wrappers/time_limit.js';
export { RecordEpisodeStatistics, RecordEpisodeStatisticsVector } from './wrappers/record_episode_statistics.js';
export type { EpisodeStatistics, FinishedEpisodes } from './wrappers/record_episode_statistics.js';
export { ClipAction } from './wrappers/clip_action.js';
export { NormalizeObservation, NormalizeObservationVector } from './wrappers/normalize_observation.js';
export type { NormalizeObservationOptions } from './wrappers/normalize_observation.js';
export { TransformReward } from './wrappers/transform_reward.js';
export { RunningMeanStd } from './running_mean_std.js';
export type { ObsNormStats } from './running_mean_std.js';

export { checkEnv } from './env_checker.js';
export type { CheckEnvOptions, EnvFinding } from './env_checker.js';
