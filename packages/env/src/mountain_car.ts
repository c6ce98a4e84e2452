/**
 * # MountainCar-v0
 *
 * A car at the bottom of a sinusoidal valley, too weak to drive straight up the right hill:
 * rock back and forth to build momentum (Moore 1990). Transition for transition the same as
 * Gymnasium 1.x `MountainCarEnv`.
 *
 * | | |
 * |---|---|
 * | Action space | `Discrete(3)`: 0 accelerate left, 1 don't accelerate, 2 accelerate right |
 * | Observation space | `Box(2)` float32: position ∈ [−1.2, 0.6], velocity ∈ [−0.07, 0.07] |
 * | Reward | −1 on every step |
 * | Start state | position uniform in [−0.6, −0.4] (reset option `{ low, high }`), velocity 0 |
 * | Termination | position ≥ 0.5 and velocity ≥ 0 (the flag on the right hill) |
 * | Truncation | 200 steps (`MountainCar-v0`); reward threshold −110 |
 *
 * Dynamics:
 * ```
 * v += (a − 1)·force + cos(3p)·(−gravity);  v = clip(v, −max_speed, max_speed)
 * p += v;  p = clip(p, min_position, max_position);  if p = min_position and v < 0: v = 0
 * ```
 */
import { ClassicControlEnv } from './classic_env.js';
import { parseResetBounds, type ClassicKernel, type StepBuffers, stateColumns } from './kernel.js';
import { NativeVectorEnv, type NativeVectorOptions } from './native_vector.js';
import type { UniformRange } from './cartpole.js';
import { Box, Discrete } from './spaces.js';

/** Constants of MountainCar (Gymnasium's names and defaults). */
export interface MountainCarParams {
  /** Left wall (−1.2). */
  readonly min_position: number;
  /** Right wall (0.6). */
  readonly max_position: number;
  /** Speed bound (0.07). */
  readonly max_speed: number;
  /** Goal position (0.5). */
  readonly goal_position: number;
  /** Minimum velocity at the goal (0). */
  readonly goal_velocity: number;
  /** Engine force per unit of action (0.001). */
  readonly force: number;
  /** Gravity factor of the slope (0.0025). */
  readonly gravity: number;
}

/** Gymnasium's MountainCar constants. */
export const mountainCarDefaultParams: Readonly<MountainCarParams> = Object.freeze({
  min_position: -1.2,
  max_position: 0.6,
  max_speed: 0.07,
  goal_position: 0.5,
  goal_velocity: 0,
  force: 0.001,
  gravity: 0.0025,
});

/** MountainCar state of N envs. */
export interface MountainCarState {
  readonly position: Float64Array;
  readonly velocity: Float64Array;
}

/** One MountainCar transition of env i (action 0, 1 or 2, already checked). */
export function mountainCarStep(s: MountainCarState, i: number, actions: ArrayLike<number>, p: Readonly<MountainCarParams>, out: StepBuffers): void {
  const action = actions[i]!;
  let position = s.position[i]!;
  let velocity = s.velocity[i]!;
  velocity += (action - 1) * p.force + Math.cos(3 * position) * -p.gravity;
  velocity = Math.min(Math.max(velocity, -p.max_speed), p.max_speed);
  position += velocity;
  position = Math.min(Math.max(position, p.min_position), p.max_position);
  if (position === p.min_position && velocity < 0) velocity = 0;
  s.position[i] = position;
  s.velocity[i] = velocity;
  out.obs[i * 2] = position;
  out.obs[i * 2 + 1] = velocity;
  out.terminated[i] = position >= p.goal_position && velocity >= p.goal_velocity ? 1 : 0;
  out.rewards[i] = -1.0;
}

/** MountainCar as kernel functions (see {@link ClassicKernel}). */
export const mountainCarKernel: ClassicKernel<MountainCarState, MountainCarParams, UniformRange> = {
  id: 'MountainCar-v0',
  stateNames: ['position', 'velocity'],
  obsDim: 2,
  defaultParams: mountainCarDefaultParams,
  actionSpace: () => new Discrete(3),
  observationSpace: (p) => new Box([p.min_position, -p.max_speed], [p.max_position, p.max_speed]),
  createState: (n) => ({ position: new Float64Array(n), velocity: new Float64Array(n) }),
  resetRange: (options) => parseResetBounds('MountainCar-v0', options, -0.6, -0.4),
  reset: (s, i, rng, _p, r) => {
    s.position[i] = rng.uniform(r.low, r.high);
    s.velocity[i] = 0;
  },
  observe: (s, i, _p, obs) => {
    obs[i * 2] = s.position[i]!;
    obs[i * 2 + 1] = s.velocity[i]!;
  },
  step: mountainCarStep,
  ...stateColumns<MountainCarState>(['position', 'velocity']),
};

/** MountainCar-v0 as a single env (no time limit: `make('MountainCar-v0')` adds the 200-step one). */
export class MountainCarEnv extends ClassicControlEnv<MountainCarState, MountainCarParams, UniformRange> {
  constructor(params?: Partial<MountainCarParams>) {
    super(mountainCarKernel, params);
  }
}

/** N MountainCars stepped in one loop over typed arrays. */
export class MountainCarVectorEnv extends NativeVectorEnv<MountainCarState, MountainCarParams, UniformRange> {
  constructor(numEnvs: number, opts?: NativeVectorOptions) {
    super(mountainCarKernel, numEnvs, opts);
  }

  protected stepBatch(actions: ArrayLike<number>): void {
    const s = this.s;
    const p = this.params;
    const out = this.out;
    const term = out.terminated;
    const trunc = this.truncated;
    const steps = this.steps;
    const max = this.maxEpisodeSteps;
    const n = this.numEnvs;
    for (let i = 0; i < n; i++) {
      mountainCarStep(s, i, actions, p, out);
      const t = ++steps[i]! >= max ? 1 : 0;
      trunc[i] = t;
      if ((term[i]! | t) !== 0) this.endEpisode(i);
    }
  }
}
