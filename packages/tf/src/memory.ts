/**
 * How much memory this process can give a run (Node): what the machine has available, V8's
 * heap limit (plain JS objects and arrays live there), the longest typed array, and what a
 * backend's tensors may take in all. The trainer and the server compare their estimates with
 * it before they allocate (`@rl/trainer`'s `checkRunMemory`, `@rl/serve`'s limits).
 */
import { freemem, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { MAX_ARRAY_ELEMENTS, WASM_MEMORY_LIMIT, type MemoryLimits } from './memory_limits.js';

export type { MemoryLimits };
export { MAX_ARRAY_ELEMENTS, WASM_MEMORY_LIMIT };


/**
 * The limits for a run on `backend` (a tfjs backend name such as `wasm`, or undefined when not
 * chosen yet: then no tensor limit, tensors counted as host memory).
 *
 * @example
 * memoryLimits('wasm').tensorLimitBytes; // 4294901760
 */
export function memoryLimits(backend?: string): MemoryLimits {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const cap = (n: number): number => (constrained && constrained > 0 ? Math.min(n, constrained) : n);
  const heap = getHeapStatistics();
  return {
    availableBytes: cap(freemem()),
    totalBytes: cap(totalmem()),
    heapAvailableBytes: heap.heap_size_limit - heap.used_heap_size,
    maxArrayElements: MAX_ARRAY_ELEMENTS,
    tensorLimitBytes: backend === 'wasm' ? WASM_MEMORY_LIMIT : undefined,
    tensorsInHostMemory: backend !== 'webgpu' && backend !== 'webgl' && backend !== 'tensorflow-gpu',
  };
}
