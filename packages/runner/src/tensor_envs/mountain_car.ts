/**
 * MountainCar-v0 as tf ops over `[N, 2]` states (position, velocity). The same equations, in
 * the same order, as the JS env's `mountainCarStep` in `packages/env/src/mountain_car.ts`.
 * Float32.
 *
 * | | |
 * |---|---|
 * | Action | int32 `[N]`: 0 push left, 1 no push, 2 push right |
 * | Observation | `[position, velocity]` |
 * | Reward | −1 on every step |
 * | Start | position U(−0.6, −0.4), velocity 0 |
 * | Termination | position ≥ 0.5 and velocity ≥ 0 |
 * | Truncation | 200 steps |
 */
import { Box, Discrete } from '@rl/env';
import { tf } from '@rl/tf';
import type { TensorDynamics, TensorTransition } from './types.js';

/** Gymnasium's MountainCar constants (the names of `mountainCarDefaultParams` in `@rl/env`). */
export const mountainCarConstants = Object.freeze({
  min_position: -1.2,
  max_position: 0.6,
  max_speed: 0.07,
  goal_position: 0.5,
  goal_velocity: 0,
  force: 0.001,
  gravity: 0.0025,
});

/** MountainCar start states: position U(−0.6, −0.4), velocity 0 (shared with the continuous one). */
export function mountainCarStart(n: number, seed: number): tf.Tensor1D[] {
  return [tf.randomUniform([n], -0.6, -0.4, 'float32', seed) as tf.Tensor1D, tf.zeros([n]) as tf.Tensor1D];
}

/** MountainCar-v0 dynamics as tf ops. */
export function mountainCarDynamics(): TensorDynamics {
  const p = mountainCarConstants;
  return {
    id: 'MountainCar-v0',
    stateNames: ['position', 'velocity'],
    obsDim: 2,
    maxEpisodeSteps: 200,
    observationSpace: new Box([p.min_position, -p.max_speed], [p.max_position, p.max_speed]),
    actionSpace: new Discrete(3),
    initialState: mountainCarStart,
    observe: (s) => tf.stack([...s], 1) as tf.Tensor2D,
    step: (s, action): TensorTransition => {
      const [position0, velocity0] = s as [tf.Tensor1D, tf.Tensor1D];
      let velocity = velocity0.add(action.toFloat().sub(1).mul(p.force)).add(tf.cos(position0.mul(3)).mul(-p.gravity)); // velocity += (action − 1)·force + cos(3·position)·(−gravity);
      velocity = velocity.clipByValue(-p.max_speed, p.max_speed); //                   velocity = min(max(velocity, −max_speed), max_speed);
      let position = position0.add(velocity); //                                       position += velocity;
      position = position.clipByValue(p.min_position, p.max_position); //               position = min(max(position, min_position), max_position);
      velocity = tf.where(tf.logicalAnd(position.lessEqual(p.min_position), velocity.less(0)), tf.zerosLike(velocity), velocity); // if (position === min_position && velocity < 0) velocity = 0;
      const terminated = tf.logicalAnd(position.greaterEqual(p.goal_position), velocity.greaterEqual(p.goal_velocity)); // position ≥ goal_position && velocity ≥ goal_velocity
      return {
        state: [position, velocity] as tf.Tensor1D[],
        reward: tf.onesLike(position).neg() as tf.Tensor1D, //                         out.rewards[i] = −1.0;
        terminated: terminated as tf.Tensor1D,
      };
    },
  };
}
