import type { Box, Space } from './spaces.js';

/** Free-form per-step information, as Gymnasium's `info` dict. */
export type Info = Record<string, unknown>;

/** What `reset` returns. */
export interface ResetResult<O = Float32Array> {
  /** First observation of the episode (float32). */
  readonly obs: O;
  /** Extra information. */
  readonly info: Info;
}

/** What `step` returns: a named record, never a tuple. */
export interface StepResult<O = Float32Array> {
  /** Observation after the step (float32). */
  readonly obs: O;
  /** Reward of this transition. */
  readonly reward: number;
  /** True end of the MDP (a terminal state): no bootstrapping past it. */
  readonly terminated: boolean;
  /** Episode cut by a time limit: the state is not terminal, bootstrap from `obs`. */
  readonly truncated: boolean;
  /** Extra information. */
  readonly info: Info;
}

/** Options of `reset`, as Gymnasium 1.x. */
export interface ResetOptions {
  /** Seeds the env's random stream; the same seed gives the same start. */
  readonly seed?: number;
  /** Env-specific options (e.g. `{ low, high }` for the start-state range). */
  readonly options?: Record<string, unknown>;
}

/** Action of a discrete (number) or continuous (float array) env. */
export type Action = number | Float32Array | readonly number[];

/** What `register` stores for an id. */
export interface EnvSpec {
  /** The registered id, e.g. `CartPole-v1`. */
  readonly id: string;
  /** Builds the bare env (without the time limit). */
  readonly entryPoint: (options?: Record<string, unknown>) => Env;
  /** Time limit applied as truncation by `make` (undefined: none). */
  readonly maxEpisodeSteps?: number;
  /** Mean return at which the task counts as solved. */
  readonly rewardThreshold?: number;
  /** Builds the native batched vector env for this id, when one exists. */
  readonly vectorEntryPoint?: (numEnvs: number, options?: Record<string, unknown>) => VectorEnv;
}

/**
 * The environment contract, as Gymnasium 1.x `Env`. Physical state is float64 and settable
 * through `state` so tests can inject states; observations are float32.
 */
export interface Env<A extends Action = Action> {
  /** Registered id (or a descriptive name for unregistered envs). */
  readonly id: string;
  /** Space of observations (always a float32 Box here). */
  readonly observationSpace: Box;
  /** Space of actions. */
  readonly actionSpace: Space;
  /** The spec this env was made from, when made by `make`. */
  readonly spec?: EnvSpec;
  /** The innermost env under any wrappers. */
  readonly unwrapped: Env<A>;
  /** Starts an episode. */
  reset(opts?: ResetOptions): ResetResult;
  /** Advances one step; throws a RangeError for an action outside `actionSpace`. */
  step(action: A): StepResult;
  /** Releases resources. */
  close(): void;
}

/** An env whose internal physical state can be read and set (all classic-control envs). */
export interface StatefulEnv<A extends Action = Action> extends Env<A> {
  /** Internal physical state (float64), e.g. `[x, ẋ, θ, θ̇]` for CartPole. Setting it copies. */
  state: Float64Array;
}

/** What `VectorEnv.reset` returns. */
export interface VectorResetResult {
  /** Observations of all N envs, `N × obsDim` row-major (batch is the leading axis). */
  readonly obs: Float32Array;
  /** Extra information. */
  readonly info: Info;
}

/**
 * What `VectorEnv.step` returns. Autoreset is SAME_STEP (as Gymnasium's `AutoresetMode.SAME_STEP`):
 * an env whose episode ended in this step is reset at once, `obs` holds its new first
 * observation, and `finalObs` / `finalInfo` hold the last observation and info of the
 * ended episode. The arrays may be reused by the next call: copy what you keep.
 */
export interface VectorStepResult {
  /** Observations after the step (after autoreset), `N × obsDim`. */
  readonly obs: Float32Array;
  /** Rewards, length N. */
  readonly rewards: Float64Array;
  /** 1 where the episode terminated in this step, length N. */
  readonly terminated: Uint8Array;
  /** 1 where the episode was truncated in this step, length N. */
  readonly truncated: Uint8Array;
  /** Last observation of each episode that ended in this step (rows of other envs are unspecified), `N × obsDim`. */
  readonly finalObs: Float32Array;
  /** Last info of each env whose episode ended in this step (undefined elsewhere). */
  readonly finalInfo: readonly (Info | undefined)[];
  /** Extra information. */
  readonly info: Info;
}

/** N envs stepped together as one batch. */
export interface VectorEnv {
  /** Registered id of the envs. */
  readonly id: string;
  /** Number of envs N. */
  readonly numEnvs: number;
  /** Observation space of one env. */
  readonly singleObservationSpace: Box;
  /** Action space of one env. */
  readonly singleActionSpace: Space;
  /** Flat observation size of one env. */
  readonly obsDim: number;
  /** Flat action size of one env (1 for discrete). */
  readonly actionDim: number;
  /** The spec the envs were made from, when made by `makeVec`. */
  readonly spec?: EnvSpec;
  /** Resets all envs; with a seed, env i is seeded with `seed + i`. */
  reset(opts?: ResetOptions): VectorResetResult;
  /**
   * Steps all envs. `actions` has N entries for discrete envs or `N × actionDim` for Box envs.
   * Throws a RangeError naming env id, batch index and value for any action outside the space,
   * and an error naming both sizes for a batch of the wrong size.
   */
  step(actions: ArrayLike<number>): VectorStepResult;
  /** Releases resources. */
  close(): void;
  /** The whole env state as plain data and typed arrays (native and generic vector envs have it), for exact checkpoints. */
  getState?(): unknown;
  /** Restores a state from `getState()`: the env continues exactly where the saved one was. */
  setState?(state: never): void;
}
