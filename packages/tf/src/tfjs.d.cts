/**
 * Types of `tfjs.cjs`: the `tf` namespace of @rl/tf's Node entry — tfjs-core, tfjs-layers, the
 * Tensor methods, the wasm backend as `tf.wasm`, and `tf.version`.
 */
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * as wasm from '@tensorflow/tfjs-backend-wasm';

/** Versions of the tfjs packages loaded (all pinned to one release; `tfjs` is that release, as in the umbrella). */
export declare const version: {
  readonly 'tfjs-core': string;
  readonly 'tfjs-layers': string;
  readonly 'tfjs-backend-cpu': string;
  readonly 'tfjs-backend-wasm': string;
  readonly tfjs: string;
};
