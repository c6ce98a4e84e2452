/**
 * # CartPole-v1
 *
 * A pole is attached by an un-actuated joint to a cart moving along a frictionless track.
 * Push the cart left or right to keep the pole upright (Barto, Sutton & Anderson, 1983).
 * Transition for transition the same as Gymnasium 1.x `CartPoleEnv` (explicit Euler).
 *
 * | | |
 * |---|---|
 * | Action space | `Discrete(2)`: 0 pushes the cart left, 1 pushes it right, with force `force_mag` (10 N) |
 * | Observation space | `Box(4)` float32: cart position x ∈ [−4.8, 4.8], cart velocity ẋ ∈ (−∞, ∞), pole angle θ ∈ [−0.41887903, 0.41887903] rad (±24°), pole angular velocity θ̇ ∈ (−∞, ∞) |
 * | Reward | +1 for every step taken, the terminating step included |
 * | Start state | x, ẋ, θ, θ̇ each uniform in [−0.05, 0.05] (reset option `{ low, high }` changes the range) |
 * | Termination | \|x\| > 2.4 (the cart leaves the track) or \|θ\| > 12° (0.2095 rad) |
 * | Truncation | 500 steps (`CartPole-v1` in the registry; the bare env has none); reward threshold 475 |
 *
 * Dynamics (tau = 0.02 s), in Gymnasium's operation order:
 * ```
 * temp  = (F + m_p·l·θ̇²·sinθ) / (m_c + m_p)
 * θ̈     = (g·sinθ − cosθ·temp) / (l·(4/3 − m_p·cos²θ/(m_c + m_p)))
 * ẍ     = temp − m_p·l·θ̈·cosθ/(m_c + m_p)
 * x += τ·ẋ;  ẋ += τ·ẍ;  θ += τ·θ̇;  θ̇ += τ·θ̈
 * ```
 */
import { ClassicControlEnv } from './classic_env.js';
import { parseResetBounds, type ClassicKernel, type StepBuffers, stateColumns } from './kernel.js';
import { NativeVectorEnv, type NativeVectorOptions } from './native_vector.js';
import type { Rng } from './rng.js';
import { Box, Discrete } from './spaces.js';

/** Physical constants of CartPole (Gymnasium's names and defaults). */
export interface CartPoleParams {
  /** Gravitational acceleration, m/s² (9.8). */
  readonly gravity: number;
  /** Cart mass, kg (1.0). */
  readonly masscart: number;
  /** Pole mass, kg (0.1). */
  readonly masspole: number;
  /** Half the pole's length, m (0.5). */
  readonly length: number;
  /** Magnitude of the push, N (10). */
  readonly force_mag: number;
  /** Seconds between state updates (0.02). */
  readonly tau: number;
  /** Pole angle beyond which the episode terminates, rad (12·2π/360). */
  readonly theta_threshold_radians: number;
  /** Cart position beyond which the episode terminates, m (2.4). */
  readonly x_threshold: number;
}

/** Gymnasium's CartPole constants. */
export const cartPoleDefaultParams: Readonly<CartPoleParams> = Object.freeze({
  gravity: 9.8,
  masscart: 1.0,
  masspole: 0.1,
  length: 0.5,
  force_mag: 10.0,
  tau: 0.02,
  theta_threshold_radians: (12 * 2 * Math.PI) / 360,
  x_threshold: 2.4,
});

/** CartPole state of N envs: one float64 array per state value. */
export interface CartPoleState {
  readonly x: Float64Array;
  readonly xDot: Float64Array;
  readonly theta: Float64Array;
  readonly thetaDot: Float64Array;
}

/** Start-state range (Gymnasium's `low` / `high` reset options). */
export interface UniformRange {
  readonly low: number;
  readonly high: number;
}

/**
 * One CartPole transition of env i (action 0 or 1, already checked): Gymnasium's `step`,
 * same operations in the same order. Writes the new state, the float32 observation row,
 * reward 1 and the terminated flag.
 */
