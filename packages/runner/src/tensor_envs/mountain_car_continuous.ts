/**
 * MountainCarContinuous-v0 as tf ops over `[N]` state columns (position, velocity): the
 * equations of `mountainCarContinuousStep` in packages/env/src/mountain_car_continuous.ts, in
 * the same order, with its constants (`mountainCarContinuousDefaultParams`), spaces, start
 * range and time limit. Read the two side by side; the JS file's header states the spaces,
 * reward, start state and episode end. Here: actions are float32 `[N, 1]` and everything is
 * float32 (the JS env also reproduces NumPy's mixed float32/float64 promotion).
 */
import { mountainCarContinuousDefaultParams, mountainCarContinuousKernel } from '@rl/env';
import { tf } from '@rl/tf';
import { kernelFacts } from './kernel_facts.js';
import { mountainCarMove, mountainCarStart } from './mountain_car.js';
import type { TensorDynamics, TensorTransition } from './types.js';

/** MountainCarContinuous-v0 dynamics as tf ops. */
export function mountainCarContinuousDynamics(): TensorDynamics {
  const p = mountainCarContinuousDefaultParams;
  return {
    ...kernelFacts(mountainCarContinuousKernel),
    initialState: mountainCarStart(mountainCarContinuousKernel.resetRange(undefined)),
    observe: (s) => tf.stack([...s], 1) as tf.Tensor2D,
    step: ([position, velocity], action): TensorTransition => {
      const a = action.reshape([-1]) as tf.Tensor1D;
      const force = a.clipByValue(p.min_action, p.max_action);
      const { state, terminated } = mountainCarMove(position!, velocity!.add(force.mul(p.power).sub(tf.cos(position!.mul(3)).mul(p.gravity))), p);
      const bonus = tf.where(terminated, tf.fill([a.shape[0]], 100), tf.zerosLike(a));
      return { state, reward: bonus.sub(a.square().mul(0.1)) as tf.Tensor1D, terminated };
    },
  };
}
