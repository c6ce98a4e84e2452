/**
 * Step-mode rollouts: T steps of N envs into one {@link RolloutBatch}, continuing across calls.
 *
 * Two kinds of env, one API:
 * - a JS `VectorEnv` (`makeVec`): per vector step the observations go up as one tensor, the
 *   policy acts once on all N without taping, and the actions come back with ONE `dataSync`.
 *   Observations, rewards and flags are written into typed arrays preallocated for the whole
 *   rollout and become tensors once at the end; the batch keeps those arrays (`host`).
 * - a {@link TensorVectorEnv} (`makeTensorVec`): the policy's action tensor goes straight into
 *   the tensor env; nothing is read back until the rollout ends, then the finished episodes'
 *   returns and lengths (and the NaN flags) come back in one read.
 */
import { isTensorEnv, type AnyVectorEnv as AnyVectorEnvOf, type VectorEnv } from '@rl/env';
import type { Policy } from '@rl/policy';
import { tf } from '@rl/tf';
import { checkSpaces } from './spaces_check.js';
import { batchFromHost, newHostArrays, onesMask } from './batch.js';
import type { TensorVectorEnv } from './tensor_envs/types.js';
import type { RolloutBatch } from './types.js';

/** Either kind of batched env a runner can step: @rl/env's `AnyVectorEnv` with tfjs tensors (narrow with `isTensorEnv`). */
export type AnyVectorEnv = AnyVectorEnvOf<tf.Tensor2D, tf.Tensor1D, tf.Tensor>;

/** Options of {@link createRunner}. */
export interface RunnerOptions {
  /** Seed of the one reset at the start (env i gets `seed + i` for JS envs); default 0. */
  readonly seed?: number;
  /** Throw on a NaN observation or reward, naming env index and step; default true (benchmarks turn it off). */
  readonly checkNaN?: boolean;
  /** Act with the distribution's mode instead of sampling; default false. */
  readonly deterministic?: boolean;
}

/** Totals a runner keeps across rollouts. */
export interface RunnerStats {
  /** Env steps taken so far (T·N per rollout). */
  readonly envSteps: number;
  /** Episodes finished so far. */
  readonly episodes: number;
}

/**
 * What {@link Runner.getState} returns (runners over JS vector envs): plain data and typed
 * arrays, so it survives `structuredClone` and a checkpoint file. With it a new runner over a
 * new env of the same id and size continues the very same episodes.
 */
export interface RunnerState {
  readonly kind: 'js';
  /** N. */
  readonly numEnvs: number;
  /** The current observations (the next rollout's first row), N × obsDim. */
  readonly obs: Float32Array;
  /** Each env's running (unfinished) episode return and length. */
  readonly episodeReturns: Float64Array;
  readonly episodeLengths: Int32Array;
  /** {@link RunnerStats} and the vector steps taken (for error messages). */
  readonly envSteps: number;
  readonly episodes: number;
  readonly globalStep: number;
  /** The env's own `getState()` (physical states, time-limit counters, random streams). */
  readonly env: unknown;
}

/**
 * Keeps the state between rollouts — the current observations and each env's running episode
 * return and length — so the env is reset once (seeded) and episodes run on across calls.
 * The runner owns the env's stepping: resetting the env or setting its state from outside
 * between rollouts leaves the runner's current observations stale (the next rollout's first
 * row shows them); create a new runner instead.
 */
export interface Runner {
  /** The policy acting (swap it with {@link Runner.setPolicy}, e.g. after loading a checkpoint). */
  readonly policy: Policy;
  /** The env being stepped. */
  readonly env: AnyVectorEnv;
  /** N. */
  readonly numEnvs: number;
  /** Totals across rollouts. */
  readonly stats: RunnerStats;
  /** T more steps of all N envs; the caller owns (and disposes) the batch. */
  rollout(steps: number): RolloutBatch;
  /** Replaces the policy (spaces are checked); env state is kept. */
  setPolicy(policy: Policy): void;
  /** Frees the runner's tensors (not the env or the policy). */
  dispose(): void;
  /** The runner's and its env's whole state (runners over JS vector envs whose env has `getState()`; see {@link RunnerState}). */
  getState?(): RunnerState;
  /** Restores a {@link RunnerState} into this runner and its env: the next rollout continues exactly where the saved runner stopped. */
  setState?(state: RunnerState): void;
}

