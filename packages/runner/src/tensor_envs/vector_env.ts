/**
 * The one {@link TensorVectorEnv} implementation: any {@link TensorDynamics} plus SAME_STEP
 * autoreset with `tf.where` (its Select kernel), a per-env step counter for the time limit, and
 * per-env episode return/length accumulators, all as tensors. A step issues a fixed number of
 * kernels, whatever N is, and reads nothing back.
 */
import { Rng, type EnvSpec, type TensorResetOptions, type TensorVectorEnvOptions, type TensorVectorEnvState } from '@rl/env';
import { tf } from '@rl/tf';
import type { TensorDynamics, TensorStepResult, TensorVectorEnv } from './types.js';

/**
 * `tf.where(cond, a, b)` for operands of one shape: the Select kernel itself. `tf.where` first
 * broadcasts all three operands (three Identity kernels even when the shapes already agree),
 * which made up a quarter of a CartPole step's kernels.
 */
function select(cond: tf.Tensor1D, a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.engine().runKernel('Select', { condition: cond, t: a, e: b }) as tf.Tensor1D;
}

class DynamicsVectorEnv implements TensorVectorEnv {
  readonly kind = 'tensor' as const;
  readonly id: string;
  readonly spec?: EnvSpec;
  readonly stateNames: readonly string[];
  readonly singleObservationSpace;
  readonly singleActionSpace;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly maxEpisodeSteps: number;
  private rng: Rng;
  /** Internal state: one `[N]` column per state value. */
  private state: tf.Tensor1D[];
  /** Steps of the current episode `[N]` float32: the time-limit counter and the episode length. */
  private elapsed: tf.Tensor1D;
  /** Return of the current episode so far `[N]` float32. */
  private ret: tf.Tensor1D;

