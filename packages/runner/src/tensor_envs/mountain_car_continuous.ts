/**
 * MountainCarContinuous-v0 as tf ops over `[N, 2]` states (position, velocity). The same
 * equations, in the same order, as the JS env's `mountainCarContinuousStep` in
 * `packages/env/src/mountain_car_continuous.ts` (which also reproduces numpy's mixed
 * float32/float64 promotion; here everything is float32).
 *
 * | | |
 * |---|---|
 * | Action | float32 `[N, 1]`; the force is clip(a, −1, 1) |
 * | Observation | `[position, velocity]` |
 * | Reward | −0.1·a² with the unclipped a, plus 100 on reaching the goal |
 * | Start | position U(−0.6, −0.4), velocity 0 |
 * | Termination | position ≥ 0.45 and velocity ≥ 0 |
 * | Truncation | 999 steps |
 */
import { Box } from '@rl/env';
import { tf } from '@rl/tf';
import { mountainCarStart } from './mountain_car.js';
import type { TensorDynamics, TensorTransition } from './types.js';

/** Gymnasium's MountainCarContinuous constants (the names of `mountainCarContinuousDefaultParams` in `@rl/env`). */
export const mountainCarContinuousConstants = Object.freeze({
  min_action: -1.0,
  max_action: 1.0,
  min_position: -1.2,
  max_position: 0.6,
  max_speed: 0.07,
  goal_position: 0.45,
  goal_velocity: 0,
  power: 0.0015,
  gravity: 0.0025,
});

/** MountainCarContinuous-v0 dynamics as tf ops. */
export function mountainCarContinuousDynamics(): TensorDynamics {
  const p = mountainCarContinuousConstants;
  return {
    id: 'MountainCarContinuous-v0',
    stateNames: ['position', 'velocity'],
    obsDim: 2,
    maxEpisodeSteps: 999,
    observationSpace: new Box([p.min_position, -p.max_speed], [p.max_position, p.max_speed]),
    actionSpace: new Box([p.min_action], [p.max_action]),
    initialState: mountainCarStart,
    observe: (s) => tf.stack([...s], 1) as tf.Tensor2D,
    step: (s, action): TensorTransition => {
      const a = action.reshape([-1]) as tf.Tensor1D; //                                 const a = f32(action);
      const [position0, velocity0] = s as [tf.Tensor1D, tf.Tensor1D];
      const force = a.clipByValue(p.min_action, p.max_action); //                        force = min(max(action[0], min_action), max_action)
      let velocity = velocity0.add(force.mul(p.power).sub(tf.cos(position0.mul(3)).mul(p.gravity))); // velocity += force·power − 0.0025·cos(3·position)
      velocity = velocity.clipByValue(-p.max_speed, p.max_speed); //                   if (velocity > max_speed) …; if (velocity < −max_speed) …
      let position = position0.add(velocity); //                                       position += velocity
      position = position.clipByValue(p.min_position, p.max_position); //               if (position > max_position) …; if (position < min_position) …
      velocity = tf.where(tf.logicalAnd(position.lessEqual(p.min_position), velocity.less(0)), tf.zerosLike(velocity), velocity); // if (position === min_position && velocity < 0) velocity = 0
      const terminated = tf.logicalAnd(position.greaterEqual(p.goal_position), velocity.greaterEqual(p.goal_velocity)) as tf.Tensor1D;
      const bonus = tf.where(terminated, tf.fill([a.shape[0]], 100), tf.zerosLike(a)); // (terminated ? 100.0 : 0)
      return {
        state: [position, velocity] as tf.Tensor1D[],
        reward: bonus.sub(a.square().mul(0.1)) as tf.Tensor1D, //                         − a·a·0.1
        terminated,
      };
    },
  };
}
