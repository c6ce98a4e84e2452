/**
 * Faster wasm kernels for the shapes a dense layer's backward pass produces, registered over
 * tfjs-backend-wasm 4.22's own (the gradient is still tfjs autodiff; only how each product,
 * transpose and sum is computed changes, never what).
 *
 * What the stock kernels do (read in tfjs-backend-wasm/src/cc at tfjs-v4.22.0) and what is
 * registered instead:
 * - `BatchMatMul` (batch_mat_mul_impl.cc): XNNPACK only when neither operand is transposed and
 *   both batch dims are 1; every flagged product (all of a dense layer's gradient products:
 *   dX = dZ·Wᵀ, dW = Xᵀ·dZ) runs a scalar triple loop (measured at [16384,64]ᵀ·[16384,64]:
 *   67 ms against 4.7 ms through XNNPACK). Here: explicit transposes, then XNNPACK. XNNPACK packs
 *   its right operand ("weights", `b`) into a new operator whenever `b` is a tensor it has not
 *   seen (the cache is keyed on the tensor id), which costs ~4 ns per element, ~4× a transpose;
 *   so of the two ways to get op(A)·op(B) without flags — transpose the flagged operands, or
 *   compute (op(B)ᵀ·op(A)ᵀ)ᵀ — the cheaper one is chosen, counting a `b` that is already packed
 *   as free.
 * - `Transpose` (transpose_impl.cc): a 2-D transpose writes with a stride of the whole row
 *   count (4.4 ms for [16384, 64]). Here a large 2-D transpose runs as two cache-friendly 3-D
 *   transposes of the stock kernel over 64-row blocks (1.0 ms).
 * - `Sum` (kernels/Sum.ts): any reduction over a non-innermost axis transposes first with the
 *   kernel above (a bias gradient, the sum of dZ over the batch axis, took 4.5 ms at [16384, 64]).
 *   Here a sum over leading axes is a product ones·x when XNNPACK already packed x (the layer's
 *   dW product just did: 0.1 ms), else the blocked transpose above and the stock innermost sum.
 * - `Identity` (kernels/Identity.ts): copies. tfjs clones every tensor it saves for the backward
 *   pass through Identity; here it shares the buffer as the cpu and webgl backends do
 *   (tensors are immutable; the wasm backend's `Reshape` shares buffers the same way).
 *
 * The activation kernels are left alone: `Tanh`, `Exp`, `Log` are scalar libm calls (Tanh
 * 19 ns per element against Sigmoid's 1.1 ns); a dense layer avoids Tanh by computing
 * tanh(z) = 2σ(2z) − 1 itself (see @rl/policy's dense layer), and the precise Tanh stays what
 * `tf.tanh` means.
 */
import type * as core from '@tensorflow/tfjs-core';
import { tfcore } from './bound_tf.js';

/** The kernels {@link useFastWasmKernels} can replace. */
export type FastWasmKernel = 'BatchMatMul' | 'Transpose' | 'Sum' | 'Identity';

/** All of them, in the order they are installed. */
export const FAST_WASM_KERNELS: readonly FastWasmKernel[] = ['Transpose', 'BatchMatMul', 'Sum', 'Identity'];

/** Options of {@link useFastWasmKernels}. */
export interface FastWasmKernelOptions {
  /** Which kernels to replace; default all ({@link FAST_WASM_KERNELS}). Kernels already replaced stay replaced. */
  readonly kernels?: readonly FastWasmKernel[];
}

type Info = core.TensorInfo;

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackend {
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
  makeOutput(shape: number[], dtype: core.DataType, memoryOffset?: number, values?: Float32Array): Info;
}

/** Cost of one element through a transpose, and through XNNPACK's packing of a new right operand (ns, measured here). */
const TRANSPOSE_COST = 1;
const PACK_COST = 4;
/** Below this many elements the stock kernels are used as they are (dispatch dominates). */
const SMALL = 4096;

const stock = new Map<FastWasmKernel, core.KernelConfig>();
/**
 * Buffers XNNPACK holds a packed operator for (each was the `b` of a product run here), with the
 * `[K, N]` it was packed as; entries go with their tensors. XNNPACK's cache ignores the shape, so
 * a buffer packed as one shape and used as another would reuse the wrong operator: such a `b` is
 * copied first.
 */
let packed = new WeakMap<object, string>();
let ones = new Float32Array(0);

const view = (x: Info, shape: number[]): Info => ({ dataId: x.dataId, shape, dtype: x.dtype });
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function kernel(name: FastWasmKernel): core.KernelConfig {
  const k = stock.get(name) ?? tfcore.getKernel(name, 'wasm');
  if (!k) throw new Error(`useFastWasmKernels: the wasm backend has no ${name} kernel`);
  return k;
}

