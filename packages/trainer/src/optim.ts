/**
 * Gradient ascent on θ with Adam or SGD, with explicit, serialisable state so a resumed run is
 * bit-identical to an uninterrupted one (tfjs' own AdamOptimizer rebuilds its β^t accumulators
 * with `pow` on `setWeights`, which differs in the last bits from the running product).
 */
import { tf } from '@rl/tf';

/** Serialisable optimizer state (plain arrays; see {@link Optimizer.getState}). */
export interface OptimizerState {
  readonly kind: 'adam' | 'sgd';
  /** Updates applied so far. */
  readonly step: number;
  /** Current learning rate. */
  readonly lr: number;
  /** Adam first moments, one flat array per variable (empty for SGD). */
  readonly m: Float32Array[];
  /** Adam second moments, one flat array per variable (empty for SGD). */
  readonly v: Float32Array[];
}

/** Options of {@link createOptimizer}. */
export interface OptimizerOptions {
  readonly kind: 'adam' | 'sgd';
  /** Learning rate α. */
  readonly lr: number;
  /** Adam β1; default 0.9. */
  readonly beta1?: number;
  /** Adam β2; default 0.999. */
  readonly beta2?: number;
  /** Adam ε; default 1e-8. */
  readonly epsilon?: number;
}

/** An optimizer bound to a list of variables. */
export interface Optimizer {
  /** The variables it updates, in order. */
  readonly variables: readonly tf.Variable[];
  /** Learning rate used by the next {@link ascend} / {@link descend} (settable: linear decay). */
  lr: number;
  /** θ ← θ + step(g): ascent along `g` (e.g. ∇θJ). `grads` align with `variables`; not disposed. */
  ascend(grads: readonly tf.Tensor[]): void;
  /** θ ← θ − step(g): descent along `g` (e.g. ∇ of a loss). */
  descend(grads: readonly tf.Tensor[]): void;
  /** A copy of the state. */
  getState(): OptimizerState;
  /** Restores a state from {@link getState}; throws naming the variable whose size differs. */
  setState(s: OptimizerState): void;
  /** Frees the moment tensors. */
  dispose(): void;
}

/**
 * Adam (Kingma & Ba) or plain SGD over `variables`. Bias corrections 1 − β^t are computed in
 * float64 from the step count, so the state is just (t, m, v).
 *
 * @example
 * const opt = createOptimizer(policy.trainableVariables, { kind: 'adam', lr: 1e-3 });
 * opt.ascend(gradJ); // θ ← θ + α·Adam(∇θJ)
 */
export function createOptimizer(variables: readonly tf.Variable[], opts: OptimizerOptions): Optimizer {
  const beta1 = opts.beta1 ?? 0.9;
  const beta2 = opts.beta2 ?? 0.999;
  const epsilon = opts.epsilon ?? 1e-8;
  const adam = opts.kind === 'adam';
  // The moments of all variables as two flat vectors: one Adam step is ~20 ops on the
  // concatenated gradient instead of ~17 per variable (per-op dispatch dominates at this size).
  const sizes = variables.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let m: tf.Variable | undefined = adam ? tf.tidy(() => tf.variable(tf.zeros([total]), false)) : undefined;
  let vv: tf.Variable | undefined = adam ? tf.tidy(() => tf.variable(tf.zeros([total]), false)) : undefined;
  let step = 0;

  const apply = (grads: readonly tf.Tensor[], sign: 1 | -1, lr: number): void => {
    if (grads.length !== variables.length) throw new RangeError(`optimizer: got ${grads.length} gradients for ${variables.length} variables`);
    step += 1;
    const bc1 = 1 - beta1 ** step;
    const bc2 = 1 - beta2 ** step;
    tf.tidy(() => {
      let update: tf.Tensor; // the step to add to the flat parameters, before the lr
      if (!adam) {
        update = tf.concat(grads.map((g) => g.reshape([-1])));
      } else {
        const g = tf.concat(grads.map((x) => x.reshape([-1])));
        const mi = tf.add(tf.mul(m!, beta1), tf.mul(g, 1 - beta1));
        const vi = tf.add(tf.mul(vv!, beta2), tf.mul(tf.square(g), 1 - beta2));
        m!.assign(mi);
        vv!.assign(vi);
        update = tf.div(tf.div(mi, bc1), tf.add(tf.sqrt(tf.div(vi, bc2)), epsilon));
      }
      const parts = tf.split(tf.mul(update, sign * lr), sizes);
      variables.forEach((theta, i) => theta.assign(tf.add(theta, parts[i]!.reshape(theta.shape))));
    });
  };

  const slices = (t: tf.Variable | undefined): Float32Array[] => {
    if (!t) return [];
    const all = t.dataSync() as Float32Array;
    let o = 0;
    return sizes.map((n) => all.slice(o, (o += n)));
  };

  const opt: Optimizer = {
    variables,
    lr: opts.lr,
    ascend(grads) {
      apply(grads, 1, opt.lr);
    },
    descend(grads) {
      apply(grads, -1, opt.lr);
    },
    getState() {
      return { kind: opts.kind, step, lr: opt.lr, m: slices(m), v: slices(vv) };
    },
    setState(s) {
      if (s.kind !== opts.kind) throw new TypeError(`optimizer.setState: state is for ${s.kind}, this optimizer is ${opts.kind}`);
      if (adam) {
        if (s.m.length !== variables.length || s.v.length !== variables.length) {
          throw new RangeError(`optimizer.setState: state has ${s.m.length}/${s.v.length} moment arrays, expected ${variables.length}`);
        }
        variables.forEach((theta, i) => {
          if (s.m[i]!.length !== theta.size || s.v[i]!.length !== theta.size) {
            throw new RangeError(`optimizer.setState: variable ${i} (${theta.name}, shape [${theta.shape.join(', ')}]) has ${theta.size} values, state has ${s.m[i]!.length}/${s.v[i]!.length}`);
          }
        });
        const flat = (arrays: readonly ArrayLike<number>[]): Float32Array => {
          const out = new Float32Array(total);
          let o = 0;
          for (const a of arrays) (out.set(a, o), (o += a.length));
          return out;
        };
        tf.tidy(() => {
          m!.assign(tf.tensor1d(flat(s.m)));
          vv!.assign(tf.tensor1d(flat(s.v)));
        });
      }
      step = s.step;
      opt.lr = s.lr;
    },
    dispose() {
      m?.dispose();
      vv?.dispose();
      m = undefined;
      vv = undefined;
    },
  };
  return opt;
}

/**
 * Global L2 norm ‖g‖ = √(Σ_i ‖g_i‖²) of a list of gradients, as a scalar tensor (caller owns it).
 */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}
