/**
 * Acrobot-v1 as tf ops over `[N]` state columns (θ1, θ2, θ̇1, θ̇2): the equations of `dsdt` /
 * `acrobotStep` in packages/env/src/acrobot.ts (Gymnasium's "book" dynamics, one RK4 step over
 * [0, dt], wrap, bound), in the same order, with its constants (`acrobotDefaultParams`), spaces,
 * start range and time limit. Read the two side by side; the JS file's header states the
 * spaces, reward, start state and episode end. Here: actions are int32 `[N]` (torque =
 * action − 1) and everything is float32. Only the book dynamics (the default) exist here.
 */
import { acrobotDefaultParams, acrobotKernel } from '@rl/env';
import { tf } from '@rl/tf';
import { kernelFacts } from './kernel_facts.js';
import type { TensorDynamics, TensorTransition } from './types.js';

type Col = tf.Tensor;

/** Acrobot-v1 dynamics as tf ops. */
export function acrobotDynamics(): TensorDynamics {
  const p = acrobotDefaultParams;
  const { low, high } = acrobotKernel.resetRange(undefined);
  const { link_mass_1: m1, link_mass_2: m2, link_length_1: l1, link_com_pos_1: lc1, link_com_pos_2: lc2, link_moi: I1, link_moi: I2, gravity: g } = p;

  /** JS `dsdt`: (θ̇1, θ̇2, θ̈1, θ̈2) of the state under torque a. */
  const dsdt = (a: Col, theta1: Col, theta2: Col, dtheta1: Col, dtheta2: Col): [Col, Col, Col, Col] => {
    const cos2 = tf.cos(theta2);
    const sin2 = tf.sin(theta2);
    const d1 = cos2.mul(m2 * 2 * l1 * lc2).add(m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2) + I1 + I2);
    const d2 = cos2.mul(m2 * l1 * lc2).add(m2 * (lc2 * lc2) + I2);
    const phi2 = tf.cos(theta1.add(theta2).sub(Math.PI / 2.0)).mul(m2 * lc2 * g);
    const phi1 = dtheta2
      .square()
      .mul(sin2)
      .mul(-m2 * l1 * lc2)
      .sub(dtheta2.mul(dtheta1).mul(sin2).mul(2 * m2 * l1 * lc2))
      .add(tf.cos(theta1.sub(Math.PI / 2)).mul((m1 * lc1 + m2 * l1) * g))
      .add(phi2);
    const ddtheta2 = a
      .add(d2.div(d1).mul(phi1))
      .sub(dtheta1.square().mul(sin2).mul(m2 * l1 * lc2))
      .sub(phi2)
      .div(tf.scalar(m2 * (lc2 * lc2) + I2).sub(d2.square().div(d1)));
    const ddtheta1 = d2.mul(ddtheta2).add(phi1).div(d1).neg();
    return [dtheta1, dtheta2, ddtheta1, ddtheta2];
  };

  /** JS `wrap(x, −π, π)` as one floor-based shift (the JS loop shifts by 2π until inside). */
  const wrap = (x: Col): Col => x.sub(tf.floor(x.add(Math.PI).div(2 * Math.PI)).mul(2 * Math.PI));

  return {
    ...kernelFacts(acrobotKernel),
    initialState: (n, seed) => tf.unstack(tf.randomUniform([4, n], low, high, 'float32', seed)) as tf.Tensor1D[],
    observe: (s) => {
      const [t1, t2, d1, d2] = s as [Col, Col, Col, Col];
      return tf.stack([tf.cos(t1), tf.sin(t1), tf.cos(t2), tf.sin(t2), d1, d2], 1) as tf.Tensor2D;
    },
    step: (s, action): TensorTransition => {
      const a = action.toFloat().sub(1) as Col;
      const [y0, y1, y2, y3] = s as [Col, Col, Col, Col];
      const dt = p.dt;
      const dt2 = dt / 2.0;
      const k1 = dsdt(a, y0, y1, y2, y3);
      const k2 = dsdt(a, y0.add(k1[0].mul(dt2)), y1.add(k1[1].mul(dt2)), y2.add(k1[2].mul(dt2)), y3.add(k1[3].mul(dt2)));
      const k3 = dsdt(a, y0.add(k2[0].mul(dt2)), y1.add(k2[1].mul(dt2)), y2.add(k2[2].mul(dt2)), y3.add(k2[3].mul(dt2)));
      const k4 = dsdt(a, y0.add(k3[0].mul(dt)), y1.add(k3[1].mul(dt)), y2.add(k3[2].mul(dt)), y3.add(k3[3].mul(dt)));
      const h = dt / 6.0;
      const ns = [y0, y1, y2, y3].map((yj, j) => yj.add(k1[j]!.add(k2[j]!.mul(2)).add(k3[j]!.mul(2)).add(k4[j]!).mul(h)));
      const n0 = wrap(ns[0]!);
      const n1 = wrap(ns[1]!);
      const n2 = ns[2]!.clipByValue(-p.max_vel_1, p.max_vel_1);
      const n3 = ns[3]!.clipByValue(-p.max_vel_2, p.max_vel_2);
      const terminated = tf.cos(n0).neg().sub(tf.cos(n1.add(n0))).greater(1.0) as Col;
      return {
        state: [n0, n1, n2, n3] as tf.Tensor1D[],
        reward: tf.where(terminated, tf.zerosLike(n0), tf.onesLike(n0).neg()) as tf.Tensor1D,
        terminated: terminated as tf.Tensor1D,
      };
    },
  };
}