function run(name: FastWasmKernel, backend: unknown, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
  return kernel(name).kernelFunc({ inputs, backend: backend as never, attrs: attrs as core.NamedAttrMap }) as Info;
}

/** A block size that divides `n` (rows per block of the two-step transpose), or 0. */
function blockOf(n: number): number {
  for (const b of [64, 48, 32, 16, 8]) if (n % b === 0) return b;
  return 0;
}

/** xᵀ for a 2-D `x`: two cache-friendly 3-D transposes of 64-row (or 64-column) blocks when large, else the stock kernel. */
function transpose2d(backend: WasmBackend, x: Info): Info {
  const [R, C] = x.shape as [number, number];
  const direct = (): Info => run('Transpose', backend, { x }, { perm: [1, 0] });
  if (x.dtype !== 'float32' || R * C < SMALL || Math.min(R, C) < 8) return direct();
  const rows = R >= C;
  const b = blockOf(rows ? R : C);
  if (!b) return direct();
  // rows: [R/b, b, C] → [R/b, C, b] → [C, R/b, b]; columns: [R, C/b, b] → [C/b, R, b] → [C/b, b, R]
  const t1 = rows ? run('Transpose', backend, { x: view(x, [R / b, b, C]) }, { perm: [0, 2, 1] }) : run('Transpose', backend, { x: view(x, [R, C / b, b]) }, { perm: [1, 0, 2] });
  try {
    const t2 = rows ? run('Transpose', backend, { x: view(t1, [R / b, C, b]) }, { perm: [1, 0, 2] }) : run('Transpose', backend, { x: view(t1, [C / b, R, b]) }, { perm: [0, 2, 1] });
    return view(t2, [C, R]);
  } finally {
    backend.disposeData(t1.dataId);
  }
}

const isPacked = (x: Info, shape: readonly number[]): boolean => packed.get(x.dataId) === shape.join(',');

/** a·b through XNNPACK (`a` `[M, K]`, `b` `[K, N]` 2-D views); remembers that `b` is now packed. */
function product(backend: WasmBackend, a: Info, b: Info): Info {
  const key = b.shape.join(',');
  const prev = packed.get(b.dataId);
  const rhs = prev === undefined || prev === key ? b : run('Identity', backend, { x: b }, {});
  try {
    const out = run('BatchMatMul', backend, { a: view(a, [1, ...a.shape]), b: view(rhs, [1, ...b.shape]) }, { transposeA: false, transposeB: false });
    if (rhs === b) packed.set(b.dataId, key);
    return out;
  } finally {
    if (rhs !== b) backend.disposeData(rhs.dataId);
  }
}

const transposeKernel: core.KernelFunc = (args) => {
  const x = (args.inputs as { x: Info }).x;
  const perm = (args.attrs as { perm: number[] }).perm;
  if (x.shape.length === 2 && perm[0] === 1) return transpose2d(args.backend as WasmBackend, x);
  return kernel('Transpose').kernelFunc(args);
};

