/**
 * Episode mode, the seed's literal form of batched REINFORCE: N envs each play one whole
 * episode from a fresh (seeded) reset; the batch is padded to the longest episode, with a mask.
 *
 * How `episodes` relates to N: the batch has exactly `episodes` columns, one per episode. They
 * are collected in rounds of N envs, `ceil(episodes / N)` rounds: round k resets the vector
 * env with seed `seed + k·N` (so env i of round k is seeded `seed + k·N + i`: every episode has
 * its own seed), then steps all N envs until each env whose column is kept has finished its
 * first episode. Envs that already finished keep stepping (the vector env steps all N, with
 * SAME_STEP autoreset), but their later steps are masked out and not stored; in the last round,
 * envs beyond `episodes` are stepped but not kept. Default `episodes` = N (one round).
 */
import type { VectorEnv } from '@rl/env';
import type { Policy } from '@rl/policy';
import { tf } from '@rl/tf';
import { releaseRollout } from './rollout.js';
import { checkSpaces } from './spaces_check.js';
import type { RolloutBatch } from './types.js';

/** Options of {@link rolloutEpisodes}. */
export interface EpisodeRolloutOptions {
  /** Number of whole episodes E (columns of the batch); default N. */
  readonly episodes?: number;
  /** Base seed of the resets (round k, env i: `seed + k·N + i`); default 0. */
  readonly seed?: number;
  /** Safety bound on the steps of one round (an env without a time limit may never end); default 100 000. */
  readonly maxSteps?: number;
  /** Throw on a NaN observation or reward, naming env index and step; default true. */
  readonly checkNaN?: boolean;
  /** Act with the distribution's mode instead of sampling; default false. */
  readonly deterministic?: boolean;
}

/** What one round records for one env: its episode's steps, copied. */
interface Column {
  obs: number[][];
  actions: number[][];
  rewards: number[];
  terminated: number[];
  truncated: number[];
  finalObs: number[];
  ret: number;
}

/**
 * Whole episodes as one padded batch `[T, E, …]` with `mask` 1 on real steps (T = the longest
 * episode). `episodeReturns[j]` / `episodeLengths[j]` belong to column j; `finalObs` holds each
 * episode's last observation at its last step; `lastObs [E, obsDim]` is that observation too
 * (bootstrap truncated episodes from it). Resets the env: any {@link rollout} state kept for
 * it is dropped (the next `rollout` on it resets again).
 * @example
 * const b = rolloutEpisodes(policy, makeVec('CartPole-v1', 16), { episodes: 32, seed: 1 });
 * b.mask.sum(); // = sum of the 32 episode lengths
 */
