/**
 * CartPole-v1 as tf ops over `[N, 4]` states (x, ẋ, θ, θ̇). The same equations, in the same
 * order, as the JS env's `cartPoleStep` in `packages/env/src/cartpole.ts` (Gymnasium's
 * `CartPoleEnv.step`, explicit Euler); each line below is annotated with the JS line it mirrors.
 * Float32 throughout (the JS env keeps float64 state).
 *
 * | | |
 * |---|---|
 * | Action | int32 `[N]`, 0 pushes left, 1 pushes right |
 * | Observation | `[x, ẋ, θ, θ̇]` (the state itself) |
 * | Reward | 1 on every step, the terminating one too |
 * | Start | each value U(−0.05, 0.05) |
 * | Termination | \|x\| > 2.4 or \|θ\| > 12° |
 * | Truncation | 500 steps |
 */
import { Box, Discrete } from '@rl/env';
import { tf } from '@rl/tf';
import type { TensorDynamics, TensorTransition } from './types.js';

/** Gymnasium's CartPole constants (the names of `cartPoleDefaultParams` in `@rl/env`). */
export const cartPoleConstants = Object.freeze({
  gravity: 9.8,
  masscart: 1.0,
  masspole: 0.1,
  length: 0.5,
  force_mag: 10.0,
  tau: 0.02,
  theta_threshold_radians: (12 * 2 * Math.PI) / 360,
  x_threshold: 2.4,
});

/** CartPole-v1 dynamics as tf ops. */
export function cartPoleDynamics(): TensorDynamics {
  const p = cartPoleConstants;
  const totalMass = p.masspole + p.masscart; //                                const totalMass = p.masspole + p.masscart;
  const polemassLength = p.masspole * p.length; //                             const polemassLength = p.masspole * p.length;
  const high = [p.x_threshold * 2, Infinity, p.theta_threshold_radians * 2, Infinity];
  return {
    id: 'CartPole-v1',
    stateNames: ['x', 'x_dot', 'theta', 'theta_dot'],
    obsDim: 4,
    maxEpisodeSteps: 500,
    observationSpace: new Box(high.map((h) => -h), high),
    actionSpace: new Discrete(2),
    initialState: (n, seed) => tf.unstack(tf.randomUniform([4, n], -0.05, 0.05, 'float32', seed)) as tf.Tensor1D[],
    observe: (s) => tf.stack([...s], 1) as tf.Tensor2D,
    step: (s, action): TensorTransition => {
      const [x, xDot, theta, thetaDot] = s as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      const force = action.toFloat().mul(2 * p.force_mag).sub(p.force_mag); // const force = action === 1 ? p.force_mag : -p.force_mag;
      const costheta = tf.cos(theta); //                                                   const costheta = Math.cos(theta);
      const sintheta = tf.sin(theta); //                                                   const sintheta = Math.sin(theta);
      const temp = force.add(thetaDot.square().mul(sintheta).mul(polemassLength)).div(totalMass); // (force + polemassLength * θ̇² * sinθ) / totalMass
      const thetaacc = sintheta
        .mul(p.gravity)
        .sub(costheta.mul(temp)) //                                                        (g·sinθ − cosθ·temp)
        .div(tf.scalar(4.0 / 3.0).sub(costheta.square().mul(p.masspole).div(totalMass)).mul(p.length)); // / (l·(4/3 − m_p·cos²θ/totalMass))
      const xacc = temp.sub(thetaacc.mul(costheta).mul(polemassLength).div(totalMass)); // temp − polemassLength·θ̈·cosθ/totalMass
      const nx = x.add(xDot.mul(p.tau)); //                                                const nx = x + p.tau * xDot;
      const nxDot = xDot.add(xacc.mul(p.tau)); //                                          const nxDot = xDot + p.tau * xacc;
      const ntheta = theta.add(thetaDot.mul(p.tau)); //                                    const ntheta = theta + p.tau * thetaDot;
      const nthetaDot = thetaDot.add(thetaacc.mul(p.tau)); //                              const nthetaDot = thetaDot + p.tau * thetaacc;
      const terminated = tf.logicalOr(nx.abs().greater(p.x_threshold), ntheta.abs().greater(p.theta_threshold_radians)); // |x| > x_threshold || |θ| > θ_threshold
      return {
        state: [nx, nxDot, ntheta, nthetaDot] as tf.Tensor1D[],
        reward: tf.onesLike(nx) as tf.Tensor1D, //                                                        out.rewards[i] = 1.0;
        terminated: terminated as tf.Tensor1D,
      };
    },
  };
}
