/**
 * Ends an episode by truncation after a fixed number of steps (Gymnasium's `TimeLimit`).
 * `make` applies it with the registered `maxEpisodeSteps`.
 */
import type { Action, Env, EnvSpec, ResetOptions, ResetResult, StepResult } from '../types.js';
import { Wrapper, type WrapperState } from './wrapper.js';

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

  // Saved state (when the wrapped env has one): `{ kind: 'timeLimit', elapsed, ended, env }`.
  protected override get stateKind(): string {
    return 'timeLimit';
  }

  protected override ownState(): Record<string, unknown> {
    return { elapsed: this.elapsed, ended: this.ended };
  }

  protected override checkOwnState(st: WrapperState): () => void {
    const { elapsed, ended } = st;
    if (typeof elapsed !== 'number' || !Number.isInteger(elapsed) || elapsed < 0 || typeof ended !== 'boolean') {
      throw new TypeError(`TimeLimit(${this.id}).setState: elapsed must be an integer ≥ 0 and ended a boolean, got ${String(elapsed)} and ${String(ended)}`);
    }
    return () => {
      this.elapsed = elapsed;
      this.ended = ended;
    };
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
