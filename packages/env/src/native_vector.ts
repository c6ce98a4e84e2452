/**
 * The native batched form of a classic-control kernel: N states as one struct of typed
 * arrays, stepped by one tight loop, output buffers reused from step to step, time limit
 * counted per env, and SAME_STEP autoreset with `finalObs` / `finalInfo`.
 *
 * Why each env's subclass repeats the same ten-line `stepBatch` loop (deliberately, the one
 * repetition of the env files): there the call to the env's kernel step is monomorphic, so V8
 * inlines it into the loop. One shared loop here calling `this.kernel.step` sees five targets
 * once several envs have run in a process, and stops inlining. Measured with
 * benchmarks/env-throughput.ts's `measure` (native, median of 5 alternating runs, CPU time,
 * load average 1–5 on the shared 2-core machine, so ±10%): per-env loops over a shared one
 * 1.13× for CartPole at N = 1024 (23.0M vs 20.3M steps/s), 1.23× MountainCar, 1.14× Pendulum,
 * 1.11× MountainCarContinuous; no gain for Acrobot (0.95×), whose RK4 step is not inlined anyway.
 */
import { checkActionBatch } from './actions.js';
import { checkSeed, createStepBuffers, entropySeed, mergeParams, type ClassicKernel, type StepBuffers } from './kernel.js';
import { Rng, type RngState } from './rng.js';
import type { Box, Space } from './spaces.js';
import type { EnvSpec, Info, ResetOptions, VectorEnv, VectorResetResult, VectorStepResult } from './types.js';

/** The final info of an ended native episode: the bare envs report nothing (shared, frozen: wrappers replace it, never mutate it). */
const EMPTY_INFO: Info = Object.freeze({});

/** Options of a native vector env. */
export interface NativeVectorOptions {
  /** Overrides of the physical constants (unknown names are an error). */
  readonly params?: Record<string, unknown>;
  /** Time limit per episode, counted per env (undefined: none). */
  readonly maxEpisodeSteps?: number;
  /** Seed for the first `reset()` that is given none (env i gets seed + i). */
  readonly seed?: number;
  /** The registry spec, when made by `makeVec`. */
  readonly spec?: EnvSpec;
}

/** Typed arrays an env's internal state struct is made of. */
export type StateArray = Float64Array | Float32Array | Int32Array | Uint8Array;

/**
 * The whole state of a native vector env ({@link NativeVectorEnv.getState}):
 * plain data and typed arrays, so it survives `structuredClone` and a checkpoint file. Restoring
 * it makes the env continue exactly: same transitions, same time-limit truncations, same resets.
 */
export interface NativeVectorEnvState {
  readonly kind: 'native';
  readonly id: string;
  readonly numEnvs: number;
  /** Every array of the kernel's internal state struct, by name (hidden flags included). */
  readonly arrays: Readonly<Record<string, StateArray>>;
  /** Steps taken in each env's current episode (the time-limit counters). */
  readonly steps: Int32Array;
  /** The current observations, N × obsDim. */
  readonly obs: Float32Array;
  /** Each env's random stream (null before the first reset). */
  readonly rngs: (RngState | null)[];
  /** Whether reset() has been called. */
  readonly started: boolean;
  /** The seed the next seedless reset() would use (null: none pending). */
  readonly defaultSeed: number | null;
}

/** Base of the native vector envs (`CartPoleVectorEnv`, …); subclasses supply the step loop. */
export abstract class NativeVectorEnv<S, P extends object, R> implements VectorEnv {
  /** The host kind of vector env (see `isTensorEnv`). */
  readonly kind = 'js' as const;
  readonly id: string;
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly spec?: EnvSpec;
  /** Physical constants shared by all N envs (frozen). */
  readonly params: Readonly<P>;
  /** The kernel functions these envs run. */
  readonly kernel: ClassicKernel<S, P, R>;
  /** Time limit per episode (Infinity: none). */
  readonly maxEpisodeSteps: number;
  /** Internal states of all N envs, one typed array per state value. */
  protected readonly s: S;
  /** Steps taken in each env's current episode. */
  protected readonly steps: Int32Array;
  /** Observations, rewards and terminated flags, reused. */
  protected readonly out: StepBuffers;
  /** Truncation flags, reused. */
  protected readonly truncated: Uint8Array;
  private readonly finalObs: Float32Array;
  private readonly finalInfo: (Info | undefined)[];
  private readonly ended: Int32Array;
  private numEnded = 0;
  private readonly rngs: Rng[];
  private readonly defaultRange: R;
  private defaultSeed: number | undefined;
  private started = false;
  private readonly result: VectorStepResult;

