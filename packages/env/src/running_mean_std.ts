/**
 * Running mean and variance of a stream of vectors (Gymnasium's `RunningMeanStd`, the parallel
 * algorithm of Chan et al.): the statistics `NormalizeObservation` keeps.
 */

/** Saved form of observation-normalisation statistics (stored beside a policy). */
export interface ObsNormStats {
  /** Running mean per observation element. */
  readonly mean: Float32Array;
  /** Running (population) variance per observation element. */
  readonly var: Float32Array;
  /** Number of samples seen (starts at epsilon, 1e-4, as Gymnasium). */
  readonly count: number;
  /** Normalised values are clipped to ±clip (Infinity: no clipping, Gymnasium's behaviour). */
  readonly clip: number;
  /** Added to the variance before the square root (1e-8). */
  readonly epsilon: number;
}

/** Running mean/variance over rows of `dim` values. */
export class RunningMeanStd {
  /** Length of one row. */
  readonly dim: number;
  /** Current mean (float64). */
  readonly mean: Float64Array;
  /** Current variance (float64). */
  readonly var: Float64Array;
  /** Samples seen, starting at `epsilon`. */
  count: number;
  private readonly bMean: Float64Array;
  private readonly bVar: Float64Array;

  /** @param epsilon initial count (Gymnasium: 1e-4), so the first update is not a division by zero. */
  constructor(dim: number, epsilon = 1e-4) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`RunningMeanStd: dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
    this.count = epsilon;
    this.bMean = new Float64Array(dim);
    this.bVar = new Float64Array(dim);
  }

  /** Updates with `rows` rows of `x` (row-major, `rows × dim`): batch mean and variance, then the merge. */
  update(x: ArrayLike<number>, rows = x.length / this.dim): void {
    const d = this.dim;
    if (!Number.isInteger(rows) || rows < 1 || x.length < rows * d) throw new RangeError(`RunningMeanStd.update: ${x.length} values are not ${rows} rows of ${d}`);
    const bm = this.bMean;
    const bv = this.bVar;
    bm.fill(0);
    bv.fill(0);
    for (let r = 0; r < rows; r++) for (let k = 0; k < d; k++) bm[k] = bm[k]! + x[r * d + k]!;
    for (let k = 0; k < d; k++) bm[k] = bm[k]! / rows;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < d; k++) {
        const e = x[r * d + k]! - bm[k]!;
        bv[k] = bv[k]! + e * e;
      }
    }
    for (let k = 0; k < d; k++) bv[k] = bv[k]! / rows;
    this.updateFromMoments(bm, bv, rows);
  }

  /** Merges a batch given by its mean, variance and count (Gymnasium's `update_mean_var_count_from_moments`). */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    const tot = this.count + batchCount;
    for (let k = 0; k < this.dim; k++) {
      const delta = batchMean[k]! - this.mean[k]!;
      const mA = this.var[k]! * this.count;
      const mB = batchVar[k]! * batchCount;
      const M2 = mA + mB + ((delta * delta) * this.count * batchCount) / tot;
      this.mean[k] = this.mean[k]! + (delta * batchCount) / tot;
      this.var[k] = M2 / tot;
    }
    this.count = tot;
  }
}
