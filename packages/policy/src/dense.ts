/**
 * A Dense layer h = act(x·W + b) as one differentiable op whose gradient is expressed with the
 * products and sums that run fast on every backend (tfjs autodiff still composes the layers; this
 * is the layer's own vector-Jacobian product, as tfjs-core writes one for each op):
 *
 *     dZ = dh ⊙ act′(z)      (from the saved output h: 1 − h² for tanh, h(1 − h) for sigmoid, step(h) for relu)
 *     dW = xᵀ·dZ,   db = Σ_rows dZ,   dx = dZ·Wᵀ
 *
 * The forward is one fused matmul + bias + activation kernel. tanh has no fused kernel (and the
 * wasm Tanh kernel is a scalar libm call, ~17× Sigmoid), so a tanh layer computes
 * tanh(z) = 2σ(2z) − 1 exactly as the rollout's fast path does: s = σ(x·2W + 2b) in one fused
 * kernel, then h = 2s − 1. The weights stay the layer's own (W, b): the saved model is unchanged.
 *
 * Same values as tfjs-layers' Dense (up to float32 rounding: |Δh| ≲ 1e-7 for the sigmoid form),
 * the same gradients as tfjs autodiff through it. On wasm, dW is computed before db so that the
 * bias sum finds dZ already packed by XNNPACK (see @rl/tf's `useFastWasmKernels`).
 */
import { tf } from '@rl/tf';

/** Activations {@link dense} computes. */
export type DenseActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

/** One Dense layer of a chain: its variables and activation. */
export interface DenseSource {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly activation: DenseActivation;
}

type Op = (...args: tf.Tensor[]) => tf.Tensor2D;

/** act′(z) from the output h = act(z), times dh. */
function dz(activation: DenseActivation, dh: tf.Tensor, h: tf.Tensor): tf.Tensor {
  switch (activation) {
    case 'linear':
      return dh;
    case 'relu':
      return tf.mul(dh, tf.step(h));
    case 'sigmoid':
      return tf.mul(dh, tf.mul(h, tf.sub(1, h)));
    case 'tanh':
      return tf.mul(dh, tf.sub(1, tf.square(h)));
  }
}

/**
 * act(x·W + b) as the backend's `_FusedMatMul` kernel. Called directly: `tf.fused.matMul` runs
 * unfused (matMul, add, activation: three kernels) whenever a gradient is being recorded, and
 * the forward of this op always runs under one.
 */
function fusedMatMul(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | undefined, activation: 'linear' | 'relu' | 'sigmoid'): tf.Tensor2D {
  const [rows, inDim] = x.shape;
  const outDim = w.shape[1];
  const inputs = { a: tf.reshape(x, [1, rows, inDim]), b: tf.reshape(w, [1, inDim, outDim]), ...(b ? { bias: b } : {}) };
  const out = tf.engine().runKernel('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }) as tf.Tensor;
  return tf.reshape(out, [rows, outDim]);
}

/** h = act(x·W + b) through one fused kernel (tanh as 2σ(2z) − 1). */
function forward(activation: DenseActivation, x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | undefined): tf.Tensor2D {
  if (activation !== 'tanh') return fusedMatMul(x, w, b, activation);
  const s = fusedMatMul(x, tf.mul(w, 2), b ? (tf.mul(b, 2) as tf.Tensor1D) : undefined, 'sigmoid');
  return tf.sub(tf.mul(s, 2), 1);
}

function makeOp(activation: DenseActivation, withBias: boolean): Op {
  return tf.customGrad((...args: unknown[]) => {
    const [x, w] = args as [tf.Tensor2D, tf.Tensor2D];
    const b = withBias ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[withBias ? 3 : 2] as tf.GradSaveFunc;
    const h = forward(activation, x, w, b);
    save(activation === 'linear' ? [x, w] : [x, w, h]);
    return {
      value: h,
      gradFunc: (dh: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, hs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D | undefined];
        const dZ = dz(activation, dh, hs ?? dh);
        const dW = tf.matMul(xs, dZ, true, false);
        const dX = tf.matMul(dZ, ws, false, true);
        return withBias ? [dX, dW, tf.sum(dZ, 0)] : [dX, dW];
      },
    };
  }) as unknown as Op;
}

const OPS = new Map<string, Op>();

/**
 * h = act(x·W + b) for `x` `[B, in]`, `kernel` `[in, out]`, `bias` `[out]` (or none):
 * differentiable w.r.t. all three (see the file header).
 *
 * @example
 * const h = dense(obs, kernel, bias, 'tanh'); // [B, out], = tf.tanh(obs·kernel + bias)
 */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined, activation: DenseActivation): tf.Tensor2D {
  if (x.rank !== 2 || kernel.rank !== 2 || x.shape[1] !== kernel.shape[0]) {
    throw new RangeError(`dense: x [${x.shape.join(', ')}] and kernel [${kernel.shape.join(', ')}] do not chain (expected [B, in] and [in, out])`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== kernel.shape[1])) {
    throw new RangeError(`dense: bias has shape [${bias.shape.join(', ')}], expected [${kernel.shape[1]}] for kernel [${kernel.shape.join(', ')}]`);
  }
  const key = `${activation}:${bias ? 1 : 0}`;
  let op = OPS.get(key);
  if (!op) OPS.set(key, (op = makeOp(activation, bias !== undefined)));
  return bias ? op(x, kernel, bias) : op(x, kernel);
}

/** The output of a chain of Dense layers for `x`, one {@link dense} op per layer. */
export function denseChainForward(chain: readonly DenseSource[], x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const layer of chain) h = dense(h, layer.kernel as unknown as tf.Tensor2D, layer.bias as unknown as tf.Tensor1D | undefined, layer.activation);
  return h;
}
