/**
 * The single-env form of a classic-control kernel: state arrays of length 1, the kernel's
 * `step` at index 0, Gymnasium 1.x's `reset` / `step` contract, and a settable `state`.
 */
import { checkBoxAction, checkDiscreteAction } from './actions.js';
import { checkSeed, createStepBuffers, entropySeed, mergeParams, type ClassicKernel, type StepBuffers } from './kernel.js';
import { Rng, type RngState } from './rng.js';
import type { Box, Space } from './spaces.js';
import type { Action, ResetOptions, ResetResult, StatefulEnv, StepResult } from './types.js';

/** The whole state of a {@link ClassicControlEnv} (plain data and typed arrays): internal state arrays, random stream, episode status. */
export interface ClassicEnvState {
  readonly kind: 'classic';
  readonly id: string;
  /** Every array of the kernel's state struct, by name (hidden flags included). */
  readonly arrays: Readonly<Record<string, Float64Array | Float32Array | Int32Array | Uint8Array>>;
  readonly rng: RngState | null;
  readonly status: 'unstarted' | 'running' | 'ended';
}

/** A classic-control env built from a {@link ClassicKernel}. Subclassed once per env (e.g. `CartPoleEnv`). */
export class ClassicControlEnv<S, P extends object, R> implements StatefulEnv<Action> {
  readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  /** Physical constants of this env (frozen). */
  readonly params: Readonly<P>;
  /** The kernel functions this env runs. */
  readonly kernel: ClassicKernel<S, P, R>;
  private readonly s: S;
  private readonly buf: StepBuffers;
  private readonly actionBuf = new Float64Array(1);
  private rng: Rng | undefined;
  private status: 'unstarted' | 'running' | 'ended' = 'unstarted';

  /** @param params overrides of the default physical constants (unknown names are an error). */
  constructor(kernel: ClassicKernel<S, P, R>, params?: Partial<P> | Record<string, unknown>) {
    this.kernel = kernel;
    this.id = kernel.id;
    this.params = mergeParams(kernel.id, kernel.defaultParams, params as Record<string, unknown> | undefined);
    kernel.validateParams?.(this.params);
    this.observationSpace = kernel.observationSpace(this.params);
    this.actionSpace = kernel.actionSpace(this.params);
    this.s = kernel.createState(1);
    this.buf = createStepBuffers(1, kernel.obsDim);
  }

  /** This env itself (it wraps nothing). */
  get unwrapped(): this {
    return this;
  }

  /** Internal physical state (float64 copy), e.g. `[x, ẋ, θ, θ̇]`. Setting it copies and starts an episode from it. */
  get state(): Float64Array {
    const out = new Float64Array(this.kernel.stateNames.length);
    this.kernel.readState(this.s, 0, out);
    return out;
  }

  set state(v: ArrayLike<number>) {
    const names = this.kernel.stateNames;
    if (v === null || typeof v !== 'object' || v.length !== names.length) {
      throw new RangeError(`${this.id}: state must have ${names.length} values [${names.join(', ')}], got ${v === null || typeof v !== 'object' ? String(v) : `${v.length} values`}`);
    }
    for (let k = 0; k < names.length; k++) {
      if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) throw new RangeError(`${this.id}: state value ${names[k]} must be a finite number, got ${String(v[k])}`);
    }
    this.kernel.writeState(this.s, 0, v);
    this.status = 'running';
  }

  reset(opts: ResetOptions = {}): ResetResult {
    const range = this.kernel.resetRange(opts.options);
    if (opts.seed !== undefined) this.rng = new Rng(checkSeed(this.id, opts.seed));
    else if (this.rng === undefined) this.rng = new Rng(entropySeed());
    this.kernel.reset(this.s, 0, this.rng, this.params, range);
    this.kernel.observe(this.s, 0, this.params, this.buf.obs);
    this.status = 'running';
    return { obs: this.buf.obs.slice(), info: {} };
  }

  step(action: Action): StepResult {
    if (this.status !== 'running') {
      throw new Error(
        this.status === 'unstarted'
          ? `${this.id}: step() called before reset(); call reset() (or set env.state) first`
          : `${this.id}: step() called after the episode terminated; call reset() to start a new episode`,
      );
    }
    const space = this.actionSpace;
    const a = space.type === 'Discrete' ? checkDiscreteAction(this.id, space, action) : checkBoxAction(this.id, space, action)[0]!;
    this.actionBuf[0] = a;
    this.kernel.step(this.s, 0, this.actionBuf, this.params, this.buf);
    const terminated = this.buf.terminated[0] === 1;
    if (terminated) this.status = 'ended';
    return { obs: this.buf.obs.slice(), reward: this.buf.rewards[0]!, terminated, truncated: false, info: {} };
  }

  close(): void {
    this.rng = undefined;
  }

  /** The whole env (internal state, random stream, episode status) as plain data; restore it with {@link setState}. */
  getState(): ClassicEnvState {
    const arrays: Record<string, Float64Array | Float32Array | Int32Array | Uint8Array> = {};
    for (const [k, a] of Object.entries(this.s as Record<string, Float64Array>)) arrays[k] = a.slice();
    return { kind: 'classic', id: this.id, arrays, rng: this.rng?.getState() ?? null, status: this.status };
  }

  /** Restores the whole env from {@link getState} (copied): it continues exactly where the saved one was. */
  setState(st: ClassicEnvState): void {
    if (st === null || typeof st !== 'object' || st.kind !== 'classic' || st.id !== this.id) {
      throw new TypeError(`${this.id}.setState: not a state of ${this.id} (kind ${String((st as { kind?: unknown } | null)?.kind)}, id ${String((st as { id?: unknown } | null)?.id)})`);
    }
    const own = this.s as Record<string, Float64Array>;
    for (const [k, a] of Object.entries(own)) {
      const v = st.arrays?.[k];
      if (v?.constructor !== a.constructor || v.length !== a.length) throw new RangeError(`${this.id}.setState: state array ${k} must be a ${a.constructor.name} of ${a.length}`);
    }
    for (const [k, a] of Object.entries(own)) a.set(st.arrays[k]! as ArrayLike<number>);
    this.rng = st.rng === null ? undefined : Rng.fromState(st.rng);
    this.status = st.status;
  }

  /** The state of this env's random stream (undefined before the first reset). */
  getRngState(): ReturnType<Rng['getState']> | undefined {
    return this.rng?.getState();
  }

}
