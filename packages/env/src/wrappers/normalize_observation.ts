/**
 * Normalises observations to roughly zero mean and unit variance with running statistics
 * (Gymnasium's `NormalizeObservation`), single-env and vector forms. The statistics can be read
 * with `getStats()` and restored with `setStats()`, so they are saved with a policy.
 */
import { RunningMeanStd, type ObsNormStats } from '../running_mean_std.js';
import { Box } from '../spaces.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult, VectorEnv, VectorResetResult, VectorStepResult } from '../types.js';
import { Wrapper, type WrapperState } from './wrapper.js';

/** Options of the normalisation wrappers. */
export interface NormalizeObservationOptions {
  /** Added to the variance under the square root (1e-8). */
  readonly epsilon?: number;
  /** Clip normalised values to ±clip (default Infinity: none, as Gymnasium). */
  readonly clip?: number;
  /** Whether statistics update (true); false freezes them, e.g. for evaluation. */
  readonly update?: boolean;
}

function checkStats(where: string, dim: number, s: ObsNormStats): void {
  if (!s || typeof s !== 'object') throw new TypeError(`${where}: stats must be an object, got ${String(s)}`);
  if (s.mean?.length !== dim || s.var?.length !== dim) {
    throw new RangeError(`${where}: stats have mean of length ${s.mean?.length} and var of length ${s.var?.length}, the observation has ${dim}`);
  }
  for (let k = 0; k < dim; k++) {
    if (!Number.isFinite(s.mean[k]) || !(s.var[k]! >= 0) || !Number.isFinite(s.var[k])) {
      throw new RangeError(`${where}: stats element ${k} is invalid (mean ${s.mean[k]}, var ${s.var[k]})`);
    }
  }
  if (!(s.count > 0) || !Number.isFinite(s.count)) throw new RangeError(`${where}: stats count must be a positive number, got ${s.count}`);
  if (!(s.epsilon >= 0)) throw new RangeError(`${where}: stats epsilon must be ≥ 0, got ${s.epsilon}`);
  if (!(s.clip > 0)) throw new RangeError(`${where}: stats clip must be > 0 (Infinity for none), got ${s.clip}`);
}

/** The shared normaliser: statistics plus the (x − mean) / sqrt(var + ε) map. */
class Normalizer {
  readonly rms: RunningMeanStd;
  epsilon: number;
  clip: number;
  update: boolean;

  constructor(dim: number, o: NormalizeObservationOptions) {
    this.rms = new RunningMeanStd(dim);
    this.epsilon = o.epsilon ?? 1e-8;
    this.clip = o.clip ?? Infinity;
    this.update = o.update ?? true;
  }

  /** Normalises `rows` rows of `src` into `dst` (rows of dim), float32. */
  apply(src: ArrayLike<number>, dst: Float32Array, rows: number): void {
    const d = this.rms.dim;
    const m = this.rms.mean;
    const v = this.rms.var;
    const c = this.clip;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < d; k++) {
        const y = (src[r * d + k]! - m[k]!) / Math.sqrt(v[k]! + this.epsilon);
        dst[r * d + k] = y > c ? c : y < -c ? -c : y;
      }
    }
  }

  getStats(): ObsNormStats {
    return { mean: Float32Array.from(this.rms.mean), var: Float32Array.from(this.rms.var), count: this.rms.count, clip: this.clip, epsilon: this.epsilon };
  }

  setStats(where: string, s: ObsNormStats): void {
    checkStats(where, this.rms.dim, s);
    this.rms.mean.set(s.mean);
    this.rms.var.set(s.var);
    this.rms.count = s.count;
    this.clip = s.clip;
    this.epsilon = s.epsilon;
  }
}

/**
 * Single-env normalisation: statistics updated with every observation from reset and step
 * (unless frozen), observations returned normalised; the observation space becomes unbounded.
 */
export class NormalizeObservation extends Wrapper {
  private readonly norm: Normalizer;
  private readonly space: Box;

  constructor(env: Env, opts: NormalizeObservationOptions = {}) {
    super(env);
    this.norm = new Normalizer(env.observationSpace.size, opts);
    this.space = new Box(-Infinity, Infinity, env.observationSpace.shape);
  }

  override get observationSpace(): Box {
    return this.space;
  }

  /** Whether statistics update with new observations. */
  get updateStats(): boolean {
    return this.norm.update;
  }

  set updateStats(v: boolean) {
    this.norm.update = v;
  }

  /** Copy of the statistics (mean, var, count, clip, epsilon). */
  getStats(): ObsNormStats {
    return this.norm.getStats();
  }

