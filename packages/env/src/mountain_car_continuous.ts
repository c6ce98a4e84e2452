/**
 * # MountainCarContinuous-v0
 *
 * MountainCar with a continuous engine force: reach the flag at position 0.45 while spending
 * little energy. Transition for transition the same as Gymnasium 1.x `Continuous_MountainCarEnv`
 * under NumPy 2, including its float32 arithmetic (see "Precision" below).
 *
 * | | |
 * |---|---|
 * | Action space | `Box([−1], [1])` float32: the engine force; values outside are clipped to ±1 by the dynamics (force only) |
 * | Observation space | `Box(2)` float32: position ∈ [−1.2, 0.6], velocity ∈ [−0.07, 0.07] |
 * | Reward | −0.1·a² each step with the unclipped action a, plus 100 on the step that reaches the goal |
 * | Start state | position uniform in [−0.6, −0.4] (reset option `{ low, high }`), velocity 0 |
 * | Termination | position ≥ 0.45 and velocity ≥ 0 |
 * | Truncation | 999 steps (`MountainCarContinuous-v0`); reward threshold 90 |
 *
 * Dynamics:
 * ```
 * force = clip(a, −1, 1);  v += force·power − 0.0025·cos(3p);  v = clip(v, ±max_speed)
 * p += v;  p = clip(p, min_position, max_position);  if p = min_position and v < 0: v = 0
 * ```
 *
 * Precision. Gymnasium stores this env's state as a float32 array after every step (its reset
 * state is float64), and the action is a float32 array. Under NumPy 2's promotion rules
 * (NEP 50) part of the arithmetic then runs in float32: a Python float meeting a float32 value
 * is cast to float32 first. This kernel follows those rules operation by operation (each
 * float32 operation is a double operation rounded with `Math.fround`, which is exact), so it
 * matches Gymnasium bit for bit. The env tracks whether its state is Gymnasium's float32
 * state (after a step) or float64 (after reset); a state set through `env.state` counts as
 * float32 when both values are float32 numbers.
 */
import { ClassicControlEnv } from './classic_env.js';
import { parseResetBounds, type ClassicKernel, type StepBuffers } from './kernel.js';
import { NativeVectorEnv, type NativeVectorOptions } from './native_vector.js';
import type { UniformRange } from './cartpole.js';
import { Box } from './spaces.js';

const f32 = Math.fround;

/** Constants of MountainCarContinuous (Gymnasium's names and defaults). */
export interface MountainCarContinuousParams {
  /** Lower clip of the force (−1). */
  readonly min_action: number;
  /** Upper clip of the force (1). */
  readonly max_action: number;
  /** Left wall (−1.2). */
  readonly min_position: number;
  /** Right wall (0.6). */
  readonly max_position: number;
  /** Speed bound (0.07). */
  readonly max_speed: number;
  /** Goal position (0.45). */
  readonly goal_position: number;
  /** Minimum velocity at the goal (0). */
  readonly goal_velocity: number;
  /** Engine power (0.0015). */
  readonly power: number;
  /** Gravity factor of the slope (0.0025, a literal in Gymnasium). */
  readonly gravity: number;
}

