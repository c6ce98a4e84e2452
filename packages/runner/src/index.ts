/**
 * `@rl/runner`: batched rollouts as tensors, tensor-native envs, and (Node only) the
 * worker-thread runner. The browser entry (`index.browser.ts`) is everything but the workers.
 */
export * from './index.browser.js';
export * from './workers/index.js';
