/**
 * One shard's work, shared by the actor and by single-process references: the policy, the
 * shard's envs and runner, the phase-1 return statistics and the phase-2 gradient. Every piece
 * of the algorithm is the trainer's own (`@rl/trainer`: the seed order, the policy and envs of a
 * config, reward scaling, the return estimator, advantages, standardisation, ∇θJ); what is this
 * package's is only how a round splits them between processes.
 */
import { Rng, type VectorEnv } from '@rl/env';
import type { Policy } from '@rl/policy';
import { createRunner, type RolloutBatch, type Runner } from '@rl/runner';
import { tf } from '@rl/tf';
import { advantagesOf, createTrainingPolicy, discountedReturns, makeTrainingEnv, policyGradient, readBatch, runSeeds, scaleRewards, standardize, type BatchData, type TrainConfig } from '@rl/trainer';
import { envStreams, perEnvSampling } from './sampling.js';

/** πθ of the run (createTrainer's for this config: same architecture, same initial θ). */
export function buildPolicy(train: TrainConfig): Policy {
  const probe = makeTrainingEnv(train, 1, 0);
  try {
    return createTrainingPolicy(train, probe.singleObservationSpace, probe.singleActionSpace);
  } finally {
    (probe as VectorEnv).close();
  }
}

/** A shard's envs and the runner stepping them. */
export interface ShardRollout {
  readonly runner: Runner;
  readonly env: VectorEnv;
  /** Global index of the shard's first env. */
  readonly firstEnv: number;
  dispose(): void;
}

/**
 * Shard `shard` with `numEnvs` envs: global envs shard·N … shard·N+N−1, env j reset with
 * `envSeed + j` and sampling from stream j (see {@link envStreams}). `epoch` > 0 (an actor
 * that joins a run in progress: the round it joined in) moves both to fresh seeds, so a
 * replacement does not replay the episodes its predecessor started with.
 */
export function createShardRollout(policy: Policy, train: TrainConfig, shard: number, numEnvs = train.numEnvs, epoch = 0): ShardRollout {
  const seeds = runSeeds(train.seed);
  const salt = epoch > 0 ? new Rng(seeds.envSeed ^ epoch).nextSeed() : 0;
  const envSeed = seeds.envSeed + salt;
  const samplingRoot = seeds.streamSeed + salt;
  const firstEnv = shard * numEnvs;
  const env = makeTrainingEnv(train, numEnvs, envSeed + firstEnv) as VectorEnv; // JS envs: resolveDistributed refuses tensor ones
  const runner = createRunner(perEnvSampling(policy, envStreams(samplingRoot, firstEnv, numEnvs)), env, { seed: envSeed + firstEnv });
  return {
    runner,
    env,
    firstEnv,
    dispose: () => {
      runner.dispose();
      env.close();
    },
  };
}

/** Phase 1 of a shard: the returns R_t it credits each step with, and their sums. */
export interface ShardReturns {
  readonly data: BatchData;
  readonly returns: Float32Array;
  readonly sum: number;
  readonly sumSq: number;
  readonly count: number;
}

/** R_t of the shard's batch (rewards scaled by `rewardScale`), as the trainer computes them, and their sums. */
export function shardReturns(batch: RolloutBatch, train: TrainConfig): ShardReturns {
  const data = scaleRewards(readBatch(batch), train.rewardScale);
  const returns = discountedReturns(data, train.returnEstimator, train.gamma);
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let i = 0; i < returns.length; i++) {
    if (!data.mask[i]) continue;
    sum += returns[i]!;
    sumSq += returns[i]! * returns[i]!;
    count++;
  }
  return { data, returns, sum, sumSq, count };
}

/** The global statistics of a round (from every included shard). */
export interface RoundStats {
  /** b subtracted from R_t. */
  readonly baseline: number;
  /** Mean and std (n − 1) of R_t over all included shards. */
  readonly mean: number;
  readonly std: number;
}

/** Mean and std (n − 1) from Σx, Σx², n (float64). */
export function meanStd(sum: number, sumSq: number, count: number): { mean: number; std: number } {
  const mean = count > 0 ? sum / count : 0;
  const v = count > 1 ? Math.max(sumSq - count * mean * mean, 0) / (count - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

/** Phase 2 of a shard: ∇θJ with the round's global baseline and normalisation. */
export interface ShardGradient {
  readonly grads: Float32Array[];
  readonly loss: number;
  readonly entropy: number;
  readonly samples: number;
}

/**
 * Â_t = R_t − b, standardised with the global mean and std of Â (mean R − b, std R) when
 * `normalizeAdvantages` — what the single-process trainer computes over the whole batch — then
 * the trainer's {@link policyGradient} over the shard (its own 1/N).
 */
export function shardGradient(policy: Policy, batch: RolloutBatch, train: TrainConfig, r: ShardReturns, g: RoundStats): ShardGradient {
  const adv = advantagesOf(r.returns, g.baseline);
  const advantages = train.normalizeAdvantages ? standardize(adv, g.mean - g.baseline, g.std, r.data.mask) : adv;
  const pg = policyGradient(policy, batch, { advantages, entCoef: train.entCoef, data: r.data });
  try {
    const grads = pg.gradJ.map((t) => Float32Array.from(t.dataSync()));
    const [loss, entropy] = tf.tidy(() => tf.stack([pg.loss, pg.entropy]).dataSync());
    return { grads, loss: loss!, entropy: entropy!, samples: r.count };
  } finally {
    pg.dispose();
  }
}