  /** Restores statistics saved with {@link getStats}; throws naming the bad field (nothing changes then). */
  setStats(s: ObsNormStats): void {
    this.norm.setStats(`NormalizeObservation(${this.id})`, s);
  }

  // Saved state (when the wrapped env has one): the statistics and whether they update.
  protected override get stateKind(): string {
    return 'normalizeObservation';
  }

  protected override ownState(): Record<string, unknown> {
    const { rms, clip, epsilon } = this.norm;
    // float64 statistics (getStats() rounds them to float32), so a restored env normalises bit for bit alike
    return { stats: { mean: rms.mean.slice(), var: rms.var.slice(), count: rms.count, clip, epsilon }, update: this.norm.update };
  }

  protected override checkOwnState(st: WrapperState): () => void {
    const where = `NormalizeObservation(${this.id}).setState`;
    const stats = st.stats as ObsNormStats;
    checkStats(where, this.norm.rms.dim, stats);
    if (typeof st.update !== 'boolean') throw new TypeError(`${where}: update must be a boolean, got ${String(st.update)}`);
    const update = st.update;
    return () => {
      this.norm.setStats(where, stats);
      this.norm.update = update;
    };
  }

  private normalize(obs: Float32Array): Float32Array {
    if (this.norm.update) this.norm.rms.update(obs, 1);
    const out = new Float32Array(obs.length);
    this.norm.apply(obs, out, 1);
    return out;
  }

  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    return { ...r, obs: this.normalize(r.obs) };
  }

  override step(action: Parameters<Env['step']>[0]): StepResult {
    const r = this.env.step(action);
    return { ...r, obs: this.normalize(r.obs) };
  }
}

/**
 * Vector-env normalisation: statistics updated with the whole batch of observations at each
 * reset and step (unless frozen), observations normalised into a reused buffer. `finalObs` rows
 * of envs whose episode ended are normalised too (without updating the statistics), so a
 * truncated episode can be bootstrapped in the same space.
 */
export class NormalizeObservationVector implements VectorEnv {
  /** The wrapped vector env. */
  readonly env: VectorEnv;
  private readonly norm: Normalizer;
  private readonly obs: Float32Array;
  private readonly finalObs: Float32Array;
  private readonly space: Box;

  constructor(env: VectorEnv, opts: NormalizeObservationOptions = {}) {
    this.env = env;
    this.norm = new Normalizer(env.obsDim, opts);
    this.obs = new Float32Array(env.numEnvs * env.obsDim);
    this.finalObs = new Float32Array(env.numEnvs * env.obsDim);
    this.space = new Box(-Infinity, Infinity, env.singleObservationSpace.shape);
  }

  get id(): string {
    return this.env.id;
  }
  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get singleObservationSpace(): Box {
    return this.space;
  }
  get singleActionSpace(): VectorEnv['singleActionSpace'] {
    return this.env.singleActionSpace;
  }
  get obsDim(): number {
    return this.env.obsDim;
  }
  get actionDim(): number {
    return this.env.actionDim;
  }
  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  /** Whether statistics update with new observations. */
  get updateStats(): boolean {
    return this.norm.update;
  }

  set updateStats(v: boolean) {
    this.norm.update = v;
  }

  /** Copy of the statistics (mean, var, count, clip, epsilon). */
  getStats(): ObsNormStats {
    return this.norm.getStats();
  }

  /** Restores statistics saved with {@link getStats}; throws naming the bad field (nothing changes then). */
  setStats(s: ObsNormStats): void {
    this.norm.setStats(`NormalizeObservationVector(${this.id})`, s);
  }

  reset(opts?: ResetOptions): VectorResetResult {
    const r = this.env.reset(opts);
    if (this.norm.update) this.norm.rms.update(r.obs, this.numEnvs);
    this.norm.apply(r.obs, this.obs, this.numEnvs);
    return { obs: this.obs, info: r.info };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    const r = this.env.step(actions);
    if (this.norm.update) this.norm.rms.update(r.obs, this.numEnvs);
    this.norm.apply(r.obs, this.obs, this.numEnvs);
    const d = this.obsDim;
    for (let i = 0; i < this.numEnvs; i++) {
      if (r.terminated[i] || r.truncated[i]) this.norm.apply(r.finalObs.subarray(i * d, i * d + d), this.finalObs.subarray(i * d, i * d + d), 1);
    }
    return { ...r, obs: this.obs, finalObs: this.finalObs };
  }

  close(): void {
    this.env.close();
  }
}
