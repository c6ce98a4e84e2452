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
  // tidy frees the zeros each variable was made from (variables themselves survive tidy)
  let m: tf.Variable[] = adam ? tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false))) : [];
  let vv: tf.Variable[] = adam ? tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false))) : [];
  let step = 0;

  const apply = (grads: readonly tf.Tensor[], sign: 1 | -1, lr: number): void => {
    if (grads.length !== variables.length) throw new RangeError(`optimizer: got ${grads.length} gradients for ${variables.length} variables`);
    step += 1;
    const bc1 = 1 - beta1 ** step;
    const bc2 = 1 - beta2 ** step;
    tf.tidy(() => {
      variables.forEach((theta, i) => {
        const g = grads[i]!;
        if (!adam) {
          theta.assign(tf.add(theta, tf.mul(g, sign * lr)));
          return;
        }
        const mi = tf.add(tf.mul(m[i]!, beta1), tf.mul(g, 1 - beta1));
        const vi = tf.add(tf.mul(vv[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        m[i]!.assign(mi);
        vv[i]!.assign(vi);
        const update = tf.div(tf.div(mi, bc1), tf.add(tf.sqrt(tf.div(vi, bc2)), epsilon));
        theta.assign(tf.add(theta, tf.mul(update, sign * lr)));
      });
    });
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
      return { kind: opts.kind, step, lr: opt.lr, m: m.map((t) => t.dataSync().slice() as Float32Array), v: vv.map((t) => t.dataSync().slice() as Float32Array) };
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
        variables.forEach((theta, i) => {
          tf.tidy(() => {
            m[i]!.assign(tf.tensor(s.m[i]!, theta.shape, 'float32'));
            vv[i]!.assign(tf.tensor(s.v[i]!, theta.shape, 'float32'));
          });
        });
      }
      step = s.step;
      opt.lr = s.lr;
    },
    dispose() {
      tf.dispose([...m, ...vv]);
      m = [];
      vv = [];
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
