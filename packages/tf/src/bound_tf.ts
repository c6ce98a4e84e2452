/**
 * The tfjs-core namespace of the entry that loaded @rl/tf — `tfjs.cjs` in Node (required, so
 * Node does not scan tfjs's CommonJS bundles for ESM exports), `tfjs.browser.ts` in a browser.
 * Modules shared by both entries (read-back counting, the wasm kernels) take tfjs from here
 * instead of importing a tfjs package themselves, so there is one tfjs instance either way.
 */
import type * as core from '@tensorflow/tfjs-core';

/** What the shared modules use of tfjs-core. */
export type BoundTf = Pick<typeof core, 'engine' | 'getKernel' | 'registerKernel' | 'unregisterKernel' | 'tanh'>;

/** The bound tfjs-core namespace (set by the entry before anything else runs). */
export let tfcore: BoundTf;

/** Called once by each entry (backend.ts in Node, browser.ts in a browser) with its tfjs. */
export function bindTf(tf: BoundTf): void {
  tfcore = tf;
}