const batchMatMulKernel: core.KernelFunc = (args) => {
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const { a, b } = args.inputs as { a: Info; b: Info };
  const backend = args.backend as WasmBackend;
  // One matrix each (rank 2, or rank 3 with batch 1): the XNNPACK path. Anything else is batched.
  const matrix = (x: Info): boolean => x.shape.length === 2 || (x.shape.length === 3 && x.shape[0] === 1);
  const single = matrix(a) && matrix(b);
  const outRank = Math.max(a.shape.length, b.shape.length);
  const shaped = (out: Info, M: number, N: number): Info => view(out, outRank === 2 ? [M, N] : [1, M, N]);
  const last2 = (x: Info): Info => view(x, x.shape.slice(-2));
  if (!transposeA && !transposeB) {
    if (!single) return kernel('BatchMatMul').kernelFunc(args);
    const A = last2(a);
    const B = last2(b);
    return shaped(product(backend, A, B), A.shape[0]!, B.shape[1]!);
  }
  const temps: Info[] = [];
  const temp = (x: Info): Info => (temps.push(x), x);
  try {
    if (!single) {
      // Batched (stock path either way): transpose the flagged operands' last two axes, then the plain product.
      const swap = (x: Info): Info => {
        const r = x.shape.length;
        return temp(run('Transpose', backend, { x }, { perm: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] }));
      };
      return run('BatchMatMul', backend, { a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b }, { transposeA: false, transposeB: false });
    }
    const A = last2(a);
    const B = last2(b);
    const [M, K] = transposeA ? [A.shape[1]!, A.shape[0]!] : [A.shape[0]!, A.shape[1]!];
    const N = transposeB ? B.shape[0]! : B.shape[1]!;
    const T = (x: Info): Info => temp(transpose2d(backend, x));
    // 1: op(A)·op(B) with the flagged operands transposed; the right operand is packed unless XNNPACK holds it.
    const direct = TRANSPOSE_COST * ((transposeA ? M * K : 0) + (transposeB ? K * N : 0)) + PACK_COST * (!transposeB && isPacked(B, [K, N]) ? 0 : K * N);
    // 2: (op(B)ᵀ·op(A)ᵀ)ᵀ: the unflagged operands and the [N, M] result transposed; op(A)ᵀ is packed.
    const swapped = TRANSPOSE_COST * ((transposeB ? 0 : K * N) + (transposeA ? 0 : M * K) + M * N) + PACK_COST * (transposeA && isPacked(A, [K, M]) ? 0 : M * K);
    if (direct <= swapped) {
      return shaped(product(backend, transposeA ? T(A) : A, transposeB ? T(B) : B), M, N);
    }
    const outT = temp(product(backend, transposeB ? B : T(B), transposeA ? A : T(A)));
    return shaped(transpose2d(backend, view(outT, [N, M])), M, N);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

const sumKernel: core.KernelFunc = (args) => {
  const x = (args.inputs as { x: Info }).x;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
  const leading = axes.length < rank && axes.every((a, i) => a === i);
  const R = sizeOf(x.shape.slice(0, axes.length));
  const C = sizeOf(x.shape.slice(axes.length));
  if (x.dtype !== 'float32' || !leading || R * C < SMALL || C < 2) return kernel('Sum').kernelFunc(args);
  const backend = args.backend as WasmBackend;
  const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  const flat = view(x, [R, C]);
  if (isPacked(x, [R, C])) {
    // Σ_rows x = 1ᵀ·x: XNNPACK already holds x packed (the dW product of the same layer).
    if (ones.length < R) ones = new Float32Array(R).fill(1);
    const row = backend.makeOutput([1, R], 'float32', undefined, ones.subarray(0, R));
    try {
      return view(product(backend, row, flat), outShape);
    } finally {
      backend.disposeData(row.dataId);
    }
  }
  const xt = transpose2d(backend, flat);
  try {
    return view(run('Sum', backend, { x: xt }, { axis: [1], keepDims: false }), outShape);
  } finally {
    backend.disposeData(xt.dataId);
  }
};

const identityKernel: core.KernelFunc = (args) => {
  const x = (args.inputs as { x: Info }).x;
  if (x.dtype === 'string') return kernel('Identity').kernelFunc(args);
  (args.backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

const REPLACEMENTS: Record<FastWasmKernel, core.KernelFunc> = {
  BatchMatMul: batchMatMulKernel,
  Transpose: transposeKernel,
  Sum: sumKernel,
  Identity: identityKernel,
};

/**
 * Registers the faster wasm kernels described in this file's header over the stock ones
 * (process-wide: every wasm op of every model in the process uses them). Idempotent; a no-op
 * returning false when the wasm backend is not registered. Same results as the stock kernels up
 * to summation order in the last bits. Undo with {@link useStockWasmKernels}.
 *
 * @example
 * await initTf({ backend: 'wasm' });
 * useFastWasmKernels(); // the backward pass of a dense layer: ~3× faster at a batch of 16384
 */
export function useFastWasmKernels(opts: FastWasmKernelOptions = {}): boolean {
  const want = opts.kernels ?? FAST_WASM_KERNELS;
  for (const name of want) if (!(name in REPLACEMENTS)) throw new RangeError(`useFastWasmKernels: unknown kernel ${JSON.stringify(name)}; expected one of ${FAST_WASM_KERNELS.join(', ')}`);
  if (!FAST_WASM_KERNELS.every((name) => stock.has(name) || tfcore.getKernel(name, 'wasm'))) return false;
  for (const name of FAST_WASM_KERNELS) {
    if (!want.includes(name) || stock.has(name)) continue;
    const orig = tfcore.getKernel(name, 'wasm')!;
    stock.set(name, orig);
    tfcore.unregisterKernel(name, 'wasm');
    tfcore.registerKernel({ ...orig, kernelFunc: REPLACEMENTS[name] });
  }
  return true;
}

/** Puts tfjs's own wasm kernels back (for measuring against them). */
export function useStockWasmKernels(): void {
  for (const [name, orig] of stock) {
    tfcore.unregisterKernel(name, 'wasm');
    tfcore.registerKernel(orig);
  }
  stock.clear();
  packed = new WeakMap();
}

/** The kernels currently replaced. */
export function fastWasmKernels(): FastWasmKernel[] {
  return FAST_WASM_KERNELS.filter((k) => stock.has(k));
}

/**
 * The previous name of {@link useFastWasmKernels} (it replaced BatchMatMul alone): installs them
 * all. Returns true when active.
 */
export function useFastWasmMatMul(): boolean {
  return useFastWasmKernels();
}
