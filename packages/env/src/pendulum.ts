/**
 * # Pendulum-v1
 *
 * The inverted pendulum swing-up: a pendulum on a frictionless pivot starts at a random
 * angle; apply torque to swing it up and keep it upright. Transition for transition the same
 * as Gymnasium 1.x `PendulumEnv` under NumPy 2 (the action is float32; see "Precision").
 *
 * | | |
 * |---|---|
 * | Action space | `Box([−2], [2])` float32: torque on the free end; values outside are clipped to ±max_torque by the dynamics |
 * | Observation space | `Box(3)` float32: cos θ ∈ [−1, 1], sin θ ∈ [−1, 1], θ̇ ∈ [−8, 8] |
 * | Reward | −(angle_normalize(θ)² + 0.1·θ̇² + 0.001·u²), on the state before the step (u the clipped torque); in [−16.27, 0] |
 * | Start state | θ uniform in [−π, π], θ̇ uniform in [−1, 1] (reset options `{ x_init, y_init }` set the bounds ±x_init, ±y_init) |
 * | Termination | never |
 * | Truncation | 200 steps (`Pendulum-v1`); no reward threshold |
 *
 * Dynamics (θ = 0 is upright):
 * ```
 * u   = clip(a, −max_torque, max_torque)
 * θ̇'  = clip(θ̇ + (3g/(2l)·sinθ + 3/(m·l²)·u)·dt, −max_speed, max_speed)
 * θ'  = θ + θ̇'·dt
 * angle_normalize(x) = ((x + π) mod 2π) − π   (Python's mod: the result has the sign of 2π)
 * ```
 *
 * Precision. The action is a float32 array in Gymnasium, so under NumPy 2 (NEP 50) `u`,
 * `u**2`, `0.001·u**2` and `3/(m·l²)·u` are float32 operations; they are done here as double
 * operations rounded by `Math.fround` (exact). One difference remains: NumPy's float32 `u**2`
 * calls the C library's `powf`, which is not correctly rounded; when u² lies within a fraction
 * of a float32 ulp of a rounding midpoint it can round the other way. In Gymnasium's golden
 * output this moved the reward by one float32 ulp of 0.001·u² (2.9e-11) in 2 of 960 steps.
 */
import { ClassicControlEnv } from './classic_env.js';
import { stateColumns, type ClassicKernel, type StepBuffers } from './kernel.js';
import { NativeVectorEnv, type NativeVectorOptions } from './native_vector.js';
import { Box } from './spaces.js';

const f32 = Math.fround;

/** Constants of Pendulum (Gymnasium's names and defaults). */
export interface PendulumParams {
  /** Bound of θ̇ (8). */
  readonly max_speed: number;
  /** Bound of the torque (2). */
  readonly max_torque: number;
  /** Time step, s (0.05). */
  readonly dt: number;
  /** Gravitational acceleration (10; Gymnasium's `g` argument). */
  readonly g: number;
  /** Mass (1). */
  readonly m: number;
  /** Length (1). */
  readonly l: number;
}

/** Gymnasium's Pendulum constants. */
export const pendulumDefaultParams: Readonly<PendulumParams> = Object.freeze({
  max_speed: 8,
  max_torque: 2.0,
  dt: 0.05,
  g: 10.0,
  m: 1.0,
  l: 1.0,
});

/** Pendulum state of N envs. */
export interface PendulumState {
  readonly theta: Float64Array;
  readonly thetaDot: Float64Array;
}

/** Start-state bounds: θ ∈ [−xInit, xInit], θ̇ ∈ [−yInit, yInit]. */
export interface PendulumResetRange {
  readonly xInit: number;
  readonly yInit: number;
}

/** Gymnasium's `angle_normalize`: ((x + π) mod 2π) − π with Python's (floored) mod. */
export function angleNormalize(x: number): number {
  const m = 2 * Math.PI;
  const y = x + Math.PI;
  let r: number;
  // fmod is exact but slow (~20 ns in V8); these two ranges give its exact result directly:
  // y itself on [0, 2π), and y − 2π on [2π, 4π) (exact by Sterbenz's lemma).
  if (y >= 0 && y < m) r = y;
  else if (y >= m && y < 2 * m) r = y - m;
  else {
    r = y % m;
    if (r !== 0 && r < 0) r += m; // Python's modulo takes the sign of the divisor
  }
  return r - Math.PI;
}

