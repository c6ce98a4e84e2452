/** Tensor-native envs: dynamics per env, the shared vector env, and `makeTensorVec`. */
import { acrobotDynamics } from './acrobot.js';
import { cartPoleDynamics } from './cartpole.js';
import { mountainCarDynamics } from './mountain_car.js';
import { mountainCarContinuousDynamics } from './mountain_car_continuous.js';
import { pendulumDynamics } from './pendulum.js';
import type { TensorDynamics, TensorVectorEnv } from './types.js';
import { createTensorVectorEnv, type TensorVectorEnvOptions } from './vector_env.js';

/** The ids with a tensor-native implementation, and their dynamics. */
export const TENSOR_ENVS: Readonly<Record<string, () => TensorDynamics>> = Object.freeze({
  'CartPole-v1': cartPoleDynamics,
  'Acrobot-v1': acrobotDynamics,
  'MountainCar-v0': mountainCarDynamics,
  'MountainCarContinuous-v0': mountainCarContinuousDynamics,
  'Pendulum-v1': pendulumDynamics,
});

/**
 * N tensor-native envs of a registered id; the counterpart of `makeVec` whose rollouts stay
 * on the backend.
 * @example
 * const env = makeTensorVec('CartPole-v1', 4096, { seed: 0 });
 * const obs = env.reset(); // [4096, 4], caller disposes
 */
export function makeTensorVec(id: string, numEnvs: number, opts: TensorVectorEnvOptions = {}): TensorVectorEnv {
  const f = TENSOR_ENVS[id];
  if (!f) throw new RangeError(`makeTensorVec: no tensor-native env "${id}" (known: ${Object.keys(TENSOR_ENVS).join(', ')})`);
  return createTensorVectorEnv(f(), numEnvs, opts);
}

export { acrobotDynamics, cartPoleDynamics, mountainCarDynamics, mountainCarContinuousDynamics, pendulumDynamics, createTensorVectorEnv };
export type { TensorVectorEnvOptions };
