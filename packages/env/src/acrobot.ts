/**
 * # Acrobot-v1
 *
 * Two links in a chain, the first hanging from a fixed joint; torque acts only on the joint
 * between them. Swing the free end above the bar (Sutton 1996; Sutton & Barto's "book"
 * dynamics). Transition for transition the same as Gymnasium 1.x `AcrobotEnv`: one RK4 step of
 * the book dynamics over [0, dt] (Gymnasium's own `rk4` with the torque carried as a fifth,
 * constant state value), then θ1, θ2 wrapped into [−π, π] and the velocities bounded.
 *
 * | | |
 * |---|---|
 * | Action space | `Discrete(3)`: torque −1, 0, +1 on the middle joint (torque = action − 1) |
 * | Observation space | `Box(6)` float32: cos θ1, sin θ1, cos θ2, sin θ2 ∈ [−1, 1]; θ̇1 ∈ [−4π, 4π]; θ̇2 ∈ [−9π, 9π] |
 * | Reward | −1 per step, 0 on the step that reaches the goal |
 * | Start state | θ1, θ2, θ̇1, θ̇2 each uniform in [−0.1, 0.1] (reset option `{ low, high }`) |
 * | Termination | −cos θ1 − cos(θ1 + θ2) > 1 (the free end is a link's length above the bar) |
 * | Truncation | 500 steps (`Acrobot-v1`); reward threshold −100 |
 *
 * Book dynamics (`a` the torque):
 * ```
 * d1  = m1·lc1² + m2·(l1² + lc2² + 2·l1·lc2·cosθ2) + I1 + I2
 * d2  = m2·(lc2² + l1·lc2·cosθ2) + I2
 * φ2  = m2·lc2·g·cos(θ1 + θ2 − π/2)
 * φ1  = −m2·l1·lc2·θ̇2²·sinθ2 − 2·m2·l1·lc2·θ̇2·θ̇1·sinθ2 + (m1·lc1 + m2·l1)·g·cos(θ1 − π/2) + φ2
 * θ̈2  = (a + d2/d1·φ1 − m2·l1·lc2·θ̇1²·sinθ2 − φ2) / (m2·lc2² + I2 − d2²/d1)
 * θ̈1  = −(d2·θ̈2 + φ1) / d1
 * ```
 */
import { ClassicControlEnv } from './classic_env.js';
import { parseResetBounds, type ClassicKernel, type StepBuffers, stateColumns } from './kernel.js';
import { NativeVectorEnv, type NativeVectorOptions } from './native_vector.js';
import type { UniformRange } from './cartpole.js';
import { Box, Discrete } from './spaces.js';

/** Physical constants of Acrobot (Gymnasium's values; names in lower case). */
export interface AcrobotParams {
  /** Integration step, s (0.2). */
  readonly dt: number;
  /** Length of link 1, m (1). */
  readonly link_length_1: number;
  /** Length of link 2, m (1; only drawn, as in Gymnasium). */
  readonly link_length_2: number;
  /** Mass of link 1, kg (1). */
  readonly link_mass_1: number;
  /** Mass of link 2, kg (1). */
  readonly link_mass_2: number;
  /** Position of link 1's centre of mass, m (0.5). */
  readonly link_com_pos_1: number;
  /** Position of link 2's centre of mass, m (0.5). */
  readonly link_com_pos_2: number;
  /** Moment of inertia of both links (1). */
  readonly link_moi: number;
  /** Gravitational acceleration (9.8). */
  readonly gravity: number;
  /** Bound of θ̇1 (4π). */
  readonly max_vel_1: number;
  /** Bound of θ̇2 (9π). */
  readonly max_vel_2: number;
  /** "book" (Gymnasium's default) or "nips" dynamics. */
  readonly book_or_nips: 'book' | 'nips';
}

/** Gymnasium's Acrobot constants. */
export const acrobotDefaultParams: Readonly<AcrobotParams> = Object.freeze({
  dt: 0.2,
  link_length_1: 1.0,
  link_length_2: 1.0,
  link_mass_1: 1.0,
  link_mass_2: 1.0,
  link_com_pos_1: 0.5,
  link_com_pos_2: 0.5,
  link_moi: 1.0,
  gravity: 9.8,
  max_vel_1: 4 * Math.PI,
  max_vel_2: 9 * Math.PI,
  book_or_nips: 'book' as const,
});

