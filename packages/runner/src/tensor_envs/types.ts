/**
 * Tensor-native environments: the classic-control dynamics written as tf ops over a batch of
 * states, so a whole rollout stays on the backend. An env is two parts: {@link TensorDynamics}
 * (pure functions of the state, one file per env, its equations side by side with the JS
 * kernel's) and the one tensor vector env (autoreset, time limit and episode accumulators,
 * shared by all envs), which keeps @rl/env's `TensorVectorEnv` contract with tfjs tensors.
 */
import type { Box, Space, TensorStepResult as EnvTensorStepResult, TensorVectorEnv as EnvTensorVectorEnv } from '@rl/env';
import type { tf } from '@rl/tf';

/**
 * @rl/env's tensor-native vector-env contract with tfjs tensors: observations and states
 * `Tensor2D` `[N, d]`, per-env values `Tensor1D` `[N]`, actions int32 `[N]` or float32
 * `[N, actionDim]`. Made by `makeTensorVec`; `close()` frees its tensors.
 */
export type TensorVectorEnv = EnvTensorVectorEnv<tf.Tensor2D, tf.Tensor1D, tf.Tensor>;

/** What {@link TensorVectorEnv.step} returns, with tfjs tensors; the caller owns every tensor. */
export type TensorStepResult = EnvTensorStepResult<tf.Tensor2D, tf.Tensor1D>;

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
 * One env as pure tf functions over explicit state (gymnax style). Every op works on whole
 * columns `[N]`, so the number of kernels per step does not depend on N. Seen from outside
 * (`readStates` / `writeStates`) the state of N envs is an `[N, stateDim]` matrix. For the
 * classic-control envs, everything but the three functions comes from the JS kernel
 * (`kernelFacts`).
 */
export interface TensorDynamics {
  /** Registered id of the matching JS env, e.g. `CartPole-v1`. */
  readonly id: string;
  /** Names of the internal state columns, same order as the JS env's `state`. */
  readonly stateNames: readonly string[];
  /** Length of one observation. */
  readonly obsDim: number;
  /** Time limit (truncation) when none is given to the env. */
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
