/** The wasm kernel work lives in @rl/tf (`useFastWasmKernels`); this keeps the trainer's old import path. */
export { useFastWasmMatMul } from '@rl/tf';