/** Acrobot state of N envs. */
export interface AcrobotState {
  readonly theta1: Float64Array;
  readonly theta2: Float64Array;
  readonly dtheta1: Float64Array;
  readonly dtheta2: Float64Array;
}

// RK4 scratch (single thread, so module-level is safe): Y holds the point the derivative is taken
// at, K the four derivatives k1..k4. Passing offsets instead of doubles keeps a non-inlined
// call from boxing numbers (no allocation per step).
const Y = new Float64Array(4);
const K = new Float64Array(16);

/** Gymnasium's `_dsdt` at the point in Y (torque a): writes (θ̇1, θ̇2, θ̈1, θ̈2) into K at offset o. */
function dsdt(p: Readonly<AcrobotParams>, a: number, o: number): void {
  const m1 = p.link_mass_1;
  const m2 = p.link_mass_2;
  const l1 = p.link_length_1;
  const lc1 = p.link_com_pos_1;
  const lc2 = p.link_com_pos_2;
  const I1 = p.link_moi;
  const I2 = p.link_moi;
  const g = p.gravity;
  const theta1 = Y[0]!;
  const theta2 = Y[1]!;
  const dtheta1 = Y[2]!;
  const dtheta2 = Y[3]!;
  const cos2 = Math.cos(theta2);
  const sin2 = Math.sin(theta2);
  const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + I1 + I2;
  const d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 +
    (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  let ddtheta2: number;
  if (p.book_or_nips === 'nips') {
    ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
  } else {
    ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2) / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
  }
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  K[o] = dtheta1;
  K[o + 1] = dtheta2;
  K[o + 2] = ddtheta1;
  K[o + 3] = ddtheta2;
}

/** Y = y0 + h·K[o..o+3] (one RK4 stage point). */
function stage(y0: Float64Array, h: number, o: number): void {
  Y[0] = y0[0]! + h * K[o]!;
  Y[1] = y0[1]! + h * K[o + 1]!;
  Y[2] = y0[2]! + h * K[o + 2]!;
  Y[3] = y0[3]! + h * K[o + 3]!;
}

const Y0 = new Float64Array(4);

/** Gymnasium's `wrap`: shifts x by multiples of M − m until it lies in [m, M]. */
export function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

/** Gymnasium's `bound`: min(max(x, m), M). */
export function bound(x: number, m: number, M: number): number {
  return Math.min(Math.max(x, m), M);
}

/**
 * One Acrobot transition of env i (action 0, 1 or 2, already checked): RK4 over [0, dt] as
 * Gymnasium's `rk4` (k2 from y0 + dt/2·k1, k3 from y0 + dt/2·k2, k4 from y0 + dt·k3,
 * y = y0 + dt/6·(k1 + 2k2 + 2k3 + k4)), wrap, bound, then reward and termination.
 */
