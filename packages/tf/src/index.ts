/**
 * `@rl/tf`: the one place that loads TensorFlow.js. Import `tf` from here, never from
 * `@tensorflow/*` directly, so the whole framework shares one tfjs instance and backend.
 */
export { tf, initTf, backendInfo, localWasmDir, BACKENDS, AUTO_ORDER, BackendUnavailableError } from './backend.js';
export type { BackendName, BackendInfo, InitTfOptions } from './backend.js';
export type { BackendUnavailableDetails } from './errors.js';
/** WebGPU in Node (Dawn): the adapters it sees, the package version it is tested with. */
export { listWebgpuAdapters, gpuApi, installedWebgpuVersion, WEBGPU_PACKAGE_VERSION } from './webgpu_node.js';
export type { WebgpuAdapter, GpuApi } from './webgpu_node.js';
/** SwiftShader (a CPU Vulkan driver from Chromium) as a WebGPU adapter, for correctness checks. */
export { swiftShaderIcd, useSwiftShader } from './swiftshader.js';
/** What the machine offers a GPU backend: shared libraries, GPU device nodes, containers. */
export { findSharedLibrary, gpuDeviceNodes, inContainer } from './system.js';
/** Counting read-backs (engine reads; GPU buffer maps on WebGPU in Node). */
export { countReadBacks, deviceReadCount } from './read_backs.js';
export type { ReadBackCount } from './read_backs.js';
export { useFastWasmKernels, useStockWasmKernels, fastWasmKernels, useFastWasmMatMul, FAST_WASM_KERNELS } from './wasm_kernels.js';
export type { FastWasmKernel, FastWasmKernelOptions } from './wasm_kernels.js';
/** What this process can allocate: available memory, V8's heap, the longest typed array, a backend's tensor limit. */
export { memoryLimits, WASM_MEMORY_LIMIT, MAX_ARRAY_ELEMENTS } from './memory.js';
export type { MemoryLimits } from './memory.js';
