/**
 * CartPole-v1 as tf ops over `[N]` state columns (x, ẋ, θ, θ̇): the equations of
 * `cartPoleStep` in packages/env/src/cartpole.ts, in the same order, with its constants
 * (`cartPoleDefaultParams`), spaces, start range and time limit. Read the two side by side;
 * the JS file's header states the spaces, reward, start state and episode end. Here: actions
 * are int32 `[N]` (0 left, 1 right) and everything is float32 (the JS env keeps float64 state).
 */
import { cartPoleDefaultParams, cartPoleKernel } from '@rl/env';
import { tf } from '@rl/tf';
import { kernelFacts } from './kernel_facts.js';
import type { TensorDynamics, TensorTransition } from './types.js';

/** CartPole-v1 dynamics as tf ops. */
export function cartPoleDynamics(): TensorDynamics {
  const p = cartPoleDefaultParams;
  const { low, high } = cartPoleKernel.resetRange(undefined);
  const totalMass = p.masspole + p.masscart;
  const polemassLength = p.masspole * p.length;
  return {
    ...kernelFacts(cartPoleKernel),
    initialState: (n, seed) => tf.unstack(tf.randomUniform([4, n], low, high, 'float32', seed)) as tf.Tensor1D[],
    observe: (s) => tf.stack([...s], 1) as tf.Tensor2D,
    step: (s, action): TensorTransition => {
      const [x, xDot, theta, thetaDot] = s as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      const force = action.toFloat().mul(2 * p.force_mag).sub(p.force_mag);
      const costheta = tf.cos(theta);
      const sintheta = tf.sin(theta);
      const temp = force.add(thetaDot.square().mul(sintheta).mul(polemassLength)).div(totalMass);
      const thetaacc = sintheta
        .mul(p.gravity)
        .sub(costheta.mul(temp))
        .div(tf.scalar(4.0 / 3.0).sub(costheta.square().mul(p.masspole).div(totalMass)).mul(p.length));
      const xacc = temp.sub(thetaacc.mul(costheta).mul(polemassLength).div(totalMass));
      const nx = x.add(xDot.mul(p.tau));
      const nxDot = xDot.add(xacc.mul(p.tau));
      const ntheta = theta.add(thetaDot.mul(p.tau));
      const nthetaDot = thetaDot.add(thetaacc.mul(p.tau));
      const terminated = tf.logicalOr(nx.abs().greater(p.x_threshold), ntheta.abs().greater(p.theta_threshold_radians));
      return {
        state: [nx, nxDot, ntheta, nthetaDot] as tf.Tensor1D[],
        reward: tf.onesLike(nx) as tf.Tensor1D,
        terminated: terminated as tf.Tensor1D,
      };
    },
  };
}
