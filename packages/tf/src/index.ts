/**
 * `@rl/tf`: the one place that loads TensorFlow.js. Import `tf` from here, never from
 * `@tensorflow/*` directly, so the whole framework shares one tfjs instance and backend.
 */
export { tf, initTf, backendInfo, localWasmDir, BACKENDS, BackendUnavailableError } from './backend.js';
export type { BackendName, BackendInfo, InitTfOptions } from './backend.js';
export { useFastWasmKernels, useStockWasmKernels, fastWasmKernels, useFastWasmMatMul, FAST_WASM_KERNELS } from './wasm_kernels.js';
export type { FastWasmKernel, FastWasmKernelOptions } from './wasm_kernels.js';
