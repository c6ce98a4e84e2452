/**
 * Episode mode, the seed's literal form of batched REINFORCE: N envs each play one whole
 * episode from a fresh (seeded) reset; the batch is padded to the longest episode, with a mask.
 * The trainer's `episodes` mode and evaluation (`evaluatePolicy`, `rl eval`) both collect their
 * episodes here.
 *
 * How `episodes` relates to N: the batch has exactly `episodes` columns, one per episode. They
 * are collected in rounds of N envs, `ceil(episodes / N)` rounds: round k resets the vector
 * env with seed `seed + k·N` (so env i of round k is seeded `seed + k·N + i`: every episode has
 * its own seed), then steps all N envs — through a {@link Runner}, in chunks of 32, 64, 128, …
 * steps — until each env whose column is kept has finished its first episode. Envs that already
 * finished keep stepping (the vector env steps all N, with SAME_STEP autoreset), but their later
 * steps are not kept; in the last round, envs beyond `episodes` are stepped but not kept.
 * Default `episodes` = N (one round). Works on JS and tensor-native envs alike (a tensor-native
 * chunk is read back once).
 */
import type { Policy } from '@rl/policy';
import { batchFromHost, hostBatch, newHostArrays } from './batch.js';
import { createRunner, type AnyVectorEnv } from './rollout.js';
import { checkSpaces } from './spaces_check.js';
import type { HostBatch, RolloutBatch } from './types.js';

/** Options of {@link rolloutEpisodes}. */
export interface EpisodeRolloutOptions {
  /** Number of whole episodes E (columns of the batch); default N. */
  readonly episodes?: number;
  /** Base seed of the resets (round k, env i: `seed + k·N + i`); default 0. */
  readonly seed?: number;
  /** Bound on the steps of one round (an env without a time limit may never end); default 100 000. */
  readonly maxSteps?: number;
  /** An episode still running after `maxSteps`: `error` throws naming the env (default); `cut` ends it there (not marked truncated: a value function bootstraps it from `lastObs`). */
  readonly atMaxSteps?: 'error' | 'cut';
  /** Throw on a NaN observation or reward, naming env index and step; default true. */
  readonly checkNaN?: boolean;
  /** Act with the distribution's mode instead of sampling; default false. */
  readonly deterministic?: boolean;
  /** Steps of the first chunk of a round; chunks double while episodes are running. Default 32. */
  readonly firstChunk?: number;
}

/** What one round keeps of env n's first episode. */
interface Episode {
  /** Last step (round-relative), or -1 while running. */
  end: number;
  /** Undiscounted return (float64, from the runner). */
  ret: number;
  /** Ended by the env (terminated or truncated), not cut. */
  ended: boolean;
}

/** A round's chunks, in order: the host arrays of each and the step it starts at. */
interface Round {
  readonly chunks: { readonly host: HostBatch; readonly start: number; readonly steps: number }[];
  readonly episodes: Episode[];
}

/**
 * Whole episodes as one padded batch `[T, E, …]` with `mask` 1 on real steps (T = the longest
 * episode) and zeros in the padding. `episodeReturns[j]` / `episodeLengths[j]` belong to column
 * j; `finalObs` holds each ended episode's last observation at its last step; `lastObs [E,
 * obsDim]` is the observation after each episode's last step (its final one, or where a cut
 * episode stood). The env is reset (a runner stepping it before is stale afterwards).
 *
 * @example
 * const b = rolloutEpisodes(policy, makeVec('CartPole-v1', 16), { episodes: 32, seed: 1 });
 * b.mask.sum(); // = sum of the 32 episode lengths
 */
export function rolloutEpisodes(policy: Policy, env: AnyVectorEnv, opts: EpisodeRolloutOptions = {}): RolloutBatch {
  checkSpaces('rolloutEpisodes', policy, env.id, env.singleObservationSpace, env.singleActionSpace);
  const n = env.numEnvs;
  const episodes = opts.episodes ?? n;
  if (!Number.isInteger(episodes) || episodes <= 0) throw new RangeError(`rolloutEpisodes: episodes must be a positive integer, got ${episodes}`);
  const maxSteps = opts.maxSteps ?? 100_000;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`rolloutEpisodes: maxSteps must be a positive integer, got ${maxSteps}`);
  const seed = opts.seed ?? 0;
  const rounds: Round[] = [];
  for (let k = 0; k * n < episodes; k++) rounds.push(playRound(policy, env, k, Math.min(n, episodes - k * n), seed + k * n, maxSteps, opts));
  return assemble(rounds, n, env.obsDim, env.singleActionSpace.type === 'Discrete' ? 1 : env.actionDim, env.singleActionSpace.type === 'Discrete');
}

