/**
 * The single-env form of a classic-control kernel: state arrays of length 1, the kernel's
 * `step` at index 0, Gymnasium 1.x's `reset` / `step` contract, and a settable `state`.
 */
import { checkBoxAction, checkDiscreteAction } from './actions.js';
import { checkSeed, createStepBuffers, entropySeed, mergeParams, type ClassicKernel, type StepBuffers } from './kernel.js';
import { Rng } from './rng.js';
import type { Box, Space } from './spaces.js';
import type { Action, ResetOptions, ResetResult, StatefulEnv, StepResult } from './types.js';

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

  /** The state of this env's random stream (undefined before the first reset). */
  getRngState(): ReturnType<Rng['getState']> | undefined {
    return this.rng?.getState();
  }

}
