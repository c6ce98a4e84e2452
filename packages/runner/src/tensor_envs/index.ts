/**
 * Tensor-native envs: dynamics per env, the shared vector env, and their registration with
 * @rl/env's registry (on load), so `makeTensorVec` finds them from the same spec as `makeVec`.
 */
import { getSpec, makeTensorVec as makeEnvTensorVec, registerTensorVec, type TensorVectorEnvOptions } from '@rl/env';
import type { tf } from '@rl/tf';
import { acrobotDynamics } from './acrobot.js';
import { cartPoleDynamics } from './cartpole.js';
import { kernelFacts } from './kernel_facts.js';
import { mountainCarDynamics } from './mountain_car.js';
import { mountainCarContinuousDynamics } from './mountain_car_continuous.js';
import { pendulumDynamics } from './pendulum.js';
import type { TensorDynamics, TensorVectorEnv } from './types.js';
import { createTensorVectorEnv } from './vector_env.js';

/** The ids with a tensor-native implementation here, and their dynamics. */
export const TENSOR_ENVS: Readonly<Record<string, () => TensorDynamics>> = Object.freeze({
  'CartPole-v1': cartPoleDynamics,
  'Acrobot-v1': acrobotDynamics,
  'MountainCar-v0': mountainCarDynamics,
  'MountainCarContinuous-v0': mountainCarContinuousDynamics,
  'Pendulum-v1': pendulumDynamics,
});

for (const [id, dynamics] of Object.entries(TENSOR_ENVS)) {
  // Registered once per @rl/env instance (a second copy of this module over the same registry finds them there).
  if (!getSpec(id).tensorEntryPoint) registerTensorVec(id, (n, o) => createTensorVectorEnv(dynamics(), n, o));
}

/**
 * N tensor-native envs of a registered id: @rl/env's `makeTensorVec` (the same registry lookup
 * as `makeVec`) with tfjs's tensor types. Importing @rl/runner registers the five classic-control ids.
 * @example
 * const env = makeTensorVec('CartPole-v1', 4096, { seed: 0 });
 * const obs = env.reset(); // [4096, 4], caller disposes
 * env.close();             // frees the env's tensors
 */
export const makeTensorVec: (id: string, numEnvs: number, opts?: TensorVectorEnvOptions) => TensorVectorEnv = makeEnvTensorVec<tf.Tensor2D, tf.Tensor1D, tf.Tensor>;

export { acrobotDynamics, cartPoleDynamics, mountainCarDynamics, mountainCarContinuousDynamics, pendulumDynamics, createTensorVectorEnv, kernelFacts };
