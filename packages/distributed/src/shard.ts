/**
 * One shard's work, shared by the actor and by single-process references: seeds, the policy,
 * the shard's envs and runner, the phase-1 return statistics and the phase-2 gradient.
 */
import { makeVec, Rng, type VectorEnv } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { createRunner, type RolloutBatch, type Runner } from '@rl/runner';
import { tf } from '@rl/tf';
import { policyGradient, readBatch, rewardToGo, totalReturn, type BatchData, type TrainConfig } from '@rl/trainer';
import { envStreams, perEnvSampling } from './sampling.js';

/** The seeds of a run, drawn from `Rng(config.seed)` in the trainer's order (policy, value, env, sampling). */
export function runSeeds(seed: number): { policySeed: number; envSeed: number; samplingRoot: number } {
  const root = new Rng(seed);
  const policySeed = root.nextSeed();
  root.nextSeed(); // the value network's seed in the single-process trainer
  const envSeed = root.nextSeed();
  const samplingRoot = root.nextSeed();
  return { policySeed, envSeed, samplingRoot };
}

/** πθ of the run (same architecture and initial θ as `createTrainer` with this config). */
export function buildPolicy(train: TrainConfig): Policy {
  const probe = makeVec(train.env, 1, { seed: 0 });
  try {
    return createPolicy(probe.singleObservationSpace, probe.singleActionSpace, {
      hidden: train.hidden,
      activation: train.activation,
      seed: runSeeds(train.seed).policySeed,
      logStdInit: train.logStdInit,
    });
  } finally {
    probe.close();
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
  const samplingRoot = seeds.samplingRoot + salt;
  const firstEnv = shard * numEnvs;
  const vectorization = train.envVectorization === 'generic' ? 'generic' : 'native';
  const env = makeVec(train.env, numEnvs, { seed: envSeed + firstEnv, vectorization });
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

/** Reads the batch back once and computes R_t (rewards scaled by `rewardScale`). */
export function shardReturns(batch: RolloutBatch, train: TrainConfig): ShardReturns {
  const read = readBatch(batch);
  const data = train.rewardScale === 1 ? read : { ...read, rewards: read.rewards.map((r) => r * train.rewardScale) };
  const returns = train.returnEstimator === 'totalReturn' ? totalReturn(data, train.gamma) : rewardToGo(data, train.gamma);
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
 * Â_t = R_t − b, normalised with the global mean and std when `normalizeAdvantages` (so
 * (R_t − mean)/(std + 1e-8), as the single-process trainer computes over the whole batch),
 * then the trainer's {@link policyGradient} over the shard (its own 1/N).
 */
export function shardGradient(policy: Policy, batch: RolloutBatch, train: TrainConfig, r: ShardReturns, g: RoundStats): ShardGradient {
  const adv = new Float32Array(r.returns.length);
  for (let i = 0; i < adv.length; i++) {
    const a = r.returns[i]! - g.baseline;
    adv[i] = train.normalizeAdvantages ? (a - (g.mean - g.baseline)) / (g.std + 1e-8) : a;
  }
  const pg = policyGradient(policy, batch, { advantages: adv, entCoef: train.entCoef, data: r.data });
  try {
    const grads = pg.gradJ.map((t) => Float32Array.from(t.dataSync()));
    const [loss, entropy] = tf.tidy(() => tf.stack([pg.loss, pg.entropy]).dataSync());
    return { grads, loss: loss!, entropy: entropy!, samples: r.count };
  } finally {
    pg.dispose();
  }
}
