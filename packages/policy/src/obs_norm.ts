import { tf } from '@rl/tf';
import type { ObsNormStats } from './types.js';

/** Checks that normalisation statistics fit `obsDim` and are finite; throws naming the field. */
export function checkObsNorm(s: ObsNormStats, obsDim: number, where: string): void {
  if (s.mean.length !== obsDim || s.var.length !== obsDim) {
    throw new RangeError(`${where}: obsNorm mean/var have ${s.mean.length}/${s.var.length} values, observations have ${obsDim}`);
  }
  for (let i = 0; i < obsDim; i++) {
    if (!Number.isFinite(s.mean[i]!) || !Number.isFinite(s.var[i]!) || s.var[i]! < 0) {
      throw new RangeError(`${where}: obsNorm index ${i} is invalid (mean ${s.mean[i]}, var ${s.var[i]})`);
    }
  }
  if (!(s.clip > 0) || !(s.epsilon >= 0) || !Number.isFinite(s.epsilon)) {
    throw new RangeError(`${where}: obsNorm clip must be > 0 and epsilon ≥ 0, got clip ${s.clip}, epsilon ${s.epsilon}`);
  }
}

/**
 * Applies `clip((x − mean)/√(var + ε), −clip, clip)` as tf ops. Keeps the mean and 1/σ
 * tensors between calls and rebuilds them only when the statistics' values change
 * (compared element by element, so replacing or mutating the stats both work).
 */
export class ObsNormalizer {
  private key: Float64Array | undefined;
  private mean: tf.Tensor1D | undefined;
  private invStd: tf.Tensor1D | undefined;

  private sameAs(s: ObsNormStats): boolean {
    const k = this.key;
    const d = s.mean.length;
    if (!k || k.length !== 2 * d + 2) return false;
    for (let i = 0; i < d; i++) if (k[i] !== s.mean[i] || k[d + i] !== s.var[i]) return false;
    return k[2 * d] === s.epsilon && k[2 * d + 1] === s.clip;
  }

  /** Makes sure the cached tensors match `s`. Call outside any tf.tidy. */
  prepare(s: ObsNormStats): void {
    if (this.sameAs(s)) return;
    this.dispose();
    const d = s.mean.length;
    const key = new Float64Array(2 * d + 2);
    const inv = new Float32Array(d);
    for (let i = 0; i < d; i++) {
      key[i] = s.mean[i]!;
      key[d + i] = s.var[i]!;
      inv[i] = 1 / Math.sqrt(s.var[i]! + s.epsilon);
    }
    key[2 * d] = s.epsilon;
    key[2 * d + 1] = s.clip;
    this.key = key;
    this.mean = tf.keep(tf.tensor1d(Float32Array.from(s.mean)));
    this.invStd = tf.keep(tf.tensor1d(inv));
  }

  /** The normalised observations (call {@link prepare} first, outside tidy). */
  apply(x: tf.Tensor2D, s: ObsNormStats): tf.Tensor2D {
    if (!this.mean || !this.invStd) throw new Error('ObsNormalizer.apply called before prepare');
    return tf.clipByValue(tf.mul(tf.sub(x, this.mean), this.invStd), -s.clip, s.clip) as tf.Tensor2D;
  }

  /** Frees the cached tensors. */
  dispose(): void {
    this.mean?.dispose();
    this.invStd?.dispose();
    this.mean = undefined;
    this.invStd = undefined;
    this.key = undefined;
  }
}

/** Plain-JSON form of the statistics, for policy.json. */
export function obsNormToJSON(s: ObsNormStats): { mean: number[]; var: number[]; count: number; clip: number; epsilon: number } {
  return { mean: [...s.mean], var: [...s.var], count: s.count, clip: s.clip, epsilon: s.epsilon };
}
