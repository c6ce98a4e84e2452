'use strict';
/**
 * TensorFlow.js for @rl/tf's Node entry (types: `tfjs.d.cts`; the browser's is
 * `tfjs.browser.ts`): tfjs-core and tfjs-layers in one namespace, as the `@tensorflow/tfjs`
 * umbrella gives them, with the cpu and wasm backends registered (the wasm package as
 * `tf.wasm`, as in tfjs's script-tag builds), the Tensor methods (`chained-ops.cjs`), and tfjs's
 * Node banner off. Without the umbrella's converter, data and WebGL packages.
 *
 * - CommonJS, loaded by `import tf from './tfjs.cjs'`: Node's ESM loader runs cjs-module-lexer
 *   over every CommonJS module that ESM imports, following re-exports, to list their names.
 *   Over tfjs's bundles (tf-core.node.js 1.2 MB, tf-layers.node.js 1.4 MB, …) that was ~250 ms
 *   of `rl train`'s start-up (measured: `import` of core + cpu + layers 330–720 ms, `require`
 *   76–116 ms). This file's `module.exports = tf` gives the lexer nothing to follow.
 * - The banner ("Hi, looks like you are running TensorFlow.js in Node.js…") is printed by the
 *   cpu backend (`MathBackendCPU.write`) on its first tensor when `env().get('IS_NODE')`,
 *   unless tfjs's `PROD` or `IS_TEST` flag is set. Those flags also silence tfjs's other
 *   warnings (a backend failing to initialise, a kernel registered twice), and `IS_TEST` turns
 *   on per-kernel leak checks; so the cpu backend is registered again instead, same name and
 *   priority, its instances made past that first use.
 */
const core = require('@tensorflow/tfjs-core');
const layers = require('@tensorflow/tfjs-layers');
const cpu = require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const { registerChainedOps } = require('./chained-ops.cjs');

registerChainedOps();
core.removeBackend('cpu');
core.registerBackend('cpu', () => Object.assign(new cpu.MathBackendCPU(), { firstUse: false }), 1);

const tf = {};
// Live bindings, as the umbrella's own Node bundle re-exports its parts.
for (const part of [core, layers]) {
  for (const name of Object.keys(part)) {
    if (name !== 'default' && !(name in tf)) Object.defineProperty(tf, name, { enumerable: true, get: () => part[name] });
  }
}
tf.wasm = wasm;
tf.version = Object.freeze({
  'tfjs-core': core.version_core,
  'tfjs-layers': layers.version_layers,
  'tfjs-backend-cpu': cpu.version_cpu,
  'tfjs-backend-wasm': wasm.version_wasm,
  tfjs: core.version_core,
});

module.exports = tf;