function checkSteps(where: string, steps: number): void {
  if (!Number.isInteger(steps) || steps <= 0) throw new RangeError(`${where}: steps must be a positive integer, got ${steps}`);
}

function makeBatch(parts: Omit<RolloutBatch, 'dispose'>): RolloutBatch {
  const tensors = [parts.obs, parts.actions, parts.rewards, parts.terminated, parts.truncated, parts.finalObs, parts.lastObs, parts.mask];
  return {
    ...parts,
    dispose: () => {
      for (const t of tensors) t.dispose();
    },
  };
}

/**
 * Where {@link rolloutColumns} writes: `[T, width, …]` arrays (time-major, env at column
 * `first + i`; observations and Box actions `obsDim` / `actionDim` wide), and `lastObs`
 * `[width, obsDim]`.
 */
export interface RolloutColumns {
  readonly width: number;
  readonly first: number;
  readonly obs: Float32Array;
  readonly finalObs: Float32Array;
  readonly actions: Int32Array | Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Float32Array;
  readonly truncated: Float32Array;
  readonly lastObs: Float32Array;
}

/**
 * T steps of a runner over a JS vector env written straight into columns of caller-owned
 * arrays, without building tensors (a rollout worker fills its shard of the learner's shared
 * arrays this way: no upload, no read-back, no copy). Not part of the public API.
 */
export function rolloutColumns(runner: Runner, steps: number, out: RolloutColumns, episodeEnd: (at: number, ret: number, len: number) => void): void {
  if (!(runner instanceof JsRunner)) throw new TypeError('rolloutColumns: the runner does not step a JS vector env');
  runner.rolloutInto(steps, out, episodeEnd);
}

/** Runner over a JS `VectorEnv`: one upload and one read-back per vector step; the batch keeps its host arrays. */
class JsRunner implements Runner {
  readonly numEnvs: number;
  private obs: Float32Array;
  private readonly epReturn: Float64Array;
  private readonly epLength: Int32Array;
  private envSteps = 0;
  private episodes = 0;
  private globalStep = 0;
  // Present only when the env can save and restore its state (`'getState' in runner` tells the truth).
  declare getState?: () => RunnerState;
  declare setState?: (state: RunnerState) => void;

  constructor(
    public policy: Policy,
    readonly env: VectorEnv,
    private readonly opts: RunnerOptions,
  ) {
    checkSpaces('createRunner', policy, env.id, env.singleObservationSpace, env.singleActionSpace);
    this.numEnvs = env.numEnvs;
    this.obs = Float32Array.from(env.reset({ seed: opts.seed ?? 0 }).obs);
    this.epReturn = new Float64Array(env.numEnvs);
    this.epLength = new Int32Array(env.numEnvs);
    if (opts.checkNaN ?? true) this.checkObs(this.obs, -1);
    const { getState, setState } = env;
    if (typeof getState === 'function' && typeof setState === 'function') {
      this.getState = () => this.saveState(getState.call(env));
      this.setState = (st) => this.restoreState(st, (s) => (setState as (s: unknown) => void).call(env, s));
    }
  }

  get stats(): RunnerStats {
    return { envSteps: this.envSteps, episodes: this.episodes };
  }

  setPolicy(policy: Policy): void {
    checkSpaces('Runner.setPolicy', policy, this.env.id, this.env.singleObservationSpace, this.env.singleActionSpace);
    this.policy = policy;
  }

