/**
 * `@rl/distributed`: synchronous data-parallel REINFORCE across processes and machines —
 * actors (one per shard) and a learner exchanging binary messages over NATS (JetStream KV for
 * the weights, Object Store above 1 MB), placed by Kubernetes Indexed Jobs.
 */
/** The run's options, their validation and the JSON config file. */
export { resolveDistributed, readConfigFile, sharedConfigKey, names, distributedRunSchema, DistributedConfigError } from './config.js';
export type { DistributedOptions, DistributedInput, Role } from './config.js';
/** `rl train --distributed` as one call, and its flag parser. */
export { runDistributedCommand, parseDistributedArgs, distributedFlags } from './command.js';
export type { DistributedCommandOptions, DistributedCommandResult } from './command.js';
/** The learner process. */
export { runLearner, MODEL_DIR } from './learner.js';
export type { LearnerHooks, LearnerResult, RoundMetrics, RoundDetail, RejectCounts } from './learner.js';
/** An actor process (shard i of k). */
export { runActor } from './actor.js';
export type { ActorHooks, ActorResult } from './actor.js';
/** The binary wire format. */
export {
  MAGIC,
  FORMAT_VERSION,
  Kind,
  ProtocolError,
  peek,
  encodeWeights,
  decodeWeights,
  encodeWeightsRef,
  decodeWeightsRef,
  encodeStats,
  decodeStats,
  encodeGlobal,
  decodeGlobal,
  encodeGrad,
  decodeGrad,
  encodeGradRef,
  decodeGradRef,
  fnv1a,
} from './protocol.js';
export type { KindName, RejectReason, Envelope, WeightsMsg, WeightsRefMsg, StatsMsg, GlobalMsg, GradMsg, GradRefMsg } from './protocol.js';
/** A shard's rollout, return statistics and gradient (also the single-process reference). */
export { buildPolicy, createShardRollout, shardReturns, shardGradient, meanStd } from './shard.js';
export type { ShardRollout, ShardReturns, RoundStats, ShardGradient } from './shard.js';
/** Per-env sampling streams (rollouts independent of the sharding). */
export { envStreams, perEnvSampling } from './sampling.js';
/** The learner's checkpoints (the framework's one checkpoint format, `@rl/trainer/checkpoint`). */
export { saveCheckpoint, loadCheckpoint, CHECKPOINTS_DIR } from './checkpoint.js';
export type { LearnerCheckpoint } from './checkpoint.js';
/** Connecting with bounded retries. */
export { connectNats, NatsUnreachableError, NatsLostError, watchClosed, Inbox } from './nats.js';
export type { ConnectOptions } from './nats.js';
/** A throw-away local nats-server (tests, benchmark). */
export { startLocalNats, freePort } from './nats_server.js';
export type { LocalNats } from './nats_server.js';
/** Path of the `rl-distributed` executable. */
export { DISTRIBUTED_BIN } from './bin_path.js';
