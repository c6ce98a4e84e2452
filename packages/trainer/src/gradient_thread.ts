/**
 * One gradient thread of `createGradientThreads` (gradient_threads.ts): its own tfjs backend
 * (the learner's, with the learner's wasm kernels) and a policy of the learner's architecture.
 * Per message it loads the learner's θ and observation statistics from the message, computes
 * {@link surrogateGradient} over its part of the batch, and writes the part's ∇θJ, loss and
 * entropy into shared memory. Not a public module.
 */
import { spaceFromJSON } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { serveThread } from '@rl/runner';
import { initTf, tf, useFastWasmKernels, useStockWasmKernels } from '@rl/tf';
import type { GradientMessage, GradientThreadInit, SharedPart } from './gradient_threads.js';
import { surrogateGradient } from './reinforce.js';

async function start(init: GradientThreadInit): Promise<Policy> {
  await initTf({ backend: init.backend });
  if (init.backend === 'wasm') {
    useStockWasmKernels();
    if (init.wasmKernels.length) useFastWasmKernels({ kernels: init.wasmKernels });
  }
  return createPolicy(spaceFromJSON(init.observationSpace), spaceFromJSON(init.actionSpace), { hidden: init.hidden, activation: init.activation, fastPath: init.fastPath });
}

const f32 = (p: SharedPart): Float32Array => new Float32Array(p.buffer, 4 * p.offset, p.length);

serveThread<GradientThreadInit, Policy, GradientMessage>(
  ({ data }) => start(data),
  (policy, msg, { thread, data }) => {
    const shapes = policy.weightShapes;
    const all = new Float32Array(data.weights);
    let off = 0;
    policy.setWeights(shapes.map((s) => all.subarray(off, (off += s.reduce((a, b) => a * b, 1)))));
    policy.obsNorm = msg.obsNorm;
    const { steps: T, numEnvs: N } = msg;
    const part = tf.tidy(() => ({
      obs: tf.tensor3d(f32(msg.obs), [T, N, msg.obsDim]),
      actions: msg.discrete ? tf.tensor2d(new Int32Array(msg.actions.buffer, 4 * msg.actions.offset, msg.actions.length), [T, N], 'int32') : tf.tensor3d(f32(msg.actions), [T, N, msg.actionDim]),
      mask: tf.tensor2d(f32(msg.mask), [T, N]),
    }));
    try {
      const g = surrogateGradient(policy, { ...part, steps: T, numEnvs: N }, f32(msg.advantages), msg.entCoef);
      try {
        const out = new Float32Array(data.grads, 4 * thread * data.gradLength, data.gradLength);
        let o = 0;
        for (const t of g.gradJ) {
          const v = t.dataSync() as Float32Array;
          out.set(v, o);
          o += v.length;
        }
        const scalars = tf.tidy(() => tf.stack([g.loss, g.entropy]).dataSync());
        const s = new Float64Array(data.scalars, 8 * 2 * thread, 2);
        s[0] = scalars[0]!;
        s[1] = scalars[1]!;
      } finally {
        g.dispose();
      }
    } finally {
      tf.dispose([part.obs, part.actions, part.mask]);
    }
  },
);
