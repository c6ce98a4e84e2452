/**
 * Tensor-native environments: the classic-control dynamics written as tf ops over a batch of
 * states `[N, stateDim]`, so a whole rollout stays on the backend. An env is two parts:
 * {@link TensorDynamics} (pure functions of the state, one file per env, written beside the
 * JS env's equations) and {@link TensorVectorEnv} (autoreset, time limit and episode
 * accumulators, shared by all envs).
 */
import type { Box, Space } from '@rl/env';
import type { tf } from '@rl/tf';

/**
 * The internal state of N envs as one float32 `[N]` column per state value (struct of arrays,
 * as the JS envs' typed arrays): the dynamics work on whole columns, so no per-step
 * unstack/stack of an `[N, stateDim]` matrix is needed (on wasm that gather is a host-side copy).
 */
export type StateColumns = readonly tf.Tensor1D[];

/** What one batched transition returns (before autoreset). */
export interface TensorTransition {
  /** Next internal state, one `[N]` column per state value. */
  readonly state: StateColumns;
  /** Reward of the transition `[N]` float32. */
  readonly reward: tf.Tensor1D;
  /** True where the next state is terminal, `[N]` bool. */
  readonly terminated: tf.Tensor1D;
}

/**
 * One classic-control env as pure tf functions over explicit state (gymnax style). Every op
 * works on whole columns `[N]`, so the number of kernels per step does not depend on N. Seen
 * from outside (`getState`/`setState`) the state of N envs is an `[N, stateDim]` matrix.
 */
export interface TensorDynamics {
  /** Registered id of the matching JS env, e.g. `CartPole-v1`. */
  readonly id: string;
  /** Names of the internal state columns, same order as the JS env's `state`. */
  readonly stateNames: readonly string[];
  /** Length of one observation. */
  readonly obsDim: number;
  /** Time limit of the registered id (truncation). */
  readonly maxEpisodeSteps: number;
  /** Observation space of one env (same as the JS env's). */
  readonly observationSpace: Box;
  /** Action space of one env (same as the JS env's). */
  readonly actionSpace: Space;
  /** `n` start states (one `[n]` column per state value), drawn with `tf.randomUniform` under `seed` (fresh per call). */
  initialState(n: number, seed: number): tf.Tensor1D[];
  /**
   * One transition of every row. `action` is int32 `[N]` for Discrete or float32 `[N, 1]` for
   * Box action spaces. Call inside `tf.tidy`.
   */
  step(state: StateColumns, action: tf.Tensor): TensorTransition;
  /** Observations `[N, obsDim]` float32 of a state. */
  observe(state: StateColumns): tf.Tensor2D;
}

/** What {@link TensorVectorEnv.step} returns; the caller owns every tensor. */
export interface TensorStepResult {
  /** Observations after the step (after autoreset), `[N, obsDim]`. */
  readonly obs: tf.Tensor2D;
  /** Rewards `[N]` float32. */
  readonly rewards: tf.Tensor1D;
  /** 1 where the episode terminated in this step, `[N]` float32. */
  readonly terminated: tf.Tensor1D;
  /** 1 where the time limit cut the episode in this step, `[N]` float32. */
  readonly truncated: tf.Tensor1D;
  /** Observation of the state reached by this step, before any autoreset, `[N, obsDim]` (the final observation where an episode ended). */
  readonly finalObs: tf.Tensor2D;
  /** Return of each env's current episode including this step (before the reset), `[N]` float32. */
  readonly episodeReturn: tf.Tensor1D;
  /** Length of each env's current episode including this step (before the reset), `[N]` float32. */
  readonly episodeLength: tf.Tensor1D;
}

/** Options of {@link TensorVectorEnv.reset}. */
export interface TensorResetOptions {
  /** Seeds the env's stream of start states (our `Rng`; each autoreset draws a fresh tf seed from it). */
  readonly seed?: number;
}

/**
 * N envs whose state lives in tensors; the counterpart of `VectorEnv` for rollouts that never
 * leave the backend. Autoreset is SAME_STEP, as the JS vector envs.
 */
export interface TensorVectorEnv {
  /** Discriminant: distinguishes tensor envs from JS `VectorEnv`s. */
  readonly kind: 'tensor';
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
  /** Time limit (truncation) in steps. */
  readonly maxEpisodeSteps: number;
  /** The dynamics the env steps. */
  readonly dynamics: TensorDynamics;
  /** Resets all envs (new start states, counters and returns zeroed); returns the first observations (caller owns). */
  reset(opts?: TensorResetOptions): tf.Tensor2D;
  /** Steps all envs with actions on the backend (no read-back); see {@link TensorStepResult}. */
  step(actions: tf.Tensor): TensorStepResult;
  /** Current observations `[N, obsDim]` (a new tensor the caller owns). */
  observe(): tf.Tensor2D;
  /** Current internal state `[N, stateDim]` (a copy the caller owns). Setting it copies the given tensor or array. */
  getState(): tf.Tensor2D;
  /** Sets the internal state (e.g. in tests) from `[N, stateDim]` values; the step counters and returns are kept. */
  setState(state: tf.Tensor2D | readonly (readonly number[])[]): void;
  /** Frees the env's tensors. */
  dispose(): void;
}
