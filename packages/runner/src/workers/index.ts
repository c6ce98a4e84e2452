/** Parallel rollouts: N envs sharded across worker threads, one learner (see {@link createWorkerRunner}). */
export { createWorkerRunner, WorkerShardError } from './worker_runner.js';
export type { WorkerRunner, WorkerRunnerOptions } from './worker_runner.js';
export type { WorkerPolicySpec, FaultInjection } from './protocol.js';
