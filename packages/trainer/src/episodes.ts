/**
 * The seed's sampling scheme: N whole episodes per iteration (each env's first episode from a
 * seeded reset), as one {@link RolloutBatch} padded to the longest episode with `mask` 0.
 */
import { tf } from '@rl/tf';
import type { Policy } from '@rl/policy';
import { createRunner, type AnyVectorEnv, type RolloutBatch } from '@rl/runner';

/** Options of {@link rolloutEpisodes}. */
export interface EpisodeRolloutOptions {
  /** Seed of the reset (env i gets seed + i for JS envs). */
  readonly seed: number;
  /** Cap on episode length (the env's time limit); episodes still running then are cut there. */
  readonly maxSteps: number;
  /** Steps of the first chunk; chunks double while episodes are running. Default 32. */
  readonly firstChunk?: number;
}

/**
 * Resets `env` with `seed` and steps it in chunks until every env has finished its first
 * episode, then returns those N episodes as one batch: `[T, N, …]` with T the longest episode,
 * `mask` 1 up to and including each env's last step, `numSteps` the real steps. Steps taken
 * after an env's episode ended are discarded (they are the cost of stepping N envs as one
 * batch). One read-back of the flags per chunk.
 */
export function rolloutEpisodes(policy: Policy, env: AnyVectorEnv, opts: EpisodeRolloutOptions): RolloutBatch {
  const N = env.numEnvs;
  if (!Number.isInteger(opts.maxSteps) || opts.maxSteps < 1) throw new RangeError(`rolloutEpisodes: maxSteps must be a positive integer, got ${opts.maxSteps}`);
  const runner = createRunner(policy, env, { seed: opts.seed });
  const chunks: RolloutBatch[] = [];
  const end = new Int32Array(N).fill(-1); // last step of each env's first episode
  const ret = new Float64Array(N);
  let remaining = N;
  let T = 0;
  let chunk = opts.firstChunk ?? 32;
  try {
    while (remaining > 0 && T < opts.maxSteps) {
      const steps = Math.min(chunk, opts.maxSteps - T);
      const b = runner.rollout(steps);
      chunks.push(b);
      const flat = tf.tidy(() => tf.concat([tf.add(b.terminated, b.truncated).reshape([-1]), b.rewards.reshape([-1])]));
      const v = flat.dataSync();
      flat.dispose();
      for (let t = 0; t < steps; t++) {
        for (let n = 0; n < N; n++) {
          if (end[n] !== -1) continue;
          ret[n] = ret[n]! + v[steps * N + t * N + n]!;
          if (v[t * N + n]! > 0) {
            end[n] = T + t;
            remaining--;
          }
        }
      }
      T += steps;
      chunk *= 2;
    }
  } finally {
    runner.dispose();
  }
  // Episodes still running at the cap end at the last step (cut; bootstrapped with V(lastObs) if V exists)
  for (let n = 0; n < N; n++) if (end[n] === -1) end[n] = T - 1;
  const Tmax = Math.max(...end) + 1;
  const maskArr = new Float32Array(Tmax * N);
  let numSteps = 0;
  for (let t = 0; t < Tmax; t++) for (let n = 0; n < N; n++) if (t <= end[n]!) (maskArr[t * N + n] = 1), numSteps++;
  const cat = <R extends tf.Rank>(pick: (b: RolloutBatch) => tf.Tensor<R>): tf.Tensor<R> =>
    tf.tidy(() => {
      const all = chunks.length === 1 ? pick(chunks[0]!).clone() : tf.concat(chunks.map(pick), 0);
      return all.shape[0] === Tmax ? all : tf.slice(all, 0, Tmax);
    });
  const last = chunks[chunks.length - 1]!;
  const parts = {
    obs: cat((b) => b.obs) as tf.Tensor3D,
    actions: cat((b) => b.actions),
    rewards: cat((b) => b.rewards) as tf.Tensor2D,
    terminated: cat((b) => b.terminated) as tf.Tensor2D,
    truncated: cat((b) => b.truncated) as tf.Tensor2D,
    finalObs: cat((b) => b.finalObs) as tf.Tensor3D,
    // after the padded end every env has finished, so lastObs only matters for episodes cut at the cap (then T = Tmax)
    lastObs: last.lastObs.clone() as tf.Tensor2D,
    mask: tf.tensor2d(maskArr, [Tmax, N]),
  };
  for (const b of chunks) b.dispose();
  const tensors = Object.values(parts);
  return {
    ...parts,
    episodeReturns: Array.from(ret),
    episodeLengths: Array.from(end, (e) => e + 1),
    numSteps,
    steps: Tmax,
    numEnvs: N,
    dispose: () => tf.dispose(tensors),
  };
}
