/**
 * Base of the env wrappers: forwards everything to the wrapped env; a wrapper overrides what it
 * changes. `unwrapped` always reaches the innermost env (and so its settable `state`).
 */
import type { Box, Space } from '../spaces.js';
import type { Action, Env, EnvSpec, ResetOptions, ResetResult, StepResult } from '../types.js';

/** An env around another env (Gymnasium's `Wrapper`). */
export class Wrapper<A extends Action = Action> implements Env<A> {
  /** The env this wrapper wraps (possibly another wrapper). */
  readonly env: Env<A>;
  private readonly ownSpec: EnvSpec | undefined;

  /** @param spec the registry spec to report (set by `make` on the outermost wrapper). */
  constructor(env: Env<A>, spec?: EnvSpec) {
    this.env = env;
    this.ownSpec = spec;
  }

  get id(): string {
    return this.env.id;
  }

  get observationSpace(): Box {
    return this.env.observationSpace;
  }

  get actionSpace(): Space {
    return this.env.actionSpace;
  }

  get spec(): EnvSpec | undefined {
    return this.ownSpec ?? this.env.spec;
  }

  get unwrapped(): Env<A> {
    return this.env.unwrapped;
  }

  reset(opts?: ResetOptions): ResetResult {
    return this.env.reset(opts);
  }

  step(action: A): StepResult {
    return this.env.step(action);
  }

  close(): void {
    this.env.close();
  }
}

/** True when `env` has a settable float64 `state` (every classic-control env, via `env.unwrapped`). */
export function hasState(env: Env): env is Env & { state: Float64Array } {
  return 'state' in env && (env as { state: unknown }).state instanceof Float64Array;
}
