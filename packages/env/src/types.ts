import type { RngState } from './rng.js';
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
  /** Builds the native batched vector env for this id, when one exists (`makeVec` uses it). */
  readonly vectorEntryPoint?: (numEnvs: number, options?: Record<string, unknown>) => VectorEnv;
  /**
   * Builds the tensor-native vector env for this id, when one exists (`makeTensorVec` uses it).
   * @rl/env has no TensorFlow: @rl/runner registers the classic-control ones on load
   * ({@link registerTensorVec}).
   */
  readonly tensorEntryPoint?: (numEnvs: number, options?: TensorVectorEnvOptions) => TensorVectorEnv;
}

/**
 * The environment contract, as Gymnasium 1.x `Env` (how to write one: packages/env/README.md).
 * Observations are float32; `terminated` (a terminal state) and `truncated` (cut by a time
 * limit, `TimeLimit`) stay separate. Randomness comes from an `Rng` seeded in `reset`,
 * never `Math.random`.
 *
 * Optional: `getState()` / `setState(state)`, the whole env (physical state, random stream,
 * episode status) as plain data. With them a resumed training run continues the envs' running
 * episodes bit-identically; without them it restarts them (seeded, reproducible, not identical).
 * `checkEnv` warns when they are missing. Wrappers have them exactly when the env they wrap has.
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
  /** The whole env (physical state, random stream, episode status) as plain data and typed arrays: it survives `structuredClone` and a checkpoint file. Optional. */
  getState?(): unknown;
  /** Restores a state from `getState()` (copied): the env continues exactly where the saved one was. Optional, present with `getState`. */
  setState?(state: never): void;
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

/** What every batched env has, whichever {@link VectorEnv} or {@link TensorVectorEnv} kind it is. */
export interface VectorEnvCommon {
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
  /** The spec the envs were made from, when made by `makeVec` / `makeTensorVec`. */
  readonly spec?: EnvSpec;
  /** Releases everything the env holds (buffers, tensors, inner envs); the env is not used after. */
  close(): void;
}

/**
 * N envs stepped together as one batch, on the host (typed arrays in, typed arrays out):
 * `makeVec`'s native and generic envs and the vector wrappers. `kind` is `'js'` or absent (a
 * user's own VectorEnv need not set it); {@link isTensorEnv} tells the two kinds apart.
 *
 * State, two different things under two names:
 * - `getState()` / `setState(s)`: the whole env as plain data, for exact checkpoints
 *   (native and generic envs have them; a generic env only when each of its envs has).
 * - `getEnvState(i)` / `setEnvState(i, v)`: env i's float64 physical state, e.g. `[x, ẋ, θ, θ̇]`
 *   (native envs have them), for tests and golden replays.
 */
export interface VectorEnv extends VectorEnvCommon {
  /** Discriminant of the host kind (optional: absent means host too). */
  readonly kind?: 'js';
  /** Resets all envs; with a seed, env i is seeded with `seed + i`. */
  reset(opts?: ResetOptions): VectorResetResult;
  /**
   * Steps all envs. `actions` has N entries for discrete envs or `N × actionDim` for Box envs.
   * Throws a RangeError naming env id, batch index and value for any action outside the space,
   * and an error naming both sizes for a batch of the wrong size.
   */
  step(actions: ArrayLike<number>): VectorStepResult;
  /** The whole env state as plain data and typed arrays, for exact checkpoints. Optional. */
  getState?(): unknown;
  /** Restores a state from `getState()`: the env continues exactly where the saved one was. */
  setState?(state: never): void;
  /** Copy of env i's physical state (float64, in the order of the kernel's `stateNames`). Optional. */
  getEnvState?(i: number): Float64Array;
  /** Sets env i's physical state (copied) and its current observation; its episode step count is kept. */
  setEnvState?(i: number, state: ArrayLike<number>): void;
}

/** Options of `makeTensorVec` (and of a registered `tensorEntryPoint`). */
export interface TensorVectorEnvOptions {
  /** Seed of the first reset (later `reset` calls may pass their own); default 0. */
  readonly seed?: number;
  /** Time limit override (default: the registered id's). */
  readonly maxEpisodeSteps?: number;
  /** The registry spec (set by `makeTensorVec`). */
  readonly spec?: EnvSpec;
}