/** Gymnasium's MountainCarContinuous constants. */
export const mountainCarContinuousDefaultParams: Readonly<MountainCarContinuousParams> = Object.freeze({
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

/** MountainCarContinuous state of N envs; `isFloat32[i]` is 1 while env i holds Gymnasium's float32 state. */
export interface MountainCarContinuousState {
  readonly position: Float64Array;
  readonly velocity: Float64Array;
  readonly isFloat32: Uint8Array;
}

// Value kinds of NEP 50: 0 float64, 1 float32, 2 Python float ("weak": cast to float32 when met with float32).
const F64 = 0;
const F32 = 1;
const PY = 2;

/** A Python-float constant as seen by a value of the given kind (cast to float32 against float32). */
function lim(x: number, kind: number): number {
  return kind === F32 ? f32(x) : x;
}

/**
 * One MountainCarContinuous transition of env i; `action` is the (finite) force before
 * clipping. Follows Gymnasium's `step` with NumPy 2 scalar semantics: the action is float32,
 * the state float32 after the first step.
 */
export function mountainCarContinuousStep(
  s: MountainCarContinuousState,
  i: number,
  actions: ArrayLike<number>,
  p: Readonly<MountainCarContinuousParams>,
  out: StepBuffers,
): void {
  const action = actions[i]!;
  const a = f32(action);
  const stateKind = s.isFloat32[i] === 1 ? F32 : F64;
  let position = s.position[i]!;
  let velocity = s.velocity[i]!;
  let posKind = stateKind;
  let velKind = stateKind;
  // force = min(max(action[0], min_action), max_action): a clipped force is a Python float.
  let force = a;
  let forceKind = F32;
  if (f32(p.min_action) > a) {
    force = p.min_action;
    forceKind = PY;
  }
  if (f32(p.max_action) < force) {
    force = p.max_action;
    forceKind = PY;
  }
  // velocity += force * power - 0.0025 * math.cos(3 * position)
  const cosine = Math.cos(posKind === F32 ? f32(3 * position) : 3 * position); // math.cos → Python float
  const slope = p.gravity * cosine; // Python float
  let dv: number;
  let dvKind: number;
  if (forceKind === PY) {
    dv = force * p.power - slope;
    dvKind = PY;
  } else {
    dv = f32(f32(force * f32(p.power)) - f32(slope));
    dvKind = F32;
  }
  if (velKind === F32) {
    velocity = f32(velocity + (dvKind === PY ? f32(dv) : dv));
  } else {
    velocity = velocity + dv;
  }
  if (velocity > lim(p.max_speed, velKind)) {
    velocity = p.max_speed;
    velKind = PY;
  }
  if (velocity < lim(-p.max_speed, velKind)) {
    velocity = -p.max_speed;
    velKind = PY;
  }
  // position += velocity
  if (posKind === F32 && velKind !== F64) {
    position = f32(position + (velKind === PY ? f32(velocity) : velocity));
  } else {
    position = position + velocity;
    posKind = F64;
  }
  if (position > lim(p.max_position, posKind)) {
    position = p.max_position;
    posKind = PY;
  }
  if (position < lim(p.min_position, posKind)) {
    position = p.min_position;
    posKind = PY;
  }
  if (position === lim(p.min_position, posKind) && velocity < 0) {
    velocity = 0;
    velKind = PY;
  }
  const terminated = position >= lim(p.goal_position, posKind) && velocity >= lim(p.goal_velocity, velKind);
  // reward = (100 if terminated else 0) - math.pow(action[0], 2) * 0.1, with the unclipped float32 action
  out.rewards[i] = (terminated ? 100.0 : 0) - a * a * 0.1;
  out.terminated[i] = terminated ? 1 : 0;
  // self.state = np.array([position, velocity], dtype=np.float32)
  const pos32 = f32(position);
  const vel32 = f32(velocity);
  s.position[i] = pos32;
  s.velocity[i] = vel32;
  s.isFloat32[i] = 1;
  out.obs[i * 2] = pos32;
  out.obs[i * 2 + 1] = vel32;
}

/** MountainCarContinuous as kernel functions (see {@link ClassicKernel}). */
export const mountainCarContinuousKernel: ClassicKernel<MountainCarContinuousState, MountainCarContinuousParams, UniformRange> = {
  id: 'MountainCarContinuous-v0',
  stateNames: ['position', 'velocity'],
  obsDim: 2,
  defaultParams: mountainCarContinuousDefaultParams,
  actionSpace: (p) => new Box([p.min_action], [p.max_action]),
  observationSpace: (p) => new Box([p.min_position, -p.max_speed], [p.max_position, p.max_speed]),
  createState: (n) => ({ position: new Float64Array(n), velocity: new Float64Array(n), isFloat32: new Uint8Array(n) }),
  resetRange: (options) => parseResetBounds('MountainCarContinuous-v0', options, -0.6, -0.4),
  reset: (s, i, rng, _p, r) => {
    s.position[i] = rng.uniform(r.low, r.high);
    s.velocity[i] = 0;
    s.isFloat32[i] = 0;
  },
  observe: (s, i, _p, obs) => {
    obs[i * 2] = s.position[i]!;
    obs[i * 2 + 1] = s.velocity[i]!;
  },
  step: mountainCarContinuousStep,
  readState: (s, i, out) => {
    out[0] = s.position[i]!;
    out[1] = s.velocity[i]!;
  },
  writeState: (s, i, v) => {
    s.position[i] = v[0]!;
    s.velocity[i] = v[1]!;
    s.isFloat32[i] = f32(v[0]!) === v[0] && f32(v[1]!) === v[1] ? 1 : 0;
  },
};

/** MountainCarContinuous-v0 as a single env (no time limit: `make` adds the 999-step one). */
export class MountainCarContinuousEnv extends ClassicControlEnv<MountainCarContinuousState, MountainCarContinuousParams, UniformRange> {
  constructor(params?: Partial<MountainCarContinuousParams>) {
    super(mountainCarContinuousKernel, params);
  }
}

/** N MountainCarContinuous envs stepped in one loop over typed arrays. */
export class MountainCarContinuousVectorEnv extends NativeVectorEnv<MountainCarContinuousState, MountainCarContinuousParams, UniformRange> {
  constructor(numEnvs: number, opts?: NativeVectorOptions) {
    super(mountainCarContinuousKernel, numEnvs, opts);
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
      mountainCarContinuousStep(s, i, actions, p, out);
      const t = ++steps[i]! >= max ? 1 : 0;
      trunc[i] = t;
      if ((term[i]! | t) !== 0) this.endEpisode(i);
    }
  }
}