export function cartPoleStep(s: CartPoleState, i: number, actions: ArrayLike<number>, p: Readonly<CartPoleParams>, out: StepBuffers): void {
  const action = actions[i]!;
  // Arrays and constants are read once into locals: this keeps the function under V8's inlining
  // size limit, so the native vector env's loop inlines it.
  const xs = s.x;
  const xDots = s.xDot;
  const thetas = s.theta;
  const thetaDots = s.thetaDot;
  const x = xs[i]!;
  const xDot = xDots[i]!;
  const theta = thetas[i]!;
  const thetaDot = thetaDots[i]!;
  const masspole = p.masspole;
  const length = p.length;
  const tau = p.tau;
  const force = action === 1 ? p.force_mag : -p.force_mag;
  const costheta = Math.cos(theta);
  const sintheta = Math.sin(theta);
  const totalMass = masspole + p.masscart;
  const polemassLength = masspole * length;
  const temp = (force + polemassLength * (thetaDot * thetaDot) * sintheta) / totalMass;
  const thetaacc = (p.gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - (masspole * (costheta * costheta)) / totalMass));
  const xacc = temp - (polemassLength * thetaacc * costheta) / totalMass;
  const nx = x + tau * xDot;
  const nxDot = xDot + tau * xacc;
  const ntheta = theta + tau * thetaDot;
  const nthetaDot = thetaDot + tau * thetaacc;
  xs[i] = nx;
  xDots[i] = nxDot;
  thetas[i] = ntheta;
  thetaDots[i] = nthetaDot;
  const obs = out.obs;
  const o = i * 4;
  obs[o] = nx;
  obs[o + 1] = nxDot;
  obs[o + 2] = ntheta;
  obs[o + 3] = nthetaDot;
  out.rewards[i] = 1.0;
  const xt = p.x_threshold;
  const tt = p.theta_threshold_radians;
  out.terminated[i] = nx < -xt || nx > xt || ntheta < -tt || ntheta > tt ? 1 : 0;
}

/** CartPole as kernel functions (see {@link ClassicKernel}). */
export const cartPoleKernel: ClassicKernel<CartPoleState, CartPoleParams, UniformRange> = {
  id: 'CartPole-v1',
  stateNames: ['x', 'x_dot', 'theta', 'theta_dot'],
  obsDim: 4,
  defaultParams: cartPoleDefaultParams,
  actionSpace: () => new Discrete(2),
  observationSpace: (p) => {
    const high = [p.x_threshold * 2, Infinity, p.theta_threshold_radians * 2, Infinity];
    return new Box(high.map((h) => -h), high);
  },
  createState: (n) => ({ x: new Float64Array(n), xDot: new Float64Array(n), theta: new Float64Array(n), thetaDot: new Float64Array(n) }),
  resetRange: (options) => parseResetBounds('CartPole-v1', options, -0.05, 0.05),
  reset: (s: CartPoleState, i: number, rng: Rng, _p, r: UniformRange) => {
    s.x[i] = rng.uniform(r.low, r.high);
    s.xDot[i] = rng.uniform(r.low, r.high);
    s.theta[i] = rng.uniform(r.low, r.high);
    s.thetaDot[i] = rng.uniform(r.low, r.high);
  },
  observe: (s, i, _p, obs) => {
    obs[i * 4] = s.x[i]!;
    obs[i * 4 + 1] = s.xDot[i]!;
    obs[i * 4 + 2] = s.theta[i]!;
    obs[i * 4 + 3] = s.thetaDot[i]!;
  },
  step: cartPoleStep,
  ...stateColumns<CartPoleState>(['x', 'xDot', 'theta', 'thetaDot']),
};

/**
 * CartPole-v1 as a single env (no time limit: `make('CartPole-v1')` adds the 500-step one).
 * @example
 * const env = new CartPoleEnv();
 * const { obs } = env.reset({ seed: 42 });
 * const { reward, terminated } = env.step(1);
 */
export class CartPoleEnv extends ClassicControlEnv<CartPoleState, CartPoleParams, UniformRange> {
  constructor(params?: Partial<CartPoleParams>) {
    super(cartPoleKernel, params);
  }
}

/** N CartPoles stepped in one loop over typed arrays (see {@link NativeVectorEnv}). */
export class CartPoleVectorEnv extends NativeVectorEnv<CartPoleState, CartPoleParams, UniformRange> {
  constructor(numEnvs: number, opts?: NativeVectorOptions) {
    super(cartPoleKernel, numEnvs, opts);
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
      cartPoleStep(s, i, actions, p, out);
      const t = ++steps[i]! >= max ? 1 : 0;
      trunc[i] = t;
      if ((term[i]! | t) !== 0) this.endEpisode(i);
    }
  }
}
