/**
 * Pendulum-v1 as tf ops over `[N]` state columns (θ, θ̇): the equations of `pendulumStep` in
 * packages/env/src/pendulum.ts, in the same order, with its constants (`pendulumDefaultParams`),
 * spaces, start range and time limit. Read the two side by side; the JS file's header states
 * the spaces, reward, start state and episode end. Here: actions are float32 `[N, 1]` and
 * everything is float32 (angle_normalize is one floored `tf.mod`).
 */
import { pendulumDefaultParams, pendulumKernel } from '@rl/env';
import { tf } from '@rl/tf';
import { kernelFacts } from './kernel_facts.js';
import type { TensorDynamics, TensorTransition } from './types.js';

/** Pendulum-v1 dynamics as tf ops. */
export function pendulumDynamics(): TensorDynamics {
  const p = pendulumDefaultParams;
  const { xInit, yInit } = pendulumKernel.resetRange(undefined);
  return {
    ...kernelFacts(pendulumKernel),
    initialState: (n, seed) => {
      const [th, thdot] = tf.unstack(tf.randomUniform([2, n], -1, 1, 'float32', seed)) as [tf.Tensor1D, tf.Tensor1D];
      return [th.mul(xInit), thdot.mul(yInit)]; // θ ~ U(−x_init, x_init), θ̇ ~ U(−y_init, y_init)
    },
    observe: (s) => {
      const [th, thdot] = s as [tf.Tensor1D, tf.Tensor1D];
      return tf.stack([tf.cos(th), tf.sin(th), thdot], 1) as tf.Tensor2D;
    },
    step: (s, action): TensorTransition => {
      const [th, thdot] = s as [tf.Tensor1D, tf.Tensor1D];
      const u = action.reshape([-1]).clipByValue(-p.max_torque, p.max_torque) as tf.Tensor1D;
      const an = tf.mod(th.add(Math.PI), 2 * Math.PI).sub(Math.PI);
      const costs = an.square().add(thdot.square().mul(0.1)).add(u.square().mul(0.001));
      let newthdot = thdot.add(tf.sin(th).mul((3 * p.g) / (2 * p.l)).add(u.mul(3.0 / (p.m * (p.l * p.l)))).mul(p.dt));
      newthdot = newthdot.clipByValue(-p.max_speed, p.max_speed);
      const newth = th.add(newthdot.mul(p.dt));
      return {
        state: [newth, newthdot] as tf.Tensor1D[],
        reward: costs.neg() as tf.Tensor1D,
        terminated: tf.zerosLike(th).cast('bool') as tf.Tensor1D,
      };
    },
  };
}