export function rolloutEpisodes(policy: Policy, env: VectorEnv, opts: EpisodeRolloutOptions = {}): RolloutBatch {
  if ((env as { kind?: string }).kind === 'tensor') {
    throw new TypeError(`rolloutEpisodes: env ${env.id} is tensor-native; episode mode runs on JS vector envs (use rollout for tensor envs)`);
  }
  checkSpaces('rolloutEpisodes', policy, env.id, env.singleObservationSpace, env.singleActionSpace);
  const n = env.numEnvs;
  const episodes = opts.episodes ?? n;
  if (!Number.isInteger(episodes) || episodes <= 0) throw new RangeError(`rolloutEpisodes: episodes must be a positive integer, got ${episodes}`);
  const maxSteps = opts.maxSteps ?? 100_000;
  const seed = opts.seed ?? 0;
  const checkNaN = opts.checkNaN ?? true;
  const actOpts = { deterministic: opts.deterministic ?? false };
  const od = env.obsDim;
  const discrete = env.singleActionSpace.type === 'Discrete';
  const ad = discrete ? 1 : env.actionDim;
  releaseRollout(env);

  const columns: Column[] = [];
  const rounds = Math.ceil(episodes / n);
  for (let k = 0; k < rounds; k++) {
    const keep = Math.min(n, episodes - k * n);
    const cols: Column[] = Array.from({ length: keep }, () => ({ obs: [], actions: [], rewards: [], terminated: [], truncated: [], finalObs: [], ret: 0 }));
    const done = new Uint8Array(keep);
    let open = keep;
    let obs = Float32Array.from(env.reset({ seed: seed + k * n }).obs);
    for (let t = 0; open > 0; t++) {
      if (t >= maxSteps) {
        const i = done.indexOf(0);
        throw new RangeError(`rolloutEpisodes: env ${env.id} index ${i} (round ${k}) has not finished an episode after maxSteps = ${maxSteps} steps`);
      }
      const obsT = tf.tensor2d(obs, [n, od], 'float32');
      const actT = policy.act(obsT, actOpts);
      let actions: ArrayLike<number>;
      try {
        actions = actT.dataSync(); // the one read-back of this vector step
      } finally {
        obsT.dispose();
        actT.dispose();
      }
      const r = env.step(actions);
      for (let i = 0; i < keep; i++) {
        if (done[i]) continue;
        const c = cols[i]!;
        const rew = r.rewards[i]!;
        if (checkNaN && Number.isNaN(rew)) throw new RangeError(`rolloutEpisodes: env ${env.id} index ${i} returned a NaN reward at step ${t} (round ${k})`);
        c.obs.push(Array.from(obs.subarray(i * od, (i + 1) * od)));
        c.actions.push(Array.from({ length: ad }, (_, j) => actions[i * ad + j]!));
        c.rewards.push(rew);
        c.terminated.push(r.terminated[i]!);
        c.truncated.push(r.truncated[i]!);
        c.ret += rew;
        if (r.terminated[i] || r.truncated[i]) {
          c.finalObs = Array.from(r.finalObs.subarray(i * od, (i + 1) * od));
          if (checkNaN && c.finalObs.some(Number.isNaN)) throw new RangeError(`rolloutEpisodes: env ${env.id} index ${i} returned a NaN observation at step ${t} (round ${k})`);
          done[i] = 1;
          open--;
        } else if (checkNaN) {
          for (let j = 0; j < od; j++) {
            if (Number.isNaN(r.obs[i * od + j]!)) throw new RangeError(`rolloutEpisodes: env ${env.id} index ${i} returned a NaN observation at step ${t} (round ${k})`);
          }
        }
      }
      obs = Float32Array.from(r.obs);
    }
    columns.push(...cols);
  }

  const e = episodes;
  const T = Math.max(...columns.map((c) => c.rewards.length));
  const obsBuf = new Float32Array(T * e * od);
  const finalBuf = new Float32Array(T * e * od);
  const lastBuf = new Float32Array(e * od);
  const actBuf = discrete ? new Int32Array(T * e) : new Float32Array(T * e * ad);
  const rewBuf = new Float32Array(T * e);
  const termBuf = new Float32Array(T * e);
  const truncBuf = new Float32Array(T * e);
  const maskBuf = new Float32Array(T * e);
  columns.forEach((c, j) => {
    const len = c.rewards.length;
    for (let t = 0; t < len; t++) {
      const at = t * e + j;
      obsBuf.set(c.obs[t]!, at * od);
      actBuf.set(c.actions[t]!, at * ad);
      rewBuf[at] = c.rewards[t]!;
      termBuf[at] = c.terminated[t]!;
      truncBuf[at] = c.truncated[t]!;
      maskBuf[at] = 1;
    }
    finalBuf.set(c.finalObs, ((len - 1) * e + j) * od);
    lastBuf.set(c.finalObs, j * od);
  });
  const tensors = {
    obs: tf.tensor3d(obsBuf, [T, e, od]),
    actions: discrete ? tf.tensor2d(actBuf, [T, e], 'int32') : tf.tensor3d(actBuf, [T, e, ad], 'float32'),
    rewards: tf.tensor2d(rewBuf, [T, e]),
    terminated: tf.tensor2d(termBuf, [T, e]),
    truncated: tf.tensor2d(truncBuf, [T, e]),
    finalObs: tf.tensor3d(finalBuf, [T, e, od]),
    lastObs: tf.tensor2d(lastBuf, [e, od]),
    mask: tf.tensor2d(maskBuf, [T, e]),
  };
  return {
    ...tensors,
    episodeReturns: columns.map((c) => c.ret),
    episodeLengths: columns.map((c) => c.rewards.length),
    numSteps: columns.reduce((s, c) => s + c.rewards.length, 0),
    steps: T,
    numEnvs: e,
    dispose: () => {
      for (const t of Object.values(tensors)) t.dispose();
    },
  };
}