/** Options of {@link TensorVectorEnv.reset}. */
export interface TensorResetOptions {
  /** Seeds the env's stream of start states (an `Rng`; each autoreset draws a fresh seed from it). */
  readonly seed?: number;
}

/**
 * What {@link TensorVectorEnv.step} returns; the caller owns every tensor. `M` is the tensor
 * type of `[N, d]` matrices, `V` of `[N]` vectors.
 */
export interface TensorStepResult<M = unknown, V = M> {
  /** Observations after the step (after autoreset), `[N, obsDim]`. */
  readonly obs: M;
  /** Rewards `[N]` float32. */
  readonly rewards: V;
  /** 1 where the episode terminated in this step, `[N]` float32. */
  readonly terminated: V;
  /** 1 where the time limit cut the episode in this step, `[N]` float32. */
  readonly truncated: V;
  /** Observation of the state reached by this step, before any autoreset, `[N, obsDim]` (the final observation where an episode ended). */
  readonly finalObs: M;
  /** Return of each env's current episode including this step (before the reset), `[N]` float32. */
  readonly episodeReturn: V;
  /** Length of each env's current episode including this step (before the reset), `[N]` float32. */
  readonly episodeLength: V;
}

/**
 * The whole state of a {@link TensorVectorEnv} as plain data (read back from the backend once):
 * it survives `structuredClone` and a checkpoint file, and restoring it makes the env continue
 * exactly (same start states at the next autoresets, same time-limit truncations).
 */
export interface TensorVectorEnvState {
  readonly kind: 'tensor';
  readonly id: string;
  readonly numEnvs: number;
  /** Physical states, `N × stateDim` row-major float32 (the layout of `readStates()`). */
  readonly states: Float32Array;
  /** Steps of each env's current episode. */
  readonly elapsed: Float32Array;
  /** Return of each env's current episode so far. */
  readonly returns: Float32Array;
  /** The stream the start-state seeds are drawn from. */
  readonly rng: RngState;
}

/**
 * N envs whose state lives in tensors on the backend (the tensor-native kind, `kind: 'tensor'`):
 * a rollout never leaves the device. @rl/env has no TensorFlow, so the tensor types are
 * parameters: `M` for `[N, d]` matrices, `V` for `[N]` vectors, `A` for action batches
 * (@rl/runner's `TensorVectorEnv` is this contract with tfjs's `Tensor2D`, `Tensor1D`, `Tensor`).
 * Autoreset is SAME_STEP, as the host kind's.
 *
 * State, two different things under two names:
 * - `getState()` / `setState(s)`: the whole env as plain data ({@link TensorVectorEnvState}),
 *   for exact checkpoints (one read-back).
 * - `readStates()` / `writeStates(s)`: the physical states as one `[N, stateDim]` tensor, on
 *   the backend (tests, injected states).
 */
export interface TensorVectorEnv<M = unknown, V = M, A = M> extends VectorEnvCommon {
  /** Discriminant of the tensor-native kind. */
  readonly kind: 'tensor';
  /** Time limit (truncation) in steps. */
  readonly maxEpisodeSteps: number;
  /** Names of the physical state values (the columns of `readStates()`), as the JS kernel's. */
  readonly stateNames: readonly string[];
  /** Resets all envs (new start states, counters and returns zeroed); returns the first observations `[N, obsDim]` (caller owns). */
  reset(opts?: TensorResetOptions): M;
  /** Steps all envs with actions on the backend (no read-back): int32 `[N]` for Discrete, float32 `[N, actionDim]` for Box. */
  step(actions: A): TensorStepResult<M, V>;
  /** Current observations `[N, obsDim]` (a new tensor the caller owns). */
  observe(): M;
  /** Current physical states `[N, stateDim]` (a copy the caller owns). */
  readStates(): M;
  /** Sets the physical states from `[N, stateDim]` values (copied); the step counters and returns are kept. */
  writeStates(states: M | readonly (readonly number[])[]): void;
  /** The whole env as plain data, for exact checkpoints. */
  getState(): TensorVectorEnvState;
  /** Restores a state from `getState()`: the env continues exactly where the saved one was. */
  setState(state: TensorVectorEnvState): void;
}

/** Either kind of batched env; narrow with {@link isTensorEnv}. */
export type AnyVectorEnv<M = unknown, V = M, A = M> = VectorEnv | TensorVectorEnv<M, V, A>;
