/**
 * {@link memoryLimits} in a browser: the page knows little of the machine's memory, so only
 * the limits it can see are set (Chromium's JS heap limit, the wasm backend's 4 GiB, the longest
 * typed array); the rest is undefined and not checked.
 */
import { MAX_ARRAY_ELEMENTS, WASM_MEMORY_LIMIT, type MemoryLimits } from './memory_limits.js';

export type { MemoryLimits };
export { MAX_ARRAY_ELEMENTS, WASM_MEMORY_LIMIT };

/** The limits a page can see for a run on `backend`. */
export function memoryLimits(backend?: string): MemoryLimits {
  const mem = (globalThis as { performance?: { memory?: { jsHeapSizeLimit?: number; usedJSHeapSize?: number } } }).performance?.memory;
  return {
    availableBytes: undefined,
    totalBytes: undefined,
    heapAvailableBytes: mem?.jsHeapSizeLimit !== undefined ? mem.jsHeapSizeLimit - (mem.usedJSHeapSize ?? 0) : undefined,
    maxArrayElements: MAX_ARRAY_ELEMENTS,
    tensorLimitBytes: backend === 'wasm' ? WASM_MEMORY_LIMIT : undefined,
    tensorsInHostMemory: backend === 'wasm' || backend === 'cpu',
  };
}
