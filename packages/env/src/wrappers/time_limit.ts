/**
 * Ends an episode by truncation after a fixed number of steps (Gymnasium's `TimeLimit`).
 * `make` applies it with the registered `maxEpisodeSteps`.
 */
import type { Action, Env, EnvSpec, ResetOptions, ResetResult, StepResult } from '../types.js';
import { Wrapper } from './wrapper.js';

/**
 * Sets `truncated` on the step that reaches `maxEpisodeSteps` (terminated may be true on the
 * same step: both are reported). Stepping again before `reset()` is an error.
 * @example const env = new TimeLimit(new CartPoleEnv(), 500);
 */
export class TimeLimit<A extends Action = Action> extends Wrapper<A> {
  /** The time limit. */
  readonly maxEpisodeSteps: number;
  private elapsed = 0;
  private ended = false;

  constructor(env: Env<A>, maxEpisodeSteps: number, spec?: EnvSpec) {
    super(env, spec);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit(${env.id}): maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  /** The elapsed-step counter and the wrapped env's whole state (it must have `getState()`), as plain data. */
  getState(): { readonly kind: 'timeLimit'; readonly elapsed: number; readonly ended: boolean; readonly env: unknown } {
    const inner = this.env as Env<A> & { getState?: () => unknown };
    if (typeof inner.getState !== 'function') throw new TypeError(`TimeLimit(${this.id}).getState: the wrapped env (${inner.constructor.name}) has no getState()`);
    return { kind: 'timeLimit', elapsed: this.elapsed, ended: this.ended, env: inner.getState() };
  }

  /** Restores a state from {@link getState}. */
  setState(st: { readonly kind: 'timeLimit'; readonly elapsed: number; readonly ended: boolean; readonly env: unknown }): void {
    if (st?.kind !== 'timeLimit' || !Number.isInteger(st.elapsed) || st.elapsed < 0) throw new TypeError(`TimeLimit(${this.id}).setState: not a TimeLimit state`);
    const inner = this.env as Env<A> & { setState?: (s: unknown) => void };
    if (typeof inner.setState !== 'function') throw new TypeError(`TimeLimit(${this.id}).setState: the wrapped env (${inner.constructor.name}) has no setState()`);
    inner.setState(st.env);
    this.elapsed = st.elapsed;
    this.ended = st.ended;
  }

  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    this.elapsed = 0;
    this.ended = false;
    return r;
  }

  override step(action: A): StepResult {
    if (this.ended) {
      throw new Error(`${this.id}: step() called after the episode was truncated at ${this.maxEpisodeSteps} steps; call reset() to start a new episode`);
    }
    const r = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) {
      this.ended = true;
      return { ...r, truncated: true };
    }
    if (r.terminated || r.truncated) this.ended = true;
    return r;
  }
}
