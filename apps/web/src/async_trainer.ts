/**
 * REINFORCE on tensor-native envs with asynchronous reads only, on the trainer's own update
 * path: its config record, seed order and policy (`resolveConfig`, `runSeeds`,
 * `createTrainingPolicy`), its learning-rate schedule and `reinforceUpdateAsync` (the very
 * steps of `reinforceUpdate`: returns, advantages, ∇θJ, clip-and-ascend — with `await data()`
 * reads). It exists for a WebGPU without synchronous read-back (SwiftShader: see
 * `BackendInfo.syncReadback`), where `createTrainer` — which reads with `dataSync` — cannot
 * run. Per iteration: T steps of πθ and the env on the backend (no read-back), the rewards,
 * done flags and finished-episode returns read once with `await data()`, then the update.
 */
import type { Policy } from '@rl/policy';
import { makeTensorVec, type RolloutBatch } from '@rl/runner';
import { tf } from '@rl/tf';
import { createOptimizer, createTrainingPolicy, learningRate, reinforceUpdateAsync, resolveConfig, runSeeds, type Learner } from '@rl/trainer';

/** Options of {@link createAsyncTrainer}. */
export interface AsyncTrainerOptions {
  /** Registered id of a tensor-native env, e.g. `CartPole-v1`. */
  readonly env: string;
  /** N envs stepped as one batch. Default 16. */
  readonly numEnvs?: number;
  /** T steps per iteration. Default 32. */
  readonly stepsPerIter?: number;
  /** Seed of the weights, the envs and the sampling. Default 1. */
  readonly seed?: number;
  /** Adam learning rate. Default 1e-3. */
  readonly lr?: number;
  /** Hidden layer widths. Default [64, 64]. */
  readonly hidden?: readonly number[];
  /** Discount γ of the rewards-to-go. Default 0.99. */
  readonly gamma?: number;
  /** Finished episodes averaged for `returnMean`. Default 20. */
  readonly returnWindow?: number;
}

/** What one iteration reports. */
export interface AsyncIteration {
  readonly iteration: number;
  readonly envSteps: number;
  /** Mean return of the last `returnWindow` finished episodes (NaN before the first). */
  readonly returnMean: number;
  readonly loss: number;
  readonly entropy: number;
  readonly gradNorm: number;
  /** Episodes that ended in this iteration. */
  readonly finished: number;
  readonly stepsPerSec: number;
}

/** A training run stepped with `await step()`. */
export interface AsyncTrainer {
  readonly policy: Policy;
  step(): Promise<AsyncIteration>;
  dispose(): void;
}

/**
 * Builds the envs, πθ and Adam.
 *
 * @example
 * const t = createAsyncTrainer({ env: 'CartPole-v1', numEnvs: 32 });
 * const m = await t.step(); // { iteration: 1, returnMean, loss, … }
 */
export function createAsyncTrainer(opts: AsyncTrainerOptions): AsyncTrainer {
  // reward-to-go, no baseline, normalised advantages, Adam; everything else the trainer's defaults
  const cfg = resolveConfig({
    env: opts.env,
    numEnvs: opts.numEnvs ?? 16,
    stepsPerIter: opts.stepsPerIter ?? 32,
    seed: opts.seed ?? 1,
    lr: opts.lr ?? 1e-3,
    hidden: [...(opts.hidden ?? [64, 64])],
    gamma: opts.gamma ?? 0.99,
    returnWindow: opts.returnWindow ?? 20,
    returnEstimator: 'rewardToGo',
    baseline: 'none',
    normalizeAdvantages: true,
    envVectorization: 'tensor',
    logLevel: 'silent',
  });
  const N = cfg.numEnvs;
  const T = cfg.stepsPerIter;
  const window = cfg.returnWindow;
  const { envSeed } = runSeeds(cfg.seed);
  const env = makeTensorVec(cfg.env, N, { seed: envSeed });
  const policy = createTrainingPolicy(cfg, env.singleObservationSpace, env.singleActionSpace);
  const optimizer = createOptimizer(policy.trainableVariables, { kind: cfg.optimizer, lr: cfg.lr });
  const learner: Learner = { policy, optimizer, ema: undefined };
  let obs = env.reset({ seed: envSeed });
  let iteration = 0;
  let envSteps = 0;
  const recent: number[] = [];

  async function step(): Promise<AsyncIteration> {
    const t0 = performance.now();
    const parts = { obs: [] as tf.Tensor[], actions: [] as tf.Tensor[], rewards: [] as tf.Tensor[], terminated: [] as tf.Tensor[], truncated: [] as tf.Tensor[], finalObs: [] as tf.Tensor[], episodeReturn: [] as tf.Tensor[] };
    for (let t = 0; t < T; t++) {
      const a = policy.act(obs);
      const r = env.step(a); // outside tf.tidy: the env keeps its new state
      parts.obs.push(obs);
      parts.actions.push(a);
      parts.rewards.push(r.rewards);
      parts.terminated.push(r.terminated);
      parts.truncated.push(r.truncated);
      parts.finalObs.push(r.finalObs);
      parts.episodeReturn.push(r.episodeReturn);
      r.episodeLength.dispose();
      obs = r.obs;
    }
    const stacked = {
      obs: tf.stack(parts.obs) as tf.Tensor3D,
      actions: tf.stack(parts.actions),
      rewards: tf.stack(parts.rewards) as tf.Tensor2D,
      terminated: tf.stack(parts.terminated) as tf.Tensor2D,
      truncated: tf.stack(parts.truncated) as tf.Tensor2D,
      finalObs: tf.stack(parts.finalObs) as tf.Tensor3D,
      mask: tf.ones([T, N]) as tf.Tensor2D,
      lastObs: tf.clone(obs) as tf.Tensor2D,
    };
    const epReturn = tf.stack(parts.episodeReturn);
    tf.dispose(Object.values(parts).flat());
    const batch: RolloutBatch = { ...stacked, episodeReturns: [], episodeLengths: [], episodeEnds: [], numSteps: T * N, steps: T, numEnvs: N, dispose: () => tf.dispose(Object.values(stacked)) };
    try {
      // The one read-back of the iteration (asynchronous)
      const [rewards, terminated, truncated, returns] = await Promise.all([stacked.rewards.data(), stacked.terminated.data(), stacked.truncated.data(), epReturn.data()]);
      let finished = 0;
      for (let i = 0; i < T * N; i++) {
        if (terminated[i] || truncated[i]) {
          recent.push(returns[i]!);
          finished++;
        }
      }
      if (recent.length > window) recent.splice(0, recent.length - window);
      const data = { steps: T, numEnvs: N, rewards: rewards as Float32Array, terminated: terminated as Float32Array, truncated: truncated as Float32Array, mask: new Float32Array(T * N).fill(1) };
      optimizer.lr = learningRate(cfg, envSteps);
      const u = await reinforceUpdateAsync(learner, batch, cfg, iteration + 1, data);
      iteration++;
      envSteps += T * N;
      return {
        iteration,
        envSteps,
        returnMean: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN,
        loss: u.loss,
        entropy: u.entropy,
        gradNorm: u.gradNorm,
        finished,
        stepsPerSec: (T * N) / ((performance.now() - t0) / 1000),
      };
    } finally {
      batch.dispose();
      epReturn.dispose();
    }
  }

  return {
    policy,
    step,
    dispose() {
      obs.dispose();
      optimizer.dispose();
      env.close();
      policy.dispose();
    },
  };
}