/** Steps all N envs of round `k` until its first `keep` envs have each finished an episode (or `maxSteps`). */
function playRound(policy: Policy, env: AnyVectorEnv, k: number, keep: number, seed: number, maxSteps: number, opts: EpisodeRolloutOptions): Round {
  const n = env.numEnvs;
  const runner = createRunner(policy, env, { seed, checkNaN: opts.checkNaN ?? true, deterministic: opts.deterministic ?? false });
  const eps: Episode[] = Array.from({ length: keep }, () => ({ end: -1, ret: 0, ended: false }));
  const chunks: Round['chunks'] = [];
  let open = keep;
  let T = 0;
  let chunk = opts.firstChunk ?? 32;
  try {
    while (open > 0 && T < maxSteps) {
      const steps = Math.min(chunk, maxSteps - T);
      const b = runner.rollout(steps);
      try {
        chunks.push({ host: hostBatch(b), start: T, steps });
        b.episodeEnds.forEach((flat, j) => {
          const e = eps[flat % n];
          if (!e || e.end !== -1) return; // not a kept column, or its first episode is already in
          e.end = T + Math.floor(flat / n);
          e.ret = b.episodeReturns[j]!;
          e.ended = true;
          open--;
        });
      } finally {
        b.dispose();
      }
      T += steps;
      chunk *= 2;
    }
  } finally {
    runner.dispose();
  }
  if (open > 0) {
    const i = eps.findIndex((e) => e.end === -1);
    if ((opts.atMaxSteps ?? 'error') === 'error') throw new RangeError(`rolloutEpisodes: env ${env.id} index ${i} (round ${k}) has not finished an episode after maxSteps = ${maxSteps} steps`);
    // cut at the last step: the return is what it earned so far
    eps.forEach((e, col) => {
      if (e.end !== -1) return;
      e.end = T - 1;
      for (const c of chunks) for (let t = 0; t < c.steps; t++) e.ret += c.host.rewards[t * n + col]!;
    });
  }
  return { chunks, episodes: eps };
}

/** The rounds' kept episodes as one zero-padded `[T, E, …]` batch (column j = round ⌊j/N⌋, env j mod N). */
function assemble(rounds: readonly Round[], n: number, od: number, ad: number, discrete: boolean): RolloutBatch {
  const cols = rounds.flatMap((r) => r.episodes.map((e, env) => ({ ...e, round: r, env })));
  const E = cols.length;
  const T = Math.max(...cols.map((c) => c.end + 1));
  const host: HostBatch = { ...newHostArrays({ steps: T, numEnvs: E, obsDim: od, discrete, actionDim: ad }), mask: new Float32Array(T * E) };
  const row = (a: ArrayLike<number> & { subarray(b: number, e: number): ArrayLike<number> }, at: number, width: number) => a.subarray(at * width, (at + 1) * width);
  cols.forEach((c, j) => {
    for (const chunk of c.round.chunks) {
      for (let t = chunk.start; t < chunk.start + chunk.steps && t <= c.end; t++) {
        const from = (t - chunk.start) * n + c.env;
        const to = t * E + j;
        const h = chunk.host;
        host.obs.set(row(h.obs, from, od), to * od);
        host.actions.set(row(h.actions, from, ad), to * ad);
        host.rewards[to] = h.rewards[from]!;
        host.terminated[to] = h.terminated[from]!;
        host.truncated[to] = h.truncated[from]!;
        host.mask[to] = 1;
        if (t === c.end) {
          // after the last step: the episode's final observation, or (cut) where the env stands
          const last = c.ended ? row(h.finalObs, from, od) : row(h.lastObs, c.env, od);
          if (c.ended) host.finalObs.set(last, to * od);
          host.lastObs.set(last, j * od);
        }
      }
    }
  });
  const lengths = cols.map((c) => c.end + 1);
  return batchFromHost(host, { steps: T, numEnvs: E, obsDim: od, discrete, actionDim: ad }, {
    episodeReturns: cols.map((c) => c.ret),
    episodeLengths: lengths,
    episodeEnds: cols.map((c, j) => c.end * E + j),
    numSteps: lengths.reduce((s, l) => s + l, 0),
  });
}
