import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from './backend.js';
import { FAST_WASM_KERNELS, fastWasmKernels, useFastWasmKernels, useFastWasmMatMul, useStockWasmKernels } from './wasm_kernels.js';

/** Deterministic values in (−1, 1). */
const vals = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 13.7 + i * 0.91));

/** The product in float64 from plain arrays: the reference every kernel is checked against. */
function matmulRef(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  expect(worst).toBeLessThan(tol);
}

describe('useFastWasmKernels', () => {
  beforeAll(async () => {
    await initTf({ backend: 'wasm' });
    useStockWasmKernels();
  });
  afterEach(() => useStockWasmKernels());
  afterAll(() => useStockWasmKernels());

  it('installs every kernel, is idempotent, and puts the stock kernels back', () => {
    const stockMatMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    expect(useFastWasmKernels()).toBe(true);
    expect(useFastWasmKernels()).toBe(true);
    expect(fastWasmKernels()).toEqual([...FAST_WASM_KERNELS]);
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).not.toBe(stockMatMul);
    useStockWasmKernels();
    expect(fastWasmKernels()).toEqual([]);
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(stockMatMul);
    expect(useFastWasmMatMul()).toBe(true);
    expect(fastWasmKernels()).toEqual([...FAST_WASM_KERNELS]);
    useStockWasmKernels();
    expect(useFastWasmKernels({ kernels: ['Sum'] })).toBe(true);
    expect(fastWasmKernels()).toEqual(['Sum']);
    expect(() => useFastWasmKernels({ kernels: ['Tanh' as never] })).toThrow(/unknown kernel "Tanh".*BatchMatMul/);
    useStockWasmKernels();
  });

  it('gives the float64 products for every transpose flag, rank 2 and batched rank 3, small and large (both XNNPACK routes), and frees its temporaries', () => {
    useFastWasmKernels();
    // [m, k, n]: small (stock transposes), and shapes of a dense layer's gradient where each route of the cost model wins
    const shapes: [number, number, number][] = [[5, 7, 4], [64, 1024, 64], [64, 1024, 2], [4, 1024, 64], [1024, 64, 64], [2, 1000, 64]];
    for (const [m, k, n] of shapes) {
      for (const batch of k > 100 ? [undefined] : [undefined, 3]) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const B = batch ?? 1;
            const aShape = ta ? [k, m] : [m, k];
            const bShape = tb ? [n, k] : [k, n];
            const av = vals(B * m * k, m + k);
            const bv = vals(B * k * n, n + 2 * k);
            const a = tf.tensor(av, batch ? [B, ...aShape] : aShape);
            const b = tf.tensor(bv, batch ? [B, ...bShape] : bShape);
            const before = tf.memory().numTensors;
            const bytesBefore = tf.memory().numBytes;
            const c = tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb);
            expect(tf.memory().numTensors).toBe(before + 1);
            expect(tf.memory().numBytes).toBe(bytesBefore + 4 * B * m * n);
            expect(c.shape).toEqual(batch ? [B, m, n] : [m, n]);
            const want = new Float64Array(B * m * n);
            for (let s = 0; s < B; s++) want.set(matmulRef(av.subarray(s * m * k, (s + 1) * m * k), bv.subarray(s * k * n, (s + 1) * k * n), m, k, n, ta, tb), s * m * n);
            expectClose(c.dataSync(), want, 2e-5);
            tf.dispose([a, b, c]);
          }
        }
      }
    }
    useStockWasmKernels();
  });

  it('reuses a right operand XNNPACK already packed only at the shape it was packed as', () => {
    useFastWasmKernels();
    const x = tf.tensor2d(vals(512 * 8, 3), [512, 8]);
    const a1 = tf.tensor2d(vals(4 * 512, 4), [4, 512]);
    const first = tf.matMul(a1, x); // x packed as [512, 8]
    const a2 = tf.tensor2d(vals(2 * 1024, 5), [2, 1024]);
    const second = tf.matMul(a2, x.reshape([1024, 4])); // same buffer as [1024, 4]: must not reuse the [512, 8] operator
    expectClose(first.dataSync(), matmulRef(a1.dataSync() as Float32Array, x.dataSync() as Float32Array, 4, 512, 8, false, false), 2e-5);
    expectClose(second.dataSync(), matmulRef(a2.dataSync() as Float32Array, x.dataSync() as Float32Array, 2, 1024, 4, false, false), 2e-5);
    tf.dispose([x, a1, first, a2, second]);
    useStockWasmKernels();
  });

  it('transposes 2-D tensors of every size (block sizes that divide the rows, columns, or neither) like the stock kernel', () => {
    const shapes = [[3, 5], [4096, 64], [64, 4096], [1000, 40], [40, 1000], [1027, 33], [16384, 2], [1, 9000]];
    const inputs = shapes.map(([r, c], i) => tf.tensor2d(vals(r! * c!, i + 1), [r!, c!]));
    const stock = inputs.map((x) => tf.transpose(x));
    useFastWasmKernels();
    inputs.forEach((x, i) => {
      const before = tf.memory().numTensors;
      const t = tf.transpose(x);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(t.shape).toEqual([x.shape[1], x.shape[0]]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(stock[i]!.dataSync()));
      // other ranks and permutations still go to the stock kernel
      const x3 = x.reshape([1, ...x.shape]);
      expect(Array.from(tf.transpose(x3, [0, 2, 1]).dataSync())).toEqual(Array.from(stock[i]!.dataSync()));
      t.dispose();
    });
    tf.dispose([...inputs, ...stock]);
    useStockWasmKernels();
  });

  it('sums over leading axes (bias gradients) as the stock kernel does, packed or not, with keepDims, and leaves other reductions alone', () => {
    const cases: { shape: number[]; axis: number | number[]; keepDims?: boolean }[] = [
      { shape: [4096, 64], axis: 0 },
      { shape: [4096, 64], axis: [0], keepDims: true },
      { shape: [16, 256, 8], axis: [0, 1] },
      { shape: [16, 256, 8], axis: 0 },
      { shape: [1000, 7], axis: 0 },
      { shape: [4096, 64], axis: 1 },
      { shape: [4096, 64], axis: [0, 1] },
      { shape: [50, 3], axis: 0 },
    ];
    const xs = cases.map((c, i) => tf.tensor(vals(c.shape.reduce((a, b) => a * b, 1), i + 7), c.shape));
    const want = cases.map((c, i) => tf.sum(xs[i]!, c.axis, c.keepDims));
    useFastWasmKernels();
    for (const packedFirst of [false, true]) {
      cases.forEach((c, i) => {
        const x = xs[i]!;
        if (packedFirst && c.shape.length === 2) tf.matMul(tf.ones([3, c.shape[0]!]), x).dispose(); // XNNPACK now holds x packed: the ones·x route
        const got = tf.sum(x, c.axis, c.keepDims);
        expect(got.shape).toEqual(want[i]!.shape);
        expectClose(got.dataSync(), want[i]!.dataSync(), 1e-5);
        got.dispose();
      });
    }
    tf.dispose([...xs, ...want]);
    useStockWasmKernels();
  });

  it('shares buffers in Identity (clone) without aliasing values, and every clone is freed on its own', () => {
    useFastWasmKernels();
    const x = tf.tensor2d(vals(64, 1), [8, 8]);
    const bytes = tf.memory().numBytes;
    const c = tf.clone(x);
    expect(Array.from(c.dataSync())).toEqual(Array.from(x.dataSync()));
    x.dispose();
    expect(Array.from(c.dataSync()).slice(0, 3)).toEqual(Array.from(vals(3, 1)));
    c.dispose();
    expect(tf.memory().numBytes).toBe(bytes - 4 * 64);
    const s = tf.tensor1d(['a', 'b'], 'string');
    expect(tf.clone(s).arraySync()).toEqual(['a', 'b']);
    useStockWasmKernels();
  });

  it('leaves the cpu backend kernels alone', async () => {
    await initTf({ backend: 'cpu' });
    // wasm stays registered (it is imported), so installing still works and does not touch the cpu kernels
    const cpuMatMul = tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc;
    expect(useFastWasmKernels()).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc).toBe(cpuMatMul);
    useStockWasmKernels();
    await initTf({ backend: 'wasm' });
  });
});
