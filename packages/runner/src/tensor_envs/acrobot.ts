/**
 * Acrobot-v1 as tf ops over `[N, 4]` states (θ1, θ2, θ̇1, θ̇2). The same equations, in the
 * same order, as the JS env's `dsdt` / `acrobotStep` in `packages/env/src/acrobot.ts`
 * (Gymnasium's "book" dynamics, one RK4 step over [0, dt], wrap, bound). Float32.
 *
 * | | |
 * |---|---|
 * | Action | int32 `[N]`; torque = action − 1 ∈ {−1, 0, 1} |
 * | Observation | `[cosθ1, sinθ1, cosθ2, sinθ2, θ̇1, θ̇2]` |
 * | Reward | −1 per step, 0 on the terminal step |
 * | Start | all four values U(−0.1, 0.1) |
 * | Termination | −cosθ1 − cos(θ1 + θ2) > 1 |
 * | Truncation | 500 steps |
 */
import { Box, Discrete } from '@rl/env';
import { tf } from '@rl/tf';
import type { TensorDynamics, TensorTransition } from './types.js';

/** Gymnasium's Acrobot constants (the names of `acrobotDefaultParams` in `@rl/env`). */
export const acrobotConstants = Object.freeze({
  dt: 0.2,
  link_length_1: 1.0,
  link_mass_1: 1.0,
  link_mass_2: 1.0,
  link_com_pos_1: 0.5,
  link_com_pos_2: 0.5,
  link_moi: 1.0,
  gravity: 9.8,
  max_vel_1: 4 * Math.PI,
  max_vel_2: 9 * Math.PI,
});

type Col = tf.Tensor;

