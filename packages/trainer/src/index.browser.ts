/**
 * `@rl/trainer` in a browser (the `browser` export condition): batched REINFORCE — return
 * estimators, baselines, the policy-gradient estimate, the training loop, evaluation,
 * checkpointable state and metrics — everything of the Node entry but the checkpoint files.
 */
/** Return estimators over `[T·N]` rollouts: the seed's R(τ), reward-to-go, GAE-λ. */
export { totalReturn, rewardToGo, gae } from './returns.js';
export type { Transitions, Bootstrap, GaeResult } from './returns.js';
/** The estimate of ∇θJ and one REINFORCE update, each step a named function (see reinforce.ts). */
export {
  policyGradient,
  finalAdvantages,
  surrogateGradient,
  reinforceUpdate,
  reinforceUpdateAsync,
  readBatch,
  scaleRewards,
  discountedReturns,
  constantBaseline,
  advantagesOf,
  estimate,
  standardize,
  normalize,
  maskedMean,
  clipAndAscend,
  updateEma,
  NonFiniteError,
} from './reinforce.js';
export type { PolicyGradient, PolicyGradientOptions, GradientEstimator, SurrogateGradient, SampleBatch, ValueFunction, BatchData, Learner, UpdateConfig, UpdateMetrics, Estimate } from './reinforce.js';
/** When things happen in a run: seed order, learning-rate schedule, stop rule, evaluation seed. */
export { runSeeds, learningRate, stopReason, evaluationSeed, evaluationDue, evaluatesDuringTraining } from './schedule.js';
export type { RunSeeds, RunProgress, StopReason } from './schedule.js';
/** Adam / SGD with exact serialisable state, and the global gradient norm. */
export { createOptimizer, globalNorm } from './optim.js';
export type { Optimizer, OptimizerOptions, OptimizerState } from './optim.js';
/** The hyperparameter record, its defaults, zod schema and validation. */
export { DEFAULT_CONFIG, trainConfigSchema, resolveConfig, ConfigError, showValue, AUTO_UPDATE_MIN_BATCH } from './config.js';
export type { TrainConfig, ConfigIssue, ResolveOptions, ReturnEstimator, BaselineKind, LogLevel, EnvVectorization } from './config.js';
/** Command-line flags derived from a zod schema (the config's, `@rl/distributed`'s). */
export { schemaFlags, parseFlagValue, flagHelp, deepMerge, setPath, kebab, FlagValueError } from './flags.js';
export type { FieldFlag } from './flags.js';
/** The N envs and πθ of a run from its config (`envVectorization`, `auto` resolved in one place). */
export { makeTrainingEnv, vectorizationOf, createTrainingPolicy } from './setup.js';
/** A run's `envModule` (Node only): the user's module that registers its env. */
export { importEnvModule } from './env_module.js';
/** The training loop. */
export { createTrainer, train, envIds, policyMetadata, TIMING_FIELDS } from './trainer.js';
export type { Trainer, TrainerOptions, TrainerState, TrainResult, IterationMetrics, EvalOptions, EvalResult, RunHooks, TrainingEvaluation, BestPolicyState, PolicyChoice, PolicyOrigin, SavePolicyOptions } from './trainer.js';
/** Will a run fit in memory: the estimate (rollout arrays, update tensors, envs, workers, evaluation) and the check against this machine's limits. */
export { estimateRunMemory, estimateEvalMemory, checkRunMemory, checkEvalMemory, checkMemory, spaceSizes, formatBytes, RunSizeError } from './memory.js';
export type { MemoryEstimate, MemoryPart, SpaceSizes } from './memory.js';
/** Evaluation of a policy on fresh seeded envs (Trainer.evaluate and `rl eval` run it). */
export { evaluatePolicy, evaluatePolicySync } from './evaluate.js';
export type { EvaluatePolicyOptions } from './evaluate.js';
/** Faster transposed matMul on the wasm backend (installed by createTrainer). */
/** The previous name of @rl/tf's useFastWasmKernels (kept for callers of the trainer's export). */
export { useFastWasmMatMul } from '@rl/tf';