/** One Pendulum transition of env i; `action` is the (finite) torque before clipping. */
export function pendulumStep(s: PendulumState, i: number, actions: ArrayLike<number>, p: Readonly<PendulumParams>, out: StepBuffers): void {
  const action = actions[i]!;
  const th = s.theta[i]!;
  const thdot = s.thetaDot[i]!;
  const u = Math.min(Math.max(f32(action), f32(-p.max_torque)), f32(p.max_torque)); // np.clip(u, ...)[0], float32
  const an = angleNormalize(th);
  const costs = an * an + 0.1 * (thdot * thdot) + f32(f32(0.001) * f32(u * u));
  let newthdot = thdot + (((3 * p.g) / (2 * p.l)) * Math.sin(th) + f32(f32(3.0 / (p.m * (p.l * p.l))) * u)) * p.dt;
  newthdot = Math.min(Math.max(newthdot, -p.max_speed), p.max_speed);
  const newth = th + newthdot * p.dt;
  s.theta[i] = newth;
  s.thetaDot[i] = newthdot;
  const o = i * 3;
  out.obs[o] = Math.cos(newth);
  out.obs[o + 1] = Math.sin(newth);
  out.obs[o + 2] = newthdot;
  out.rewards[i] = -costs;
  out.terminated[i] = 0;
}

function readInit(options: Record<string, unknown> | undefined, key: string, d: number): number {
  if (!options || options[key] === undefined) return d;
  const v = options[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`Pendulum-v1: reset option ${key} must be a finite number, got ${String(v)}`);
  return v;
}

/** Pendulum as kernel functions (see {@link ClassicKernel}). */
export const pendulumKernel: ClassicKernel<PendulumState, PendulumParams, PendulumResetRange> = {
  id: 'Pendulum-v1',
  stateNames: ['theta', 'theta_dot'],
  obsDim: 3,
  defaultParams: pendulumDefaultParams,
  actionSpace: (p) => new Box([-p.max_torque], [p.max_torque]),
  observationSpace: (p) => new Box([-1, -1, -p.max_speed], [1, 1, p.max_speed]),
  createState: (n) => ({ theta: new Float64Array(n), thetaDot: new Float64Array(n) }),
  resetRange: (options) => {
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw new TypeError(`Pendulum-v1: reset options must be an object, got ${String(options)}`);
      for (const k of Object.keys(options)) {
        if (k !== 'x_init' && k !== 'y_init') throw new RangeError(`Pendulum-v1: unknown reset option "${k}" (known: x_init, y_init)`);
      }
    }
    return { xInit: readInit(options, 'x_init', Math.PI), yInit: readInit(options, 'y_init', 1.0) };
  },
  reset: (s, i, rng, _p, r) => {
    // high = [x_init, y_init]; low = -high; state = uniform(low, high)
    s.theta[i] = rng.uniform(-r.xInit, r.xInit);
    s.thetaDot[i] = rng.uniform(-r.yInit, r.yInit);
  },
  observe: (s, i, _p, obs) => {
    const th = s.theta[i]!;
    obs[i * 3] = Math.cos(th);
    obs[i * 3 + 1] = Math.sin(th);
    obs[i * 3 + 2] = s.thetaDot[i]!;
  },
  step: pendulumStep,
  ...stateColumns<PendulumState>(['theta', 'thetaDot']),
};

/** Pendulum-v1 as a single env (no time limit: `make('Pendulum-v1')` adds the 200-step one). */
export class PendulumEnv extends ClassicControlEnv<PendulumState, PendulumParams, PendulumResetRange> {
  constructor(params?: Partial<PendulumParams>) {
    super(pendulumKernel, params);
  }
}

/** N Pendulums stepped in one loop over typed arrays. */
export class PendulumVectorEnv extends NativeVectorEnv<PendulumState, PendulumParams, PendulumResetRange> {
  constructor(numEnvs: number, opts?: NativeVectorOptions) {
    super(pendulumKernel, numEnvs, opts);
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
      pendulumStep(s, i, actions, p, out);
      const t = ++steps[i]! >= max ? 1 : 0;
      trunc[i] = t;
      if ((term[i]! | t) !== 0) this.endEpisode(i);
    }
  }
}
