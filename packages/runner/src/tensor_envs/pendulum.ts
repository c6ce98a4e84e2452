/**
 * Pendulum-v1 as tf ops over `[N, 2]` states (θ, θ̇). The same equations, in the same order,
 * as the JS env's `pendulumStep` in `packages/env/src/pendulum.ts`. Float32.
 *
 * | | |
 * |---|---|
 * | Action | float32 `[N, 1]`; torque u = clip(a, −2, 2) |
 * | Observation | `[cosθ, sinθ, θ̇]` |
 * | Reward | −(angle_norm(θ)² + 0.1·θ̇² + 0.001·u²), on the state before the step |
 * | Start | θ U(−π, π), θ̇ U(−1, 1) |
 * | Termination | never |
 * | Truncation | 200 steps |
 */
import { Box } from '@rl/env';
import { tf } from '@rl/tf';
import type { TensorDynamics, TensorTransition } from './types.js';

/** Gymnasium's Pendulum constants (the names of `pendulumDefaultParams` in `@rl/env`). */
export const pendulumConstants = Object.freeze({ max_speed: 8, max_torque: 2.0, dt: 0.05, g: 10.0, m: 1.0, l: 1.0 });

/** Pendulum-v1 dynamics as tf ops. */
export function pendulumDynamics(): TensorDynamics {
  const p = pendulumConstants;
  return {
    id: 'Pendulum-v1',
    stateNames: ['theta', 'theta_dot'],
    obsDim: 3,
    maxEpisodeSteps: 200,
    observationSpace: new Box([-1, -1, -p.max_speed], [1, 1, p.max_speed]),
    actionSpace: new Box([-p.max_torque], [p.max_torque]),
    initialState: (n, seed) => {
      const [th, thdot] = tf.unstack(tf.randomUniform([2, n], -1, 1, 'float32', seed)) as [tf.Tensor1D, tf.Tensor1D];
      return [th.mul(Math.PI), thdot]; // θ ~ U(−π, π), θ̇ ~ U(−1, 1)
    },
    observe: (s) => {
      const [th, thdot] = s as [tf.Tensor1D, tf.Tensor1D];
      return tf.stack([tf.cos(th), tf.sin(th), thdot], 1) as tf.Tensor2D;
    },
    step: (s, action): TensorTransition => {
      const [th, thdot] = s as [tf.Tensor1D, tf.Tensor1D];
      const u = action.reshape([-1]).clipByValue(-p.max_torque, p.max_torque) as tf.Tensor1D; // u = min(max(action, −max_torque), max_torque)
      const an = tf.mod(th.add(Math.PI), 2 * Math.PI).sub(Math.PI); //                      angleNormalize(th) = ((th + π) mod 2π) − π
      const costs = an.square().add(thdot.square().mul(0.1)).add(u.square().mul(0.001)); // an² + 0.1·θ̇² + 0.001·u²
      let newthdot = thdot.add(tf.sin(th).mul((3 * p.g) / (2 * p.l)).add(u.mul(3.0 / (p.m * (p.l * p.l)))).mul(p.dt)); // θ̇ + (3g/(2l)·sinθ + 3/(m·l²)·u)·dt
      newthdot = newthdot.clipByValue(-p.max_speed, p.max_speed); //                       newthdot = min(max(newthdot, −max_speed), max_speed)
      const newth = th.add(newthdot.mul(p.dt)); //                                          newth = th + newthdot·dt
      return {
        state: [newth, newthdot] as tf.Tensor1D[],
        reward: costs.neg() as tf.Tensor1D, //                                               out.rewards[i] = −costs;
        terminated: tf.zerosLike(th).cast('bool') as tf.Tensor1D, //                         out.terminated[i] = 0;
      };
    },
  };
}