  rollout(steps: number): RolloutBatch {
    checkSteps('rollout', steps);
    const n = this.numEnvs;
    const shape = { steps, numEnvs: n, ...this.widths() };
    // One allocation per rollout (not per step): the batch's host arrays, its tensors made from them when read.
    const out: RolloutColumns = { width: n, first: 0, ...newHostArrays(shape) };
    const returns: number[] = [];
    const lengths: number[] = [];
    const ends: number[] = [];
    this.rolloutInto(steps, out, (at, ret, len) => {
      returns.push(ret);
      lengths.push(len);
      ends.push(at);
    });
    const host = { obs: out.obs, actions: out.actions, rewards: out.rewards, terminated: out.terminated, truncated: out.truncated, mask: onesMask(steps * n), finalObs: out.finalObs, lastObs: out.lastObs };
    return batchFromHost(host, { ...shape, allReal: true }, { episodeReturns: returns, episodeLengths: lengths, episodeEnds: ends, numSteps: steps * n });
  }

  /** The env's observation width, whether actions are discrete, and the action width (1 when discrete). */
  private widths(): { obsDim: number; discrete: boolean; actionDim: number } {
    const discrete = this.env.singleActionSpace.type === 'Discrete';
    return { obsDim: this.env.obsDim, discrete, actionDim: discrete ? 1 : this.env.actionDim };
  }

  /**
   * T steps written straight into `out`'s columns first … first + N − 1 of its `[T, width, …]`
   * arrays (a rollout worker's shard of the learner's shared arrays, or the batch's own arrays),
   * every entry of them (what an earlier rollout left there is overwritten; `finalObs` is zero
   * where no episode ended);
   * `episodeEnd(t·width + first + i, return, length)` for every episode that ends, in (t, i) order.
   */
  rolloutInto(steps: number, out: RolloutColumns, episodeEnd: (at: number, ret: number, len: number) => void): void {
    checkSteps('rollout', steps);
    const env = this.env;
    const n = this.numEnvs;
    const { obsDim: od, discrete, actionDim: ad } = this.widths();
    const W = out.width;
    const c0 = out.first;
    const checkNaN = this.opts.checkNaN ?? true;
    const actOpts = { deterministic: this.opts.deterministic ?? false };
    const { obs: obsBuf, finalObs: finalBuf, actions: actBuf, rewards: rewBuf, terminated: termBuf, truncated: truncBuf } = out;
    const epR = this.epReturn;
    const epL = this.epLength;
    let obs = this.obs;

    for (let t = 0; t < steps; t++) {
      const row = t * W + c0;
      obsBuf.set(obs, row * od);
      const obsT = tf.tensor2d(obs, [n, od], 'float32');
      const actT = this.policy.act(obsT, actOpts);
      let actions: ArrayLike<number>;
      try {
        actions = actT.dataSync(); // the one read-back of this vector step
      } finally {
        obsT.dispose();
        actT.dispose();
      }
      if (actions.length !== n * ad) {
        throw new RangeError(`rollout: policy.act returned ${actions.length} values for ${n} envs of ${env.id} (expected ${n * ad})`);
      }
      actBuf.set(actions, row * ad);
      const r = env.step(actions);
      finalBuf.fill(0, row * od, (row + n) * od); // every entry is written (a worker's arrays are reused): zero but where an episode ends
      for (let i = 0; i < n; i++) {
        const rew = r.rewards[i]!;
        if (checkNaN && Number.isNaN(rew)) throw new RangeError(`rollout: env ${env.id} index ${i} returned a NaN reward at step ${this.globalStep + t} (step ${t} of this rollout)`);
        rewBuf[row + i] = rew;
        const te = r.terminated[i]!;
        const tr = r.truncated[i]!;
        termBuf[row + i] = te;
        truncBuf[row + i] = tr;
        epR[i] = epR[i]! + rew;
        epL[i] = epL[i]! + 1;
        if (te !== 0 || tr !== 0) {
          episodeEnd(row + i, epR[i]!, epL[i]!);
          this.episodes++;
          epR[i] = 0;
          epL[i] = 0;
          finalBuf.set(r.finalObs.subarray(i * od, (i + 1) * od), (row + i) * od);
        }
      }
      if (checkNaN) this.checkObs(r.obs, t);
      // Our own copy: the env may reuse its arrays, and tensors built from `obs` may alias it.
      obs = Float32Array.from(r.obs);
    }
    this.obs = obs;
    out.lastObs.set(obs, c0 * od);
    this.globalStep += steps;
    this.envSteps += steps * n;
  }

