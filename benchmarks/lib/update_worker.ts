/**
 * The second thread of `rl bench update`'s two-thread prototype: it holds a copy of the policy
 * (wasm, the fast kernels) and, each time the learner posts a half batch, computes that half's
 * gradient with the same `policyGradient` the trainer calls and writes it back. Shared memory
 * in (weights, observations, actions, advantages) and out (∇θJ, loss, entropy); `Atomics` to
 * hand over. See `TwoThreadGradient` in ../update.ts.
 */
import { workerData } from 'node:worker_threads';
import { Box, Discrete } from '@rl/env';
import { createPolicy } from '@rl/policy';
import type { RolloutBatch } from '@rl/runner';
import { initTf, tf, useFastWasmKernels } from '@rl/tf';
import { policyGradient, type BatchData } from '@rl/trainer';
import { CTL, type UpdateWorkerInit } from './update_protocol.js';

const init = workerData as UpdateWorkerInit;
const ctl = new Int32Array(init.ctl);
try {
  await initTf({ backend: 'wasm' });
  useFastWasmKernels();
  const policy = createPolicy(new Box(-Infinity, Infinity, [init.obsDim]), new Discrete(init.actions), { hidden: init.hidden, activation: 'tanh', seed: 1 });
  const shapes = policy.weightShapes;
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads);
  const data = new Float32Array(init.data);
  const m = init.maxHalf;
  Atomics.store(ctl, 0, CTL.Idle);
  Atomics.notify(ctl, 0);
  for (;;) {
    Atomics.wait(ctl, 0, CTL.Idle);
    if (Atomics.load(ctl, 0) === CTL.Exit) break;
    const steps = Atomics.load(ctl, 1);
    const envs = Atomics.load(ctl, 2);
    const n = steps * envs;
    let o = 0;
    policy.setWeights(shapes.map((s) => weights.subarray(o, (o += s.reduce((a, b) => a * b, 1)))));
    const obs = tf.tensor3d(data.subarray(0, n * init.obsDim), [steps, envs, init.obsDim]);
    const actions = tf.tensor2d(Int32Array.from(data.subarray(m * init.obsDim, m * init.obsDim + n)), [steps, envs], 'int32');
    const ones = tf.ones([steps, envs]) as tf.Tensor2D;
    const none = tf.zeros([steps, envs]) as tf.Tensor2D;
    const last = tf.zeros([envs, init.obsDim]) as tf.Tensor2D;
    // only obs, actions and mask are read when the advantages and the read-back are given
    const batch: RolloutBatch = { obs, actions, rewards: none, terminated: none, truncated: none, finalObs: obs, lastObs: last, mask: ones, episodeReturns: [], episodeLengths: [], episodeEnds: [], numSteps: n, steps, numEnvs: envs, dispose: () => undefined };
    const zeros = new Float32Array(n);
    const batchData: BatchData = { steps, numEnvs: envs, rewards: zeros, terminated: zeros, truncated: zeros, mask: new Float32Array(n).fill(1) };
    const pg = policyGradient(policy, batch, { advantages: data.subarray(m * (init.obsDim + 1), m * (init.obsDim + 1) + n), data: batchData });
    let g = 0;
    for (const t of pg.gradJ) {
      const v = t.dataSync() as Float32Array;
      grads.set(v, g);
      g += v.length;
    }
    grads[g] = pg.loss.dataSync()[0]!;
    grads[g + 1] = pg.entropy.dataSync()[0]!;
    pg.dispose();
    tf.dispose([obs, actions, ones, none, last]);
    Atomics.store(ctl, 0, CTL.Idle);
    Atomics.notify(ctl, 0);
  }
  policy.dispose();
} catch (e) {
  console.error(e);
  Atomics.store(ctl, 0, CTL.Failed);
  Atomics.notify(ctl, 0);
}