/** Acrobot-v1 dynamics as tf ops. */
export function acrobotDynamics(): TensorDynamics {
  const p = acrobotConstants;
  const m1 = p.link_mass_1;
  const m2 = p.link_mass_2;
  const l1 = p.link_length_1;
  const lc1 = p.link_com_pos_1;
  const lc2 = p.link_com_pos_2;
  const I1 = p.link_moi;
  const I2 = p.link_moi;
  const g = p.gravity;

  /** JS `dsdt`: (θ̇1, θ̇2, θ̈1, θ̈2) of the state under torque a. */
  const dsdt = (a: Col, theta1: Col, theta2: Col, dtheta1: Col, dtheta2: Col): [Col, Col, Col, Col] => {
    const cos2 = tf.cos(theta2); //                                                  const cos2 = Math.cos(theta2);
    const sin2 = tf.sin(theta2); //                                                  const sin2 = Math.sin(theta2);
    const d1 = cos2.mul(m2 * 2 * l1 * lc2).add(m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2) + I1 + I2); // d1 = m1·lc1² + m2·(l1² + lc2² + 2·l1·lc2·cos2) + I1 + I2
    const d2 = cos2.mul(m2 * l1 * lc2).add(m2 * (lc2 * lc2) + I2); //                d2 = m2·(lc2² + l1·lc2·cos2) + I2
    const phi2 = tf.cos(theta1.add(theta2).sub(Math.PI / 2.0)).mul(m2 * lc2 * g); //  phi2 = m2·lc2·g·cos(θ1 + θ2 − π/2)
    const phi1 = dtheta2 //                                                          phi1 = −m2·l1·lc2·θ̇2²·sin2
      .square()
      .mul(sin2)
      .mul(-m2 * l1 * lc2)
      .sub(dtheta2.mul(dtheta1).mul(sin2).mul(2 * m2 * l1 * lc2)) //                       − 2·m2·l1·lc2·θ̇2·θ̇1·sin2
      .add(tf.cos(theta1.sub(Math.PI / 2)).mul((m1 * lc1 + m2 * l1) * g)) //              + (m1·lc1 + m2·l1)·g·cos(θ1 − π/2)
      .add(phi2); //                                                                      + phi2
    const ddtheta2 = a //                                                            ddtheta2 = (a + d2/d1·phi1 − m2·l1·lc2·θ̇1²·sin2 − phi2)
      .add(d2.div(d1).mul(phi1))
      .sub(dtheta1.square().mul(sin2).mul(m2 * l1 * lc2))
      .sub(phi2)
      .div(tf.scalar(m2 * (lc2 * lc2) + I2).sub(d2.square().div(d1))); //                  / (m2·lc2² + I2 − d2²/d1)
    const ddtheta1 = d2.mul(ddtheta2).add(phi1).div(d1).neg(); //                      ddtheta1 = −(d2·ddtheta2 + phi1) / d1
    return [dtheta1, dtheta2, ddtheta1, ddtheta2];
  };

  /** JS `wrap(x, −π, π)`: one floor-based shift (the JS loop shifts by 2π until inside). */
  const wrap = (x: Col): Col => x.sub(tf.floor(x.add(Math.PI).div(2 * Math.PI)).mul(2 * Math.PI));

  return {
    id: 'Acrobot-v1',
    stateNames: ['theta1', 'theta2', 'dtheta1', 'dtheta2'],
    obsDim: 6,
    maxEpisodeSteps: 500,
    observationSpace: new Box([-1, -1, -1, -1, -p.max_vel_1, -p.max_vel_2], [1, 1, 1, 1, p.max_vel_1, p.max_vel_2]),
    actionSpace: new Discrete(3),
    initialState: (n, seed) => tf.unstack(tf.randomUniform([4, n], -0.1, 0.1, 'float32', seed)) as tf.Tensor1D[],
    observe: (s) => {
      const [t1, t2, d1, d2] = s as [Col, Col, Col, Col];
      return tf.stack([tf.cos(t1), tf.sin(t1), tf.cos(t2), tf.sin(t2), d1, d2], 1) as tf.Tensor2D;
    },
    step: (s, action): TensorTransition => {
      const a = action.toFloat().sub(1) as Col; //                                   const a = action - 1;
      const [y0, y1, y2, y3] = s as [Col, Col, Col, Col];
      const dt = p.dt;
      const dt2 = dt / 2.0;
      const k1 = dsdt(a, y0, y1, y2, y3); //                                         dsdt(p, a, y0, y1, y2, y3, 0);
      const k2 = dsdt(a, y0.add(k1[0].mul(dt2)), y1.add(k1[1].mul(dt2)), y2.add(k1[2].mul(dt2)), y3.add(k1[3].mul(dt2))); // y + dt2·k1
      const k3 = dsdt(a, y0.add(k2[0].mul(dt2)), y1.add(k2[1].mul(dt2)), y2.add(k2[2].mul(dt2)), y3.add(k2[3].mul(dt2))); // y + dt2·k2
      const k4 = dsdt(a, y0.add(k3[0].mul(dt)), y1.add(k3[1].mul(dt)), y2.add(k3[2].mul(dt)), y3.add(k3[3].mul(dt))); //    y + dt·k3
      const h = dt / 6.0;
      const y = [y0, y1, y2, y3];
      // n_j = y_j + h·(k1_j + 2·k2_j + 2·k3_j + k4_j)
      const ns = y.map((yj, j) => yj.add(k1[j]!.add(k2[j]!.mul(2)).add(k3[j]!.mul(2)).add(k4[j]!).mul(h)));
      const n0 = wrap(ns[0]!); //                                                    n0 = wrap(n0, −π, π);
      const n1 = wrap(ns[1]!); //                                                    n1 = wrap(n1, −π, π);
      const n2 = ns[2]!.clipByValue(-p.max_vel_1, p.max_vel_1); //                    n2 = bound(n2, −max_vel_1, max_vel_1);
      const n3 = ns[3]!.clipByValue(-p.max_vel_2, p.max_vel_2); //                    n3 = bound(n3, −max_vel_2, max_vel_2);
      const terminated = tf.cos(n0).neg().sub(tf.cos(n1.add(n0))).greater(1.0) as Col; // −cos(n0) − cos(n1 + n0) > 1.0
      return {
        state: [n0, n1, n2, n3] as tf.Tensor1D[],
        reward: tf.where(terminated, tf.zerosLike(n0), tf.onesLike(n0).neg()) as tf.Tensor1D, // terminated ? 0.0 : −1.0
        terminated: terminated as tf.Tensor1D,
      };
    },
  };
}
