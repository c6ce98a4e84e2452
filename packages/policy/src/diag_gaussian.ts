import { tf } from '@rl/tf';
import type { Distribution } from './types.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * A batch of Gaussians with diagonal covariance: mean `[B, d]` and log standard deviation
 * `[d]` (state-independent) or `[B, d]`. Actions are float32 `[B, d]`, unclipped (clip at the
 * env with `ClipAction` if the action space is bounded).
 *
 * @example
 * const d = new DiagGaussian(mean, logStd);
 * const a = d.sample(rng.nextSeed()); // mean + σ·ε
 * const lp = d.logProb(a);            // Σ over action dims, [B]
 */
export class DiagGaussian implements Distribution {
  /** Means `[B, d]`. */
  readonly mean: tf.Tensor2D;
  /** Log standard deviations `[d]` or `[B, d]`. */
  readonly logStd: tf.Tensor;

  constructor(mean: tf.Tensor, logStd: tf.Tensor) {
    if (mean.rank !== 2) throw new RangeError(`DiagGaussian: mean must be [B, d], got shape [${mean.shape.join(', ')}]`);
    const d = mean.shape[1]!;
    const okStd = (logStd.rank === 1 && logStd.shape[0] === d) || (logStd.rank === 2 && logStd.shape[0] === mean.shape[0] && logStd.shape[1] === d);
    if (!okStd) {
      throw new RangeError(`DiagGaussian: logStd must be [${d}] or [${mean.shape[0]}, ${d}] for mean [${mean.shape.join(', ')}], got [${logStd.shape.join(', ')}]`);
    }
    this.mean = mean as tf.Tensor2D;
    this.logStd = logStd;
  }

  /** mean + σ·ε with ε ~ N(0, I), float32 `[B, d]`. `seed` must be fresh for every call. */
  sample(seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const eps = tf.randomNormal(this.mean.shape, 0, 1, 'float32', seed);
      return tf.add(this.mean, tf.mul(tf.exp(this.logStd), eps)) as tf.Tensor2D;
    });
  }

  /** log π(a) = Σ_d [−½((a−μ)/σ)² − log σ − ½ log 2π], `[B]`; differentiable w.r.t. μ and log σ. */
  logProb(actions: tf.Tensor): tf.Tensor1D {
    if (actions.rank !== 2 || actions.shape[0] !== this.mean.shape[0] || actions.shape[1] !== this.mean.shape[1]) {
      throw new RangeError(`DiagGaussian.logProb: actions must be [${this.mean.shape.join(', ')}], got shape [${actions.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const z = tf.div(tf.sub(tf.cast(actions, 'float32'), this.mean), tf.exp(this.logStd));
      const perDim = tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), this.logStd), HALF_LOG_2PI);
      return tf.sum(perDim, -1) as tf.Tensor1D;
    });
  }

  /** Entropy Σ_d [log σ + ½(1 + log 2π)] per row `[B]`; differentiable w.r.t. log σ. */
  entropy(): tf.Tensor1D {
    return tf.tidy(() => {
      const perDim = tf.add(this.logStd, 0.5 + HALF_LOG_2PI);
      const full = perDim.rank === 1 ? tf.mul(tf.onesLike(this.mean), perDim) : perDim;
      return tf.sum(full, -1) as tf.Tensor1D;
    });
  }

  /** Standard deviations σ = exp(log σ) per row, `[B, d]`. */
  std(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.onesLike(this.mean), tf.exp(this.logStd)) as tf.Tensor2D);
  }

  /** The mean, `[B, d]`. */
  mode(): tf.Tensor2D {
    return tf.clone(this.mean);
  }
}
