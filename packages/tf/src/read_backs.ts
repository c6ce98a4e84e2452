/**
 * Counting host/device crossings: how many times values were read back to JavaScript. Works on
 * every backend (and in a browser); on WebGPU in Node the GPU buffer maps themselves are also
 * counted, which includes reads that kernels make internally.
 */
import { tfcore } from './bound_tf.js';

let deviceReads = 0;

/** The tfjs engine of this process; each entry of @rl/tf (Node, browser) binds its own tfjs at load. */
let engineOf: () => unknown = () => {
  throw new Error('countReadBacks: @rl/tf has not bound a tfjs engine (import @rl/tf, not this file)');
};

/** Called once by each entry (backend.ts, browser.ts) with its tfjs `engine` getter. */
export function bindReadBackEngine(engine: () => unknown): void {
  engineOf = engine;
}

/** Called by the Node WebGPU backend each time it maps a GPU buffer to read it (synchronously or not). */
export function noteDeviceRead(): void {
  deviceReads++;
}

/** GPU buffer reads the Node WebGPU backend has made in this process so far (0 on other backends). */
export function deviceReadCount(): number {
  return deviceReads;
}

/** What {@link countReadBacks} returns. */
export interface ReadBackCount<T> {
  /** `fn`'s return value. */
  readonly result: T;
  /** Reads through the engine (`dataSync`, `data`, `arraySync`, `array`, `bufferSync`, `buffer` all end in one). */
  readonly reads: number;
  /** GPU buffers mapped for reading meanwhile (WebGPU in Node; 0 elsewhere). */
  readonly deviceReads: number;
}

/**
 * Runs `fn` and counts the read-backs it makes: engine reads (every `dataSync`/`data`/… of a
 * tensor is one) and, on WebGPU in Node, GPU buffer maps.
 *
 * @example
 * const { result: batch, reads } = countReadBacks(() => runner.rollout(32)); // reads === 1 for a tensor-native env
 */
export function countReadBacks<T>(fn: () => T): ReadBackCount<T> {
  const engine = tfcore.engine() as unknown as Record<'readSync' | 'read', (...a: unknown[]) => unknown>;
  const saved = { readSync: engine.readSync, read: engine.read };
  const own = { readSync: Object.prototype.hasOwnProperty.call(engine, 'readSync'), read: Object.prototype.hasOwnProperty.call(engine, 'read') };
  let reads = 0;
  for (const k of ['readSync', 'read'] as const) {
    const orig = saved[k];
    engine[k] = function (this: unknown, ...a: unknown[]) {
      reads++;
      return orig.apply(this, a);
    };
  }
  const device0 = deviceReads;
  try {
    const result = fn();
    return { result, reads, deviceReads: deviceReads - device0 };
  } finally {
    for (const k of ['readSync', 'read'] as const) {
      if (own[k]) engine[k] = saved[k];
      else delete (engine as Partial<typeof engine>)[k];
    }
  }
}