  constructor(kernel: ClassicKernel<S, P, R>, numEnvs: number, opts: NativeVectorOptions = {}) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`${kernel.id}: numEnvs must be a positive integer, got ${numEnvs}`);
    const max = opts.maxEpisodeSteps;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new RangeError(`${kernel.id}: maxEpisodeSteps must be a positive integer, got ${max}`);
    this.kernel = kernel;
    this.id = kernel.id;
    this.numEnvs = numEnvs;
    this.params = mergeParams(kernel.id, kernel.defaultParams, opts.params);
    kernel.validateParams?.(this.params);
    this.singleObservationSpace = kernel.observationSpace(this.params);
    this.singleActionSpace = kernel.actionSpace(this.params);
    this.obsDim = kernel.obsDim;
    this.actionDim = this.singleActionSpace.type === 'Discrete' ? 1 : this.singleActionSpace.size;
    if (opts.spec) this.spec = opts.spec;
    this.maxEpisodeSteps = max ?? Infinity;
    this.defaultSeed = opts.seed === undefined ? undefined : checkSeed(kernel.id, opts.seed);
    this.s = kernel.createState(numEnvs);
    this.steps = new Int32Array(numEnvs);
    this.out = createStepBuffers(numEnvs, kernel.obsDim);
    this.truncated = new Uint8Array(numEnvs);
    this.finalObs = new Float32Array(numEnvs * kernel.obsDim);
    this.finalInfo = new Array<Info | undefined>(numEnvs).fill(undefined);
    this.ended = new Int32Array(numEnvs);
    this.rngs = [];
    this.defaultRange = kernel.resetRange(undefined);
    this.result = {
      obs: this.out.obs,
      rewards: this.out.rewards,
      terminated: this.out.terminated,
      truncated: this.truncated,
      finalObs: this.finalObs,
      finalInfo: this.finalInfo,
      info: {},
    };
  }

  /** Resets all envs; with a seed, env i gets its own stream seeded `seed + i`. Options (e.g. `{ low, high }`) apply to this reset only. */
  reset(opts: ResetOptions = {}): VectorResetResult {
    const range = this.kernel.resetRange(opts.options);
    let seed = opts.seed === undefined ? undefined : checkSeed(this.id, opts.seed);
    if (seed === undefined && this.rngs.length === 0) seed = this.defaultSeed ?? entropySeed();
    this.defaultSeed = undefined;
    for (let i = 0; i < this.numEnvs; i++) {
      if (seed !== undefined) this.rngs[i] = new Rng(seed + i);
      this.kernel.reset(this.s, i, this.rngs[i]!, this.params, range);
      this.kernel.observe(this.s, i, this.params, this.out.obs);
    }
    this.steps.fill(0);
    this.out.rewards.fill(0);
    this.out.terminated.fill(0);
    this.truncated.fill(0);
    this.clearFinal();
    this.started = true;
    return { obs: this.out.obs, info: {} };
  }

  /** Steps all N envs with a flat batch of actions; see {@link VectorEnv.step}. The returned arrays are reused. */
  step(actions: ArrayLike<number>): VectorStepResult {
    if (!this.started) throw new Error(`${this.id}: vector step() called before reset(); call reset() first`);
    // One cheap pass over the batch before any env moves (a typed-array loop of one compare per
    // action, ~3% of a CartPole step): a bad action at index k then leaves all N envs untouched,
    // which checking inside the step loop could not (envs 0..k−1 would already have stepped).
    checkActionBatch(this.id, this.singleActionSpace, this.numEnvs, actions);
    this.clearFinal();
    this.stepBatch(actions);
    return this.result;
  }

  /** The whole env (every env's internal state, time-limit counters, observations and random streams) as plain data; restore it with {@link setState}. */
  getState(): NativeVectorEnvState {
    const arrays: Record<string, StateArray> = {};
    for (const [k, a] of Object.entries(this.s as Record<string, StateArray>)) arrays[k] = a.slice();
    return {
      kind: 'native',
      id: this.id,
      numEnvs: this.numEnvs,
      arrays,
      steps: this.steps.slice(),
      obs: this.out.obs.slice(),
      rngs: Array.from({ length: this.numEnvs }, (_, i) => this.rngs[i]?.getState() ?? null),
      started: this.started,
      defaultSeed: this.defaultSeed ?? null,
    };
  }

  /** Restores the whole env from {@link getState} (copied): the env continues exactly where the saved one was. */
  setState(st: NativeVectorEnvState): void {
    const where = `${this.id}.setState`;
    if (st === null || typeof st !== 'object' || st.kind !== 'native') throw new TypeError(`${where}: not a native vector env state (kind ${String((st as { kind?: unknown } | null)?.kind)})`);
    if (st.id !== this.id || st.numEnvs !== this.numEnvs) throw new RangeError(`${where}: the state is of ${st.numEnvs} × ${st.id}, this env is ${this.numEnvs} × ${this.id}`);
    const own = this.s as Record<string, StateArray>;
    const names = Object.keys(own);
    const given = Object.keys(st.arrays ?? {});
    if (given.length !== names.length || names.some((k) => !given.includes(k))) throw new RangeError(`${where}: state arrays [${given.join(', ')}] do not match [${names.join(', ')}]`);
    for (const k of names) {
      const a = st.arrays[k]!;
      if (a?.constructor !== own[k]!.constructor || a.length !== own[k]!.length) throw new RangeError(`${where}: state array ${k} must be a ${own[k]!.constructor.name} of ${own[k]!.length}, got ${a?.constructor?.name} of ${a?.length}`);
    }
    if (!(st.steps instanceof Int32Array) || st.steps.length !== this.numEnvs) throw new RangeError(`${where}: steps must be an Int32Array of ${this.numEnvs}`);
    if (!(st.obs instanceof Float32Array) || st.obs.length !== this.out.obs.length) throw new RangeError(`${where}: obs must be a Float32Array of ${this.out.obs.length}`);
    if (!Array.isArray(st.rngs) || st.rngs.length !== this.numEnvs) throw new RangeError(`${where}: rngs must list ${this.numEnvs} streams`);
    const rngs = st.rngs.map((r) => (r === null ? undefined : Rng.fromState(r)));
    for (const k of names) own[k]!.set(st.arrays[k]! as ArrayLike<number>);
    this.steps.set(st.steps);
    this.out.obs.set(st.obs);
    this.rngs.length = 0;
    rngs.forEach((r, i) => {
      if (r) this.rngs[i] = r;
    });
    this.started = st.started;
    this.defaultSeed = st.defaultSeed ?? undefined;
    this.out.rewards.fill(0);
    this.out.terminated.fill(0);
    this.truncated.fill(0);
    this.clearFinal();
  }

  /** Copy of env i's physical state (float64, in the order of the kernel's `stateNames`). */
  getEnvState(i: number): Float64Array {
    this.checkIndex(i);
    const out = new Float64Array(this.kernel.stateNames.length);
    this.kernel.readState(this.s, i, out);
    return out;
  }

  /** Sets env i's physical state (copied) and its current observation; its episode step count is kept. */
  setEnvState(i: number, v: ArrayLike<number>): void {
    this.checkIndex(i);
    const names = this.kernel.stateNames;
    if (v.length !== names.length) throw new RangeError(`${this.id} [batch index ${i}]: state must have ${names.length} values [${names.join(', ')}], got ${v.length}`);
    for (let k = 0; k < names.length; k++) {
      if (!Number.isFinite(v[k])) throw new RangeError(`${this.id} [batch index ${i}]: state value ${names[k]} must be finite, got ${v[k]}`);
    }
    this.kernel.writeState(this.s, i, v);
    this.kernel.observe(this.s, i, this.params, this.out.obs);
  }

  close(): void {
    this.started = false;
  }

  /**
   * One transition of every env: run the kernel step for i = 0..N−1, count the step, set
   * `truncated[i]` at the time limit and call {@link endEpisode} where an episode ended.
   * Each env's subclass writes this loop around its own kernel step (see the top of this file).
   */
  protected abstract stepBatch(actions: ArrayLike<number>): void;

  /** SAME_STEP autoreset of env i: keep its last observation and info, reset it, observe. */
  protected endEpisode(i: number): void {
    const d = this.obsDim;
    const obs = this.out.obs;
    const fin = this.finalObs;
    for (let k = i * d, end = k + d; k < end; k++) fin[k] = obs[k]!;
    this.finalInfo[i] = EMPTY_INFO;
    this.ended[this.numEnded++] = i;
    this.kernel.reset(this.s, i, this.rngs[i]!, this.params, this.defaultRange);
    this.kernel.observe(this.s, i, this.params, this.out.obs);
    this.steps[i] = 0;
  }

  private clearFinal(): void {
    for (let k = 0; k < this.numEnded; k++) this.finalInfo[this.ended[k]!] = undefined;
    this.numEnded = 0;
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.numEnvs) throw new RangeError(`${this.id}: batch index ${i} is outside [0, ${this.numEnvs - 1}]`);
  }
}