export function acrobotStep(s: AcrobotState, i: number, actions: ArrayLike<number>, p: Readonly<AcrobotParams>, out: StepBuffers): void {
  const action = actions[i]!;
  const a = action - 1; // AVAIL_TORQUE = [-1, 0, +1]
  Y0[0] = s.theta1[i]!;
  Y0[1] = s.theta2[i]!;
  Y0[2] = s.dtheta1[i]!;
  Y0[3] = s.dtheta2[i]!;
  const dt = p.dt - 0; // t = [0, dt]: dt = t[1] − t[0]
  const dt2 = dt / 2.0;
  Y.set(Y0);
  dsdt(p, a, 0);
  stage(Y0, dt2, 0);
  dsdt(p, a, 4);
  stage(Y0, dt2, 4);
  dsdt(p, a, 8);
  stage(Y0, dt, 8);
  dsdt(p, a, 12);
  const h = dt / 6.0;
  let n0 = Y0[0]! + h * (K[0]! + 2 * K[4]! + 2 * K[8]! + K[12]!);
  let n1 = Y0[1]! + h * (K[1]! + 2 * K[5]! + 2 * K[9]! + K[13]!);
  let n2 = Y0[2]! + h * (K[2]! + 2 * K[6]! + 2 * K[10]! + K[14]!);
  let n3 = Y0[3]! + h * (K[3]! + 2 * K[7]! + 2 * K[11]! + K[15]!);
  n0 = wrap(n0, -Math.PI, Math.PI);
  n1 = wrap(n1, -Math.PI, Math.PI);
  n2 = bound(n2, -p.max_vel_1, p.max_vel_1);
  n3 = bound(n3, -p.max_vel_2, p.max_vel_2);
  s.theta1[i] = n0;
  s.theta2[i] = n1;
  s.dtheta1[i] = n2;
  s.dtheta2[i] = n3;
  acrobotObserve(s, i, p, out.obs);
  const terminated = -Math.cos(n0) - Math.cos(n1 + n0) > 1.0;
  out.terminated[i] = terminated ? 1 : 0;
  out.rewards[i] = terminated ? 0.0 : -1.0;
}

function acrobotObserve(s: AcrobotState, i: number, _p: unknown, obs: Float32Array): void {
  const t1 = s.theta1[i]!;
  const t2 = s.theta2[i]!;
  const o = i * 6;
  obs[o] = Math.cos(t1);
  obs[o + 1] = Math.sin(t1);
  obs[o + 2] = Math.cos(t2);
  obs[o + 3] = Math.sin(t2);
  obs[o + 4] = s.dtheta1[i]!;
  obs[o + 5] = s.dtheta2[i]!;
}

/** Acrobot as kernel functions (see {@link ClassicKernel}). */
export const acrobotKernel: ClassicKernel<AcrobotState, AcrobotParams, UniformRange> = {
  id: 'Acrobot-v1',
  stateNames: ['theta1', 'theta2', 'dtheta1', 'dtheta2'],
  obsDim: 6,
  defaultParams: acrobotDefaultParams,
  validateParams: (p) => {
    if (p.book_or_nips !== 'book' && p.book_or_nips !== 'nips') throw new RangeError(`Acrobot-v1: option book_or_nips must be "book" or "nips", got "${p.book_or_nips}"`);
  },
  actionSpace: () => new Discrete(3),
  observationSpace: (p) => {
    const high = [1, 1, 1, 1, p.max_vel_1, p.max_vel_2];
    return new Box(high.map((h) => -h), high);
  },
  createState: (n) => ({ theta1: new Float64Array(n), theta2: new Float64Array(n), dtheta1: new Float64Array(n), dtheta2: new Float64Array(n) }),
  resetRange: (options) => parseResetBounds('Acrobot-v1', options, -0.1, 0.1),
  reset: (s, i, rng, _p, r) => {
    s.theta1[i] = rng.uniform(r.low, r.high);
    s.theta2[i] = rng.uniform(r.low, r.high);
    s.dtheta1[i] = rng.uniform(r.low, r.high);
    s.dtheta2[i] = rng.uniform(r.low, r.high);
  },
  observe: acrobotObserve,
  step: acrobotStep,
  ...stateColumns<AcrobotState>(['theta1', 'theta2', 'dtheta1', 'dtheta2']),
};

/** Acrobot-v1 as a single env (no time limit: `make('Acrobot-v1')` adds the 500-step one). */
export class AcrobotEnv extends ClassicControlEnv<AcrobotState, AcrobotParams, UniformRange> {
  constructor(params?: Partial<AcrobotParams>) {
    super(acrobotKernel, params);
  }
}

/** N Acrobots stepped in one loop over typed arrays. */
export class AcrobotVectorEnv extends NativeVectorEnv<AcrobotState, AcrobotParams, UniformRange> {
  constructor(numEnvs: number, opts?: NativeVectorOptions) {
    super(acrobotKernel, numEnvs, opts);
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
      acrobotStep(s, i, actions, p, out);
      const t = ++steps[i]! >= max ? 1 : 0;
      trunc[i] = t;
      if ((term[i]! | t) !== 0) this.endEpisode(i);
    }
  }
}
