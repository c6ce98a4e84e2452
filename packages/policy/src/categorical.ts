import { tf } from '@rl/tf';
import type { Distribution } from './types.js';

/** Bounds of the uniform draw used for Gumbel noise: never exactly 0 or 1, so log(−log U) stays finite. */
const U_MIN = 1e-30;
const U_MAX = 1 - 2 ** -23;

/**
 * A batch of categorical distributions over `n` actions, parameterised by unnormalised
 * log-probabilities `logits` `[B, n]`. Actions are the space's values `start … start + n − 1`
 * as int32 (start is 0 unless given).
 *
 * Sampling is Gumbel-max, `argmax(logits − log(−log U))`, which draws every row independently
 * on every backend (`tf.multinomial` on cpu gives all rows the same draw). `sample(seed)` needs a
 * fresh seed per call (a fixed seed repeats the same numbers): take it from an `Rng`.
 *
 * @example
 * const d = new Categorical(tf.tensor2d([[0, 1], [2, 0]]));
 * const a = d.sample(rng.nextSeed()); // int32 [2]
 * const lp = d.logProb(a);            // float32 [2], differentiable w.r.t. the logits
 */
export class Categorical implements Distribution {
  /** Unnormalised log-probabilities `[B, n]`. */
  readonly logits: tf.Tensor2D;
  /** Value of action index 0 (the Discrete space's `start`). */
  readonly start: number;

  constructor(logits: tf.Tensor, start = 0) {
    if (logits.rank !== 2) throw new RangeError(`Categorical: logits must be [B, n], got shape [${logits.shape.join(', ')}]`);
    if (logits.dtype !== 'float32') throw new TypeError(`Categorical: logits must be float32, got ${logits.dtype}`);
    this.logits = logits as tf.Tensor2D;
    this.start = start;
  }

  /** Number of actions. */
  get n(): number {
    return this.logits.shape[1];
  }

  /** One action per row by Gumbel-max, int32 `[B]`. `seed` must be fresh for every call. */
  sample(seed: number): tf.Tensor1D {
    return tf.tidy(() => {
      const u = tf.randomUniform(this.logits.shape, U_MIN, U_MAX, 'float32', seed);
      const gumbel = tf.neg(tf.log(tf.neg(tf.log(u))));
      return this.shift(tf.argMax(tf.add(this.logits, gumbel), -1) as tf.Tensor1D);
    });
  }

  /** log π(a) per row `[B]` (log-softmax gathered at `a`); differentiable w.r.t. the logits. */
  logProb(actions: tf.Tensor): tf.Tensor1D {
    const [b] = this.logits.shape;
    if (actions.rank !== 1 || actions.shape[0] !== b) {
      throw new RangeError(`Categorical.logProb: actions must be [${b}], got shape [${actions.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const idx = tf.cast(this.start === 0 ? actions : tf.sub(actions, this.start), 'int32') as tf.Tensor1D;
      // The wasm OneHot kernel ignores the dtype argument (writes int32 bits): cast explicitly.
      const oneHot = tf.cast(tf.oneHot(idx, this.n), 'float32');
      return tf.sum(tf.mul(tf.logSoftmax(this.logits), oneHot), -1) as tf.Tensor1D;
    });
  }

  /** Entropy −Σ p log p per row `[B]`; differentiable. */
  entropy(): tf.Tensor1D {
    return tf.tidy(() => {
      const logp = tf.logSoftmax(this.logits);
      return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor1D;
    });
  }

  /** The most likely action per row, int32 `[B]`. */
  mode(): tf.Tensor1D {
    return tf.tidy(() => this.shift(tf.argMax(this.logits, -1) as tf.Tensor1D));
  }

  /** Probabilities `[B, n]`. */
  probs(): tf.Tensor2D {
    return tf.softmax(this.logits) as tf.Tensor2D;
  }

  private shift(idx: tf.Tensor1D): tf.Tensor1D {
    return this.start === 0 ? idx : (tf.add(idx, tf.scalar(this.start, 'int32')) as tf.Tensor1D);
  }
}
