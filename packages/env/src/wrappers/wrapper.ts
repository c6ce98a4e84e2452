/**
 * Base of the env wrappers: forwards everything to the wrapped env; a wrapper overrides what it
 * changes. `unwrapped` always reaches the innermost env (and so its settable `state`).
 * `getState` / `setState` exist on a wrapper exactly when the wrapped env has both, so
 * `'getState' in env` tells the truth at every layer.
 */
import type { Box, Space } from '../spaces.js';
import type { Action, Env, EnvSpec, ResetOptions, ResetResult, StepResult } from '../types.js';

/** An env that can save and restore its whole state (both optional methods of {@link Env} present). */
export type RestorableEnv<A extends Action = Action> = Env<A> & { getState(): unknown; setState(state: unknown): void };

/** True when `env` has both `getState()` and `setState()` (what an exact resume needs). */
export function isRestorable<A extends Action>(env: Env<A>): env is RestorableEnv<A> {
  return typeof env.getState === 'function' && typeof env.setState === 'function';
}

/** What a wrapper's `getState()` returns: its own fields, `kind` naming the wrapper, and the wrapped env's state. */
export interface WrapperState {
  /** Which wrapper saved it (`'timeLimit'`, `'wrapper'` for wrappers without state of their own, …). */
  readonly kind: string;
  /** The wrapped env's `getState()`. */
  readonly env: unknown;
  /** The wrapper's own fields (see its {@link Wrapper.ownState}). */
  readonly [field: string]: unknown;
}

/** An env around another env (Gymnasium's `Wrapper`). */
export class Wrapper<A extends Action = Action> implements Env<A> {
  /** The env this wrapper wraps (possibly another wrapper). */
  readonly env: Env<A>;
  private readonly ownSpec: EnvSpec | undefined;
  /** The wrapper's own fields and the wrapped env's state; present only when the wrapped env has `getState` and `setState`. */
  declare getState?: () => WrapperState;
  /** Restores a state from {@link getState}; present only with it. Nothing changes when the state is refused. */
  declare setState?: (state: WrapperState) => void;

  /** @param spec the registry spec to report (set by `make` on the outermost wrapper). */
  constructor(env: Env<A>, spec?: EnvSpec) {
    this.env = env;
    this.ownSpec = spec;
    if (isRestorable(env)) {
      const name = `${this.constructor.name}(${env.id})`;
      this.getState = () => ({ ...this.ownState(), kind: this.stateKind, env: env.getState() });
      this.setState = (st) => {
        if (st === null || typeof st !== 'object' || st.kind !== this.stateKind) {
          throw new TypeError(`${name}.setState: not a ${this.stateKind} state (kind ${String((st as { kind?: unknown } | null)?.kind)})`);
        }
        const restore = this.checkOwnState(st); // validate before anything changes
        env.setState(st.env);
        restore();
      };
    }
  }

  /** The `kind` of this wrapper's saved state (a wrapper with own state names itself). */
  protected get stateKind(): string {
    return 'wrapper';
  }

  /** This wrapper's own state as plain data (none by default: a wrapper with state overrides this and {@link checkOwnState}). */
  protected ownState(): Record<string, unknown> {
    return {};
  }

  /** Checks the own fields of a saved state (throwing on bad ones) and returns what restores them. */
  protected checkOwnState(_state: WrapperState): () => void {
    return () => {};
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