  constructor(
    readonly dynamics: TensorDynamics,
    readonly numEnvs: number,
    opts: TensorVectorEnvOptions,
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`${dynamics.id} (tensor): numEnvs must be a positive integer, got ${numEnvs}`);
    const max = opts.maxEpisodeSteps ?? dynamics.maxEpisodeSteps;
    if (!Number.isInteger(max) || max <= 0) throw new RangeError(`${dynamics.id} (tensor): maxEpisodeSteps must be a positive integer, got ${max}`);
    this.id = dynamics.id;
    if (opts.spec) this.spec = opts.spec;
    this.stateNames = dynamics.stateNames;
    this.singleObservationSpace = dynamics.observationSpace;
    this.singleActionSpace = dynamics.actionSpace;
    this.obsDim = dynamics.obsDim;
    this.actionDim = dynamics.actionSpace.type === 'Discrete' ? 1 : dynamics.actionSpace.size;
    this.maxEpisodeSteps = max;
    this.rng = new Rng(opts.seed ?? 0);
    this.state = tf.tidy(() => dynamics.initialState(numEnvs, this.rng.nextSeed()));
    this.elapsed = tf.zeros([numEnvs]);
    this.ret = tf.zeros([numEnvs]);
  }

  reset(opts: TensorResetOptions = {}): tf.Tensor2D {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const seed = this.rng.nextSeed();
    this.replace(tf.tidy(() => this.dynamics.initialState(this.numEnvs, seed)), tf.zeros([this.numEnvs]), tf.zeros([this.numEnvs]));
    return this.observe();
  }

  step(actions: tf.Tensor): TensorStepResult {
    this.checkActions(actions);
    const d = this.dynamics;
    const n = this.numEnvs;
    const seed = this.rng.nextSeed();
    const r = tf.tidy(() => {
      const { state: next, reward, terminated } = d.step(this.state, actions);
      const elapsed = this.elapsed.add(1) as tf.Tensor1D;
      const truncated = elapsed.greaterEqual(this.maxEpisodeSteps) as tf.Tensor1D;
      const done = tf.logicalOr(terminated, truncated) as tf.Tensor1D;
      const episodeReturn = this.ret.add(reward) as tf.Tensor1D;
      // SAME_STEP autoreset: rows that ended take a fresh start state, counters restart at 0.
      const fresh = d.initialState(n, seed);
      const state = next.map((col, k) => select(done, fresh[k]!, col));
      const zeros = tf.zerosLike(elapsed);
      return {
        state,
        elapsedNext: select(done, zeros, elapsed),
        retNext: select(done, zeros, episodeReturn),
        result: {
          obs: d.observe(state),
          rewards: reward,
          terminated: terminated.cast('float32') as tf.Tensor1D,
          truncated: truncated.cast('float32') as tf.Tensor1D,
          finalObs: d.observe(next),
          episodeReturn,
          episodeLength: elapsed,
        },
      };
    });
    this.replace(r.state, r.elapsedNext, r.retNext);
    return r.result;
  }

  observe(): tf.Tensor2D {
    return tf.tidy(() => this.dynamics.observe(this.state));
  }

  readStates(): tf.Tensor2D {
    return tf.stack([...this.state], 1) as tf.Tensor2D;
  }

  writeStates(states: tf.Tensor2D | readonly (readonly number[])[]): void {
    const dim = this.stateNames.length;
    const t = states instanceof tf.Tensor ? states.clone() : tf.tensor2d(states.map((r) => [...r]), [states.length, states[0]?.length ?? 0], 'float32');
    if (t.rank !== 2 || t.shape[0] !== this.numEnvs || t.shape[1] !== dim) {
      const shape = `[${t.shape.join(', ')}]`;
      t.dispose();
      throw new RangeError(`${this.id} (tensor): states must have shape [${this.numEnvs}, ${dim}] (${this.stateNames.join(', ')}), got ${shape}`);
    }
    const cols = tf.tidy(() => tf.unstack(t.cast('float32'), 1) as tf.Tensor1D[]);
    t.dispose();
    for (const c of this.state) c.dispose();
    this.state = cols;
  }

  getState(): TensorVectorEnvState {
    const n = this.numEnvs;
    const size = n * this.stateNames.length;
    const packed = tf.tidy(() => tf.concat([this.readStates().reshape([-1]), this.elapsed, this.ret]));
    const all = Float32Array.from(packed.dataSync()); // the state's one read-back
    packed.dispose();
    const states = all.slice(0, size);
    const elapsed = all.slice(size, size + n);
    const returns = all.slice(size + n);
    return { kind: 'tensor', id: this.id, numEnvs: n, states, elapsed, returns, rng: this.rng.getState() };
  }

  setState(st: TensorVectorEnvState): void {
    const where = `${this.id} (tensor).setState`;
    if (st === null || typeof st !== 'object' || st.kind !== 'tensor') throw new TypeError(`${where}: not a tensor env state (kind ${String((st as { kind?: unknown } | null)?.kind)})`);
    if (st.id !== this.id || st.numEnvs !== this.numEnvs) throw new RangeError(`${where}: the state is of ${st.numEnvs} × ${st.id}, this env is ${this.numEnvs} × ${this.id}`);
    const n = this.numEnvs;
    const dim = this.stateNames.length;
    for (const [k, len] of [['states', n * dim], ['elapsed', n], ['returns', n]] as const) {
      const v = st[k];
      if (!(v instanceof Float32Array) || v.length !== len) throw new RangeError(`${where}: ${k} must be a Float32Array of ${len}, got ${(v as { constructor?: { name?: string } } | undefined)?.constructor?.name} of ${(v as { length?: number } | undefined)?.length}`);
    }
    const rng = Rng.fromState(st.rng);
    const state = tf.tidy(() => tf.unstack(tf.tensor2d(st.states, [n, dim], 'float32'), 1) as tf.Tensor1D[]);
    this.replace(state, tf.tensor1d(st.elapsed, 'float32'), tf.tensor1d(st.returns, 'float32'));
    this.rng = rng;
  }

  close(): void {
    for (const c of this.state) c.dispose();
    this.elapsed.dispose();
    this.ret.dispose();
  }

  private replace(state: tf.Tensor1D[], elapsed: tf.Tensor1D, ret: tf.Tensor1D): void {
    for (const c of this.state) c.dispose();
    this.elapsed.dispose();
    this.ret.dispose();
    this.state = state;
    this.elapsed = elapsed;
    this.ret = ret;
  }

  /** Shape and dtype checks only: values stay on the backend (sampled actions are in range by construction). */
  private checkActions(a: tf.Tensor): void {
    const sp = this.singleActionSpace;
    const n = this.numEnvs;
    if (sp.type === 'Discrete') {
      if (a.dtype !== 'int32' || a.rank !== 1 || a.shape[0] !== n) {
        throw new RangeError(`${this.id} (tensor): actions for Discrete(${sp.n}) must be int32 [${n}], got ${a.dtype} [${a.shape.join(', ')}]`);
      }
    } else if (a.dtype !== 'float32' || a.rank !== 2 || a.shape[0] !== n || a.shape[1] !== sp.size) {
      throw new RangeError(`${this.id} (tensor): actions for ${sp.toString()} must be float32 [${n}, ${sp.size}], got ${a.dtype} [${a.shape.join(', ')}]`);
    }
  }
}

/**
 * N tensor-native envs stepping `dynamics` (see {@link TensorVectorEnv}).
 * @example
 * const env = createTensorVectorEnv(cartPoleDynamics(), 1024, { seed: 1 });
 * const obs = env.reset();
 */
export function createTensorVectorEnv(dynamics: TensorDynamics, numEnvs: number, opts: TensorVectorEnvOptions = {}): TensorVectorEnv {
  return new DynamicsVectorEnv(dynamics, numEnvs, opts);
}
