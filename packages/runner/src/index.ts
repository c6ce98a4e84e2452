/** `@rl/runner`: batched rollouts as tensors and tensor-native envs. */
export type * from './types.js';
