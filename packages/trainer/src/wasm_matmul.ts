/**
 * A faster BatchMatMul on the wasm backend for transposed operands.
 *
 * Backpropagation through a dense layer multiplies by transposed matrices (dX = dY·Wᵀ,
 * dW = Xᵀ·dY). tfjs-backend-wasm 4.22 runs `matMul(a, b, transposeA, transposeB)` with a slow
 * path when either flag is set: measured here at batch 1024 × 64, `Xᵀ·dY` 3.2–3.4 ms against
 * 0.25–0.55 ms for an explicit transpose followed by the plain (XNNPACK) product, which made
 * the backward pass of a 64-64 MLP ~6× slower than its forward pass. This wraps the kernel:
 * transpose the flagged operand with the backend's own Transpose kernel, then call the original
 * kernel without flags. Same product (summation order may differ in the last bits).
 */
import { tf } from '@rl/tf';

let installed = false;

/** Installs the wrapper on the wasm backend (idempotent; no-op when wasm is not registered). Returns true when active. */
export function useFastWasmMatMul(): boolean {
  if (installed) return true;
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!orig || !transpose) return false;
  const swapLast = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const kernelFunc: tf.KernelFunc = (args) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return orig.kernelFunc(args);
    const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as { disposeData(id: object): void };
    const flip = (x: tf.TensorInfo): tf.TensorInfo =>
      transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm: swapLast(x.shape.length) } }) as tf.TensorInfo;
    const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
    const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
    try {
      return orig.kernelFunc({ inputs: { a, b }, backend: args.backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (a !== inputs.a) backend.disposeData(a.dataId);
      if (b !== inputs.b) backend.disposeData(b.dataId);
    }
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...orig, kernelFunc });
  installed = true;
  return true;
}
