/**
 * `@rl/trainer`: batched REINFORCE — return estimators, baselines, the policy-gradient
 * estimate, the training loop, evaluation, checkpointable state and metrics. The Node entry is
 * the browser entry (`index.browser.ts`) plus the checkpoint files (node:fs), which are also
 * their own tf-free entry `@rl/trainer/checkpoint`.
 */
export * from './index.browser.js';
/** Crash-safe checkpoint directories (atomic, fsynced, newest k kept) and their lossless state encoding. */
export { writeCheckpoint, readCheckpoint, readLatestCheckpoint, readNewestIntactCheckpoint, moveAsideCheckpoint, listCheckpoints, checkpointName, removeTempCheckpoints, CheckpointError } from './checkpoint.js';
export { encodeState, decodeState } from './checkpoint.js';
export type { Checkpoint, CheckpointMeta, EncodedState, IntactCheckpoint } from './checkpoint.js';
/** ∇θJ computed in parts on several threads (Node; the trainer's `updateWorkers`). */
export { createGradientThreads, updateParts } from './gradient_threads.js';
export type { GradientThreads, GradientThreadsOptions } from './gradient_threads.js';