  dispose(): void {
    // Nothing on the backend: the state is host arrays.
  }

  private saveState(envState: unknown): RunnerState {
    return {
      kind: 'js',
      numEnvs: this.numEnvs,
      obs: this.obs.slice(),
      episodeReturns: this.epReturn.slice(),
      episodeLengths: this.epLength.slice(),
      envSteps: this.envSteps,
      episodes: this.episodes,
      globalStep: this.globalStep,
      env: envState,
    };
  }

  private restoreState(st: RunnerState, setEnvState: (s: unknown) => void): void {
    const env = this.env;
    const n = this.numEnvs;
    if (st?.kind !== 'js') throw new TypeError(`Runner.setState: not a runner state (kind ${String((st as { kind?: unknown } | null)?.kind)})`);
    if (st.numEnvs !== n) throw new RangeError(`Runner.setState: the state has ${st.numEnvs} envs, this runner steps ${n} of ${env.id}`);
    if (!(st.obs instanceof Float32Array) || st.obs.length !== n * env.obsDim) throw new RangeError(`Runner.setState: obs must be a Float32Array of ${n} × ${env.obsDim} for ${env.id}`);
    if (!(st.episodeReturns instanceof Float64Array) || st.episodeReturns.length !== n) throw new RangeError(`Runner.setState: episodeReturns must be a Float64Array of ${n}`);
    if (!(st.episodeLengths instanceof Int32Array) || st.episodeLengths.length !== n) throw new RangeError(`Runner.setState: episodeLengths must be an Int32Array of ${n}`);
    setEnvState(st.env);
    this.obs = st.obs.slice();
    this.epReturn.set(st.episodeReturns);
    this.epLength.set(st.episodeLengths);
    this.envSteps = st.envSteps;
    this.episodes = st.episodes;
    this.globalStep = st.globalStep;
  }

  private checkObs(obs: Float32Array, t: number): void {
    const od = this.env.obsDim;
    for (let k = 0; k < obs.length; k++) {
      if (Number.isNaN(obs[k]!)) {
        const at = t < 0 ? 'at reset' : `at step ${this.globalStep + t} (step ${t} of this rollout)`;
        throw new RangeError(`rollout: env ${this.env.id} index ${Math.floor(k / od)} returned a NaN observation (element ${k % od}) ${at}`);
      }
    }
  }
}

/** Runner over a {@link TensorVectorEnv}: zero read-backs until the rollout ends. */
class TensorRunner implements Runner {
  readonly numEnvs: number;
  private obs: tf.Tensor2D;
  private envSteps = 0;
  private episodes = 0;
  private globalStep = 0;

  constructor(
    public policy: Policy,
    readonly env: TensorVectorEnv,
    private readonly opts: RunnerOptions,
  ) {
    checkSpaces('createRunner', policy, env.id, env.singleObservationSpace, env.singleActionSpace);
    this.numEnvs = env.numEnvs;
    this.obs = env.reset({ seed: opts.seed ?? 0 });
  }

  get stats(): RunnerStats {
    return { envSteps: this.envSteps, episodes: this.episodes };
  }

  setPolicy(policy: Policy): void {
    checkSpaces('Runner.setPolicy', policy, this.env.id, this.env.singleObservationSpace, this.env.singleActionSpace);
    this.policy = policy;
  }

