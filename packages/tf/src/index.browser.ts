/**
 * `@rl/tf` in a browser (the `browser` export condition): the same names as the Node entry —
 * `tf`, `initTf`, `backendInfo`, `BACKENDS`, `BackendUnavailableError` — with the browser's
 * backends (webgpu, webgl, wasm, cpu) and no Node built-ins. `localWasmDir` (a file path into
 * node_modules) is Node-only; pass `wasmPaths` to `initTf` instead.
 */
export {
  tf,
  initTf,
  backendInfo,
  BROWSER_BACKENDS as BACKENDS,
  BROWSER_BACKENDS,
  BrowserBackendUnavailableError as BackendUnavailableError,
  BrowserBackendUnavailableError,
} from './browser.js';
export type {
  BrowserBackendName as BackendName,
  BrowserBackendInfo as BackendInfo,
  BrowserInitTfOptions as InitTfOptions,
  BrowserBackendName,
  BrowserBackendInfo,
  BrowserInitTfOptions,
  WasmPaths,
} from './browser.js';
/** Counting read-backs (engine reads), the same as the Node entry's. */
export { countReadBacks, deviceReadCount } from './read_backs.js';
export type { ReadBackCount } from './read_backs.js';
export { useFastWasmKernels, useStockWasmKernels, fastWasmKernels, useFastWasmMatMul, FAST_WASM_KERNELS } from './wasm_kernels.js';
export type { FastWasmKernel, FastWasmKernelOptions } from './wasm_kernels.js';
/** What this page can allocate (the limits a browser shows: JS heap, the wasm backend's memory, typed arrays). */
export { memoryLimits, WASM_MEMORY_LIMIT, MAX_ARRAY_ELEMENTS } from './memory.browser.js';
export type { MemoryLimits } from './memory.browser.js';
