/**
 * MountainCar-v0 as tf ops over `[N]` state columns (position, velocity): the equations of
 * `mountainCarStep` in packages/env/src/mountain_car.ts, in the same order, with its constants
 * (`mountainCarDefaultParams`), spaces, start range and time limit. Read the two side by side;
 * the JS file's header states the spaces, reward, start state and episode end. Here: actions
 * are int32 `[N]` (0 left, 1 none, 2 right) and everything is float32.
 */
import { mountainCarDefaultParams, mountainCarKernel, type MountainCarParams, type UniformRange } from '@rl/env';
import { tf } from '@rl/tf';
import { kernelFacts } from './kernel_facts.js';
import type { TensorDynamics, TensorTransition } from './types.js';

/** MountainCar start states: position uniform in the kernel's reset range, velocity 0 (shared with the continuous one). */
export function mountainCarStart({ low, high }: UniformRange): TensorDynamics['initialState'] {
  return (n, seed) => [tf.randomUniform([n], low, high, 'float32', seed) as tf.Tensor1D, tf.zeros([n]) as tf.Tensor1D];
}

/** The walls and the goal of both MountainCars (the second half of either JS step): clip the speed, move, stop at the left wall, reach the flag. */
export function mountainCarMove(
  position0: tf.Tensor1D,
  velocity0: tf.Tensor,
  p: Readonly<Pick<MountainCarParams, 'min_position' | 'max_position' | 'max_speed' | 'goal_position' | 'goal_velocity'>>,
): { readonly state: tf.Tensor1D[]; readonly terminated: tf.Tensor1D } {
  let velocity = velocity0.clipByValue(-p.max_speed, p.max_speed);
  let position = position0.add(velocity);
  position = position.clipByValue(p.min_position, p.max_position);
  velocity = tf.where(tf.logicalAnd(position.lessEqual(p.min_position), velocity.less(0)), tf.zerosLike(velocity), velocity);
  const terminated = tf.logicalAnd(position.greaterEqual(p.goal_position), velocity.greaterEqual(p.goal_velocity)) as tf.Tensor1D;
  return { state: [position, velocity] as tf.Tensor1D[], terminated };
}

/** MountainCar-v0 dynamics as tf ops. */
export function mountainCarDynamics(): TensorDynamics {
  const p = mountainCarDefaultParams;
  return {
    ...kernelFacts(mountainCarKernel),
    initialState: mountainCarStart(mountainCarKernel.resetRange(undefined)),
    observe: (s) => tf.stack([...s], 1) as tf.Tensor2D,
    step: ([position, velocity], action): TensorTransition => {
      const { state, terminated } = mountainCarMove(position!, velocity!.add(action.toFloat().sub(1).mul(p.force)).add(tf.cos(position!.mul(3)).mul(-p.gravity)), p);
      return { state, reward: tf.onesLike(state[0]!).neg() as tf.Tensor1D, terminated };
    },
  };
}
