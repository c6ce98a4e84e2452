/** What a run may allocate, the record `memoryLimits` returns in Node and in a browser (no Node built-ins here). */

/** What {@link memoryLimits} reports; a field is undefined where it is not known. */
export interface MemoryLimits {
  /** Memory the OS can still give (Linux: MemAvailable), or the cgroup's limit when that is lower. */
  readonly availableBytes: number | undefined;
  /** The machine's memory (or the cgroup's limit). */
  readonly totalBytes: number | undefined;
  /** What V8's heap can still grow by (its limit minus what is in use): plain JS objects and arrays. */
  readonly heapAvailableBytes: number | undefined;
  /** Elements of the longest typed array V8 allocates (Float32Array, …). */
  readonly maxArrayElements: number;
  /** Bytes all tensors of the backend may take together: the wasm backend's linear memory; undefined where the machine's memory (or a GPU's, unknown here) is the bound. */
  readonly tensorLimitBytes: number | undefined;
  /** Whether the backend's tensors live in the process's own memory (wasm, cpu, tensorflow) rather than a GPU's. */
  readonly tensorsInHostMemory: boolean;
}

/** tfjs-backend-wasm 4.22's Emscripten heap maximum (`getHeapMax()` in its module: 4 GiB − 64 KiB, wasm32). */
export const WASM_MEMORY_LIMIT = 4_294_901_760;
/** The longest typed array of Node 20's V8 (`new Float32Array(2 ** 32 + 1)` throws "Invalid typed array length"). */
export const MAX_ARRAY_ELEMENTS = 2 ** 32;
