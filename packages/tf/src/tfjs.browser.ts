/**
 * The `tf` namespace of @rl/tf in a browser (the Node side is `tfjs.cts`): tfjs-core and
 * tfjs-layers, their gradients and Tensor methods, the cpu and WebGL backends (WebGPU is
 * imported by `browser.ts`), the wasm backend as `tf.wasm`, and `tf.version` — what the
 * `@tensorflow/tfjs` umbrella gave, without its converter and data packages.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_webgl } from '@tensorflow/tfjs-backend-webgl';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * as wasm from '@tensorflow/tfjs-backend-wasm';

/** Versions of the tfjs packages loaded (all pinned to one release; `tfjs` is that release, as in the umbrella). */
export const version = {
  'tfjs-core': version_core,
  'tfjs-layers': version_layers,
  'tfjs-backend-cpu': version_cpu,
  'tfjs-backend-webgl': version_webgl,
  'tfjs-backend-wasm': version_wasm,
  tfjs: version_core,
} as const;
