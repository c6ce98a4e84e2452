/** Parallel rollouts: N envs sharded across worker threads, one learner (see {@link createWorkerRunner}). */
export { createWorkerRunner, WorkerShardError } from './worker_runner.js';
export type { ShardTimes, WorkerRunner, WorkerRunnerOptions } from './worker_runner.js';
export { threadTimes, type ThreadTimes } from './thread_time.js';
export type { WorkerPolicySpec, FaultInjection } from './protocol.js';
export { createThreadPool, ThreadPoolError } from './pool.js';
export type { ThreadPool, ThreadPoolOptions, RunOptions, ThreadFailure, ThreadTaskTimes } from './pool.js';
export { serveThread, usWord, type ThreadContext } from './thread.js';
export { CTL_USER, CTL_WORDS } from './thread_protocol.js';
