/**
 * Short measurements of the active backend on the framework's own paths, for `rl doctor` and
 * the GPU benchmark: env steps/s of a CartPole-v1 rollout (`createRunner` over a JS or a
 * tensor-native vector env, 64-64 tanh MLP) and the milliseconds of one REINFORCE update
 * (`reinforceUpdate`: returns, baseline, one forward/backward over B samples, Adam), with the
 * read-backs per rollout and the kernels per vector step alongside.
 */
import { makeVec } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { createRunner, makeTensorVec, type RolloutBatch } from '@rl/runner';
import { countReadBacks, tf } from '@rl/tf';
import { createOptimizer, DEFAULT_CONFIG, reinforceUpdate, type Learner } from '@rl/trainer';

/** The env every probe steps. */
export const PROBE_ENV = 'CartPole-v1';

/** Which vector env a rollout probe steps: the JS one (one read-back per step) or the tensor-native one (none until the end). */
export type ProbeEnvKind = 'js' | 'tensor';

/** Options of {@link measureRollout}. */
export interface RolloutProbeOptions {
  /** Aim for a timed rollout of about this many seconds (T doubles from 2 until one takes ≥ half of it). */
  readonly seconds: number;
  /** Most vector steps T of the timed rollout (a cap for slow backends). */
  readonly maxSteps: number;
  /** Hidden layer widths; default 64, 64. */
  readonly hidden?: readonly number[];
}

/** What {@link measureRollout} measured. */
export interface RolloutProbe {
  readonly env: ProbeEnvKind;
  /** N. */
  readonly numEnvs: number;
  /** T of the timed rollout. */
  readonly steps: number;
  /** N·T / wall seconds of the timed rollout. */
  readonly stepsPerSec: number;
  /** Engine reads of the timed rollout (JS env: T; tensor-native: 1). */
  readonly readBacks: number;
  /** GPU buffers mapped by it (WebGPU in Node; 0 elsewhere). */
  readonly deviceReads: number;
  /** Kernels of one vector step (πθ acts + the env steps), tensor-native env only. */
  readonly kernelsPerStep: number | undefined;
}

/** What {@link measureUpdate} measured. */
export interface UpdateProbe {
  /** B = T·N samples in the batch. */
  readonly batch: number;
  /** Median milliseconds of one update (after one warm-up update). */
  readonly ms: number;
  /** Every timed update's milliseconds. */
  readonly runs: readonly number[];
}

const policyFor = (env: { singleObservationSpace: Parameters<typeof createPolicy>[0]; singleActionSpace: Parameters<typeof createPolicy>[1] }, hidden: readonly number[] | undefined): Policy =>
  createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 1, hidden: hidden ?? [64, 64] });

/**
 * Env steps per second of `createRunner(policy, env).rollout(T)` on the active backend, N envs
 * of CartPole-v1, after a warm-up rollout (shader compilation, lazy set-up).
 *
 * @example
 * const r = await measureRollout('tensor', 1024, { seconds: 0.5, maxSteps: 256 }); // r.readBacks === 1
 */
export async function measureRollout(kind: ProbeEnvKind, n: number, opts: RolloutProbeOptions): Promise<RolloutProbe> {
  const env = kind === 'tensor' ? makeTensorVec(PROBE_ENV, n, { seed: 1 }) : makeVec(PROBE_ENV, n, { seed: 1 });
  const policy = policyFor(env, opts.hidden);
  const runner = createRunner(policy, env, { seed: 1, checkNaN: false });
  try {
    runner.rollout(2).dispose();
    let steps = 2;
    for (;;) {
      const t0 = performance.now();
      const counted = countReadBacks(() => runner.rollout(steps));
      const seconds = (performance.now() - t0) / 1000;
      counted.result.dispose();
      if (seconds >= opts.seconds / 2 || steps * 2 > opts.maxSteps) {
        let kernelsPerStep: number | undefined;
        if (kind === 'tensor') {
          const tEnv = env as ReturnType<typeof makeTensorVec>;
          const obs = tEnv.observe();
          kernelsPerStep = (
            await tf.profile(() => {
              const a = policy.act(obs);
              const r = tEnv.step(a);
              tf.dispose([a, ...Object.values(r)]);
            })
          ).kernels.length;
          obs.dispose();
        }
        return { env: kind, numEnvs: n, steps, stepsPerSec: (n * steps) / seconds, readBacks: counted.reads, deviceReads: counted.deviceReads, kernelsPerStep };
      }
      steps *= 2;
    }
  } finally {
    runner.dispose();
    env.close();
    policy.dispose();
  }
}

/**
 * Milliseconds of one `reinforceUpdate` (the trainer's update: reward-to-go, batch-mean
 * baseline, normalised advantages, one forward/backward over B samples, one Adam step) on a
 * batch of B = `batch` CartPole-v1 samples collected by a tensor-native rollout (T = 4).
 *
 * @example
 * const u = await measureUpdate(4096, { repeats: 3 }); // u.ms
 */
export async function measureUpdate(batch: number, opts: { readonly repeats: number; readonly hidden?: readonly number[] }): Promise<UpdateProbe> {
  const steps = 4;
  const n = Math.max(1, Math.round(batch / steps));
  const env = makeTensorVec(PROBE_ENV, n, { seed: 1 });
  const policy = policyFor(env, opts.hidden);
  const runner = createRunner(policy, env, { seed: 1, checkNaN: false });
  const optimizer = createOptimizer(policy.trainableVariables, { kind: 'adam', lr: 1e-3 });
  const learner: Learner = { policy, optimizer, ema: undefined };
  let rollout: RolloutBatch | undefined;
  try {
    rollout = runner.rollout(steps);
    reinforceUpdate(learner, rollout, DEFAULT_CONFIG, 1); // warm-up: kernels compiled, optimizer slots made
    const runs: number[] = [];
    for (let k = 0; k < opts.repeats; k++) {
      const t0 = performance.now();
      reinforceUpdate(learner, rollout, DEFAULT_CONFIG, k + 2); // reads its scalars back: the work is done when it returns
      runs.push(performance.now() - t0);
    }
    const sorted = [...runs].sort((a, b) => a - b);
    return { batch: steps * n, ms: sorted[Math.floor(sorted.length / 2)]!, runs };
  } finally {
    rollout?.dispose();
    optimizer.dispose();
    runner.dispose();
    env.close();
    policy.dispose();
  }
}