  rollout(steps: number): RolloutBatch {
    checkSteps('rollout', steps);
    const n = this.numEnvs;
    const actOpts = { deterministic: this.opts.deterministic ?? false };
    const obsL: tf.Tensor2D[] = [];
    const actL: tf.Tensor[] = [];
    const rewL: tf.Tensor1D[] = [];
    const termL: tf.Tensor1D[] = [];
    const truncL: tf.Tensor1D[] = [];
    const finalL: tf.Tensor2D[] = [];
    const retL: tf.Tensor1D[] = [];
    const lenL: tf.Tensor1D[] = [];
    const all = [obsL, actL, rewL, termL, truncL, finalL, retL, lenL] as tf.Tensor[][];
    try {
      for (let t = 0; t < steps; t++) {
        const act = this.policy.act(this.obs, actOpts);
        actL.push(act);
        const r = this.env.step(act);
        obsL.push(this.obs);
        rewL.push(r.rewards);
        termL.push(r.terminated);
        truncL.push(r.truncated);
        finalL.push(r.finalObs);
        retL.push(r.episodeReturn);
        lenL.push(r.episodeLength);
        this.obs = r.obs;
      }
    } catch (err) {
      for (const l of all) for (const x of l) if (x !== this.obs) x.dispose();
      throw err;
    }
    const checkNaN = this.opts.checkNaN ?? true;
    const od = this.env.obsDim;
    // concat + reshape rather than stack: stack adds one Reshape kernel per step and list.
    const cat1 = (l: tf.Tensor[]): tf.Tensor2D => tf.concat(l).reshape([steps, n]);
    const out = tf.tidy(() => {
      const obs = tf.concat(obsL).reshape([steps, n, od]) as tf.Tensor3D;
      const rewards = cat1(rewL);
      const terminated = cat1(termL);
      const truncated = cat1(truncL);
      const done = terminated.add(truncated).greater(0).toFloat();
      // One packed tensor [4, T, N] read once at the end: done, episode return, episode length, NaN flag.
      const nan = checkNaN ? tf.logicalOr(tf.isNaN(obs).any(2), tf.isNaN(rewards)).toFloat() : tf.zerosLike(done);
      const pack = tf.stack([done, cat1(retL), cat1(lenL), nan]);
      const a0 = actL[0]!;
      return {
        obs,
        actions: tf.concat(actL).reshape([steps, ...a0.shape]),
        rewards,
        terminated,
        truncated,
        finalObs: tf.concat(finalL).reshape([steps, n, od]) as tf.Tensor3D,
        pack,
      };
    });
    for (const l of all) for (const x of l) if (x !== this.obs) x.dispose();
    const packed = out.pack.dataSync(); // the one read-back of the rollout
    out.pack.dispose();
    const tn = steps * n;
    const returns: number[] = [];
    const lengths: number[] = [];
    const ends: number[] = [];
    for (let k = 0; k < tn; k++) {
      if (packed[3 * tn + k] !== 0) {
        const t = Math.floor(k / n);
        const cleanup = [out.obs, out.actions, out.rewards, out.terminated, out.truncated, out.finalObs];
        for (const x of cleanup) x.dispose();
        throw new RangeError(`rollout: env ${this.env.id} (tensor) index ${k % n} produced a NaN observation or reward at step ${this.globalStep + t} (step ${t} of this rollout)`);
      }
      if (packed[k] !== 0) {
        returns.push(packed[tn + k]!);
        lengths.push(packed[2 * tn + k]!);
        ends.push(k);
      }
    }
    this.globalStep += steps;
    this.envSteps += tn;
    this.episodes += returns.length;
    return makeBatch({
      ...out,
      lastObs: this.obs.clone(),
      mask: tf.ones([steps, n]),
      episodeReturns: returns,
      episodeLengths: lengths,
      episodeEnds: ends,
      numSteps: tn,
      steps,
      numEnvs: n,
    });
  }

  dispose(): void {
    this.obs.dispose();
  }
}

/**
 * A runner that resets `env` once (seeded) and then continues episodes across rollouts.
 * Throws a TypeError naming both spaces when the policy does not fit the env.
 * @example
 * const runner = createRunner(policy, makeVec('CartPole-v1', 64, { seed: 1 }), { seed: 1 });
 * const batch = runner.rollout(128); // obs [128, 64, 4] …
 * batch.dispose();
 */
export function createRunner(policy: Policy, env: AnyVectorEnv, opts: RunnerOptions = {}): Runner {
  return isTensorEnv(env) ? new TensorRunner(policy, env, opts) : new JsRunner(policy, env, opts);
}
