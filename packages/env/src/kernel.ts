/**
 * The shape every classic-control env is written in (gymnax style): a params record, a
 * struct-of-typed-arrays state, and `reset` / `step` / `observe` written once as functions of
 * (state arrays, index, …, params). The single env ({@link ClassicControlEnv}) runs them at
 * index 0 of arrays of length 1; the native vector env runs them over N indices in one loop,
 * so the two cannot diverge.
 */
import type { Rng } from './rng.js';
import type { Box, Space } from './spaces.js';

/** Output arrays a kernel step writes into (row `i` of each). Reused from step to step. */
export interface StepBuffers {
  /** Observations, `N × obsDim` float32. */
  readonly obs: Float32Array;
  /** Rewards, length N. */
  readonly rewards: Float64Array;
  /** 1 where the step reached a terminal state, length N. */
  readonly terminated: Uint8Array;
}

/** Allocates {@link StepBuffers} for N envs. */
export function createStepBuffers(numEnvs: number, obsDim: number): StepBuffers {
  return { obs: new Float32Array(numEnvs * obsDim), rewards: new Float64Array(numEnvs), terminated: new Uint8Array(numEnvs) };
}

/**
 * One classic-control env as plain functions over explicit state.
 * `S` is the struct of typed arrays, `P` the params record, `R` the parsed reset options.
 */
export interface ClassicKernel<S, P, R> {
  /** Registered id, used in error messages. */
  readonly id: string;
  /** Names of the internal state values, in the order of `env.state`. */
  readonly stateNames: readonly string[];
  /** Length of one observation. */
  readonly obsDim: number;
  /** Default physical constants. */
  readonly defaultParams: Readonly<P>;
  /** Extra checks of merged params beyond "known name, right type" (throws naming the bad one). */
  validateParams?(p: Readonly<P>): void;
  /** Action space under params `p`. */
  actionSpace(p: Readonly<P>): Space;
  /** Observation space under params `p`. */
  observationSpace(p: Readonly<P>): Box;
  /** State arrays for N envs (all zero). */
  createState(numEnvs: number): S;
  /** Parses `reset` options (`undefined` gives the defaults); throws naming the bad option. */
  resetRange(options: Record<string, unknown> | undefined): R;
  /** Draws the start state of env i from its stream. */
  reset(s: S, i: number, rng: Rng, p: Readonly<P>, range: R): void;
  /** Writes the observation of env i into `obs` at row i. */
  observe(s: S, i: number, p: Readonly<P>, obs: Float32Array): void;
  /**
   * One transition of env i under its already checked action `actions[i]` (the discrete index,
   * or the one Box value): updates the state, writes row i of obs, rewards and terminated.
   * The action is read from the array rather than passed as a number so that a non-inlined
   * call never boxes a double (no allocation per step).
   */
  step(s: S, i: number, actions: ArrayLike<number>, p: Readonly<P>, out: StepBuffers): void;
  /** Copies env i's state into `out` (length `stateNames.length`). */
  readState(s: S, i: number, out: Float64Array): void;
  /** Sets env i's state from `v` (already checked: right length, finite). */
  writeState(s: S, i: number, v: ArrayLike<number>): void;
}

/**
 * Gymnasium's `utils.maybe_parse_reset_bounds`: `options.low` / `options.high` (numbers)
 * override the defaults; low must not exceed high.
 */
export function parseResetBounds(
  id: string,
  options: Record<string, unknown> | undefined,
  defaultLow: number,
  defaultHigh: number,
): { readonly low: number; readonly high: number } {
  if (options === undefined || options === null) return { low: defaultLow, high: defaultHigh };
  if (typeof options !== 'object') throw new TypeError(`${id}: reset options must be an object, got ${String(options)}`);
  for (const k of Object.keys(options)) {
    if (k !== 'low' && k !== 'high') throw new RangeError(`${id}: unknown reset option "${k}" (known: low, high)`);
  }
  const num = (k: 'low' | 'high', d: number): number => {
    const v = options[k];
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${id}: reset option ${k} must be a finite number, got ${String(v)}`);
    return v;
  };
  const low = num('low', defaultLow);
  const high = num('high', defaultHigh);
  if (low > high) throw new RangeError(`${id}: reset option low (${low}) must not exceed high (${high})`);
  return { low, high };
}

/** Checks a seed given to `reset`: a finite integer. */
export function checkSeed(id: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new RangeError(`${id}: seed must be an integer, got ${String(seed)}`);
  return seed;
}

/**
 * A seed from the platform's entropy source, for an env reset without ever being seeded
 * (Gymnasium seeds from the OS then too). Runs that must repeat pass a seed.
 */
export function entropySeed(): number {
  const u = new Uint32Array(1);
  globalThis.crypto.getRandomValues(u);
  return u[0]! >>> 1;
}

/**
 * Merges user overrides into a params record, rejecting unknown names and non-finite values
 * with an error that lists the known names.
 */
export function mergeParams<P extends object>(id: string, defaults: Readonly<P>, overrides: Record<string, unknown> | undefined): Readonly<P> {
  if (!overrides) return defaults;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!(k in defaults)) throw new RangeError(`${id}: unknown option "${k}" (known: ${Object.keys(defaults).join(', ')})`);
    const d = (defaults as Record<string, unknown>)[k];
    if (typeof d === 'number' && (typeof v !== 'number' || Number.isNaN(v))) throw new RangeError(`${id}: option ${k} must be a number, got ${String(v)}`);
    if (typeof d === 'string' && typeof v !== 'string') throw new RangeError(`${id}: option ${k} must be a string, got ${String(v)}`);
    out[k] = v;
  }
  return Object.freeze(out) as unknown as Readonly<P>;
}

/**
 * `readState` / `writeState` for a state kept as one Float64Array per value: `fields` names
 * the arrays in the order of `env.state` (the order of `stateNames`). Not on the step path.
 *
 * @example
 * ...stateColumns<CartPoleState>(['x', 'xDot', 'theta', 'thetaDot'])
 */
export function stateColumns<S>(fields: readonly (keyof S)[]): Pick<ClassicKernel<S, unknown, unknown>, 'readState' | 'writeState'> {
  const col = (s: S, k: number): Float64Array => s[fields[k]!] as unknown as Float64Array;
  return {
    readState: (s, i, out) => {
      for (let k = 0; k < fields.length; k++) out[k] = col(s, k)[i]!;
    },
    writeState: (s, i, v) => {
      for (let k = 0; k < fields.length; k++) col(s, k)[i] = v[k]!;
    },
  };
}
