import { describe, expect, it } from 'vitest';
import { makeVec } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { createRunner, createWorkerRunner } from '@rl/runner';
import { initTf, tf, useFastWasmKernels } from '@rl/tf';
import { AUTO_UPDATE_MIN_BATCH } from './config.js';
import { createGradientThreads, updateParts } from './gradient_threads.js';
import { policyGradient, type PolicyGradientOptions } from './reinforce.js';
import { createTrainer } from './trainer.js';

/**
 * ‖a − b‖ / ‖b‖ over the flat parameter vector (every variable's gradient end to end), and the
 * worst of the same per variable. Float32 sums of the same terms in another order differ by
 * rounding: over the whole vector that is ~1e-7; a tiny variable made of cancelling terms (the
 * output bias: its two entries are ±the same sum) has its own noise floor, ~1e-5 here even
 * between wasm and cpu running one thread each.
 */
function relDiff(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): { flat: number; worstVariable: number } {
  let dd = 0;
  let mm = 0;
  let worst = 0;
  b.forEach((ref, i) => {
    const x = a[i]!.dataSync();
    const y = ref.dataSync();
    let d = 0;
    let m = 0;
    for (let j = 0; j < y.length; j++) {
      d += (x[j]! - y[j]!) ** 2;
      m += y[j]! ** 2;
    }
    dd += d;
    mm += m;
    worst = Math.max(worst, Math.sqrt(d / Math.max(m, 1e-60)));
  });
  return { flat: Math.sqrt(dd / mm), worstVariable: worst };
}

function rollout(envId: string, policy: Policy, n: number, steps: number, seed: number) {
  const runner = createRunner(policy, makeVec(envId, n, { seed, ...(envId === 'Pendulum-v1' ? { maxEpisodeSteps: 20 } : {}) }), { seed });
  return runner.rollout(steps);
}

describe('createGradientThreads: ∇θJ in parts on threads', () => {
  it.each([
    { backend: 'wasm' as const, envId: 'CartPole-v1', parts: 2 },
    { backend: 'cpu' as const, envId: 'CartPole-v1', parts: 3 },
    { backend: 'cpu' as const, envId: 'Pendulum-v1', parts: 2 },
  ])('$backend $envId, $parts parts: the same batch gives policyGradient\'s gradient, loss and entropy within 1e-5 relative; no tensor left', async ({ backend, envId, parts }) => {
    await initTf({ backend });
    if (backend === 'wasm') useFastWasmKernels();
    const probe = makeVec(envId, 1);
    const policy = createPolicy(probe.singleObservationSpace, probe.singleActionSpace, { seed: 4 });
    const threads = createGradientThreads(policy, { parts });
    try {
      await threads.ready();
      // a real rollout (episodes end inside it), T = 31 rows: parts of unequal length
      const batch = rollout(envId, policy, 8, 31, 3);
      const before = tf.memory().numTensors; // after the first act (the fast path's derived weights exist from then on), before any tensor of the batch was read
      const cases: PolicyGradientOptions[] = [
        { returnEstimator: 'rewardToGo', gamma: 0.99, baseline: 20, normalizeAdvantages: true, entCoef: 0.01 },
        { returnEstimator: 'totalReturn', gamma: 1, normalizeAdvantages: false },
      ];
      for (const opts of cases) {
        const ref = policyGradient(policy, batch, opts);
        const got = threads.gradient(policy, batch, opts);
        const diff = relDiff(got.gradJ, ref.gradJ);
        expect(diff.flat).toBeLessThan(1e-5);
        expect(diff.worstVariable).toBeLessThan(1e-4);
        const [l1, e1, n1] = [got.loss, got.entropy, got.gradNorm].map((t) => t.dataSync()[0]!) as [number, number, number];
        const [l0, e0, n0] = [ref.loss, ref.entropy, ref.gradNorm].map((t) => t.dataSync()[0]!) as [number, number, number];
        expect(n0).toBeGreaterThan(0);
        expect(Math.abs(l1 - l0)).toBeLessThan(1e-5 * Math.max(1, Math.abs(l0)));
        expect(Math.abs(e1 - e0)).toBeLessThan(1e-5 * Math.abs(e0));
        expect(Math.abs(n1 - n0)).toBeLessThan(1e-5 * n0);
        expect(Array.from(got.advantages)).toEqual(Array.from(ref.advantages));
        ref.dispose();
        got.dispose();
      }
      batch.dispose(); // frees the tensors the batch made from its host arrays when the gradients first read them
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await threads.close();
      policy.dispose();
    }
  }, 60_000);

  it('a batch from rollout workers (its arrays already in shared memory) gives the same gradient', async () => {
    await initTf({ backend: 'cpu' });
    const probe = makeVec('CartPole-v1', 1);
    const policy = createPolicy(probe.singleObservationSpace, probe.singleActionSpace, { seed: 6 });
    const runner = createWorkerRunner(policy, { envId: 'CartPole-v1', numEnvs: 6, workers: 2, seed: 2 });
    const threads = createGradientThreads(policy, { parts: 2 });
    try {
      await Promise.all([runner.ready(), threads.ready()]);
      const batch = runner.rollout(20);
      expect(batch.host!.obs.buffer).toBeInstanceOf(SharedArrayBuffer);
      const opts = { gamma: 0.99, normalizeAdvantages: true };
      const ref = policyGradient(policy, batch, opts);
      const got = threads.gradient(policy, batch, opts);
      expect(relDiff(got.gradJ, ref.gradJ).flat).toBeLessThan(1e-5);
      ref.dispose();
      got.dispose();
      await threads.close();
      expect(() => threads.gradient(policy, batch, opts)).toThrow(/createGradientThreads: the gradient threads were closed/);
      batch.dispose();
    } finally {
      await Promise.all([threads.close(), runner.close()]);
      policy.dispose();
    }
  }, 60_000);

  it('updateParts: auto uses every core from AUTO_UPDATE_MIN_BATCH samples (steps mode, wasm/cpu); k as given; k > 1 refused on a GPU', () => {
    const cfg = { updateWorkers: 'auto' as const, mode: 'steps' as const, numEnvs: AUTO_UPDATE_MIN_BATCH / 64, stepsPerIter: 64 };
    expect(updateParts(cfg, 'wasm', 2)).toBe(2);
    expect(updateParts(cfg, 'cpu', 4)).toBe(4);
    expect(updateParts({ ...cfg, stepsPerIter: 63 }, 'wasm', 2)).toBe(1);
    expect(updateParts(cfg, 'wasm', 1)).toBe(1);
    expect(updateParts({ ...cfg, mode: 'episodes' }, 'wasm', 2)).toBe(1);
    expect(updateParts(cfg, 'webgpu', 2)).toBe(1);
    expect(updateParts({ ...cfg, updateWorkers: 3, numEnvs: 1 }, 'wasm', 2)).toBe(3);
    expect(() => updateParts({ ...cfg, updateWorkers: 2 }, 'tensorflow', 2)).toThrow(/updateWorkers = 2: .*wasm or cpu backend only, this run uses tensorflow/);
  });
});

describe('trainer: updateWorkers', () => {
  it('a seeded run with updateWorkers 2 follows the one-thread run within float rounding, iteration by iteration', async () => {
    const cfg = { env: 'CartPole-v1', seed: 3, numEnvs: 8, stepsPerIter: 32, backend: 'wasm', logLevel: 'silent', lr: 1e-2, entCoef: 0.01 } as const;
    const one = await createTrainer({ ...cfg, updateWorkers: 1 });
    const two = await createTrainer({ ...cfg, updateWorkers: 2 });
    try {
      expect((two as unknown as { learner: { gradient?: unknown } }).learner.gradient).toBeTypeOf('function');
      expect((one as unknown as { learner: { gradient?: unknown } }).learner.gradient).toBeUndefined();
      for (let i = 0; i < 4; i++) {
        const a = one.step();
        const b = two.step();
        expect(b.envSteps).toBe(a.envSteps);
        expect(b.loss).toBeCloseTo(a.loss, 4);
        expect(b.entropy).toBeCloseTo(a.entropy, 5);
        expect(Math.abs(b.gradNorm - a.gradNorm)).toBeLessThan(1e-4 * a.gradNorm);
        const wa = one.policy.getWeights();
        const wb = two.policy.getWeights();
        const d = Math.max(...wa.map((w, k) => Math.max(...w.map((v, j) => Math.abs(v - wb[k]![j]!)))));
        expect(d).toBeLessThan(1e-5);
      }
      const tensors = tf.memory().numTensors;
      two.step();
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      one.dispose();
      two.dispose();
    }
  }, 60_000);

  it('auto stays in one thread for a small batch; a bad value names the field', async () => {
    const t = await createTrainer({ env: 'CartPole-v1', numEnvs: 4, stepsPerIter: 8, backend: 'cpu', logLevel: 'silent' });
    try {
      expect(t.config.updateWorkers).toBe('auto');
      expect((t as unknown as { learner: { gradient?: unknown } }).learner.gradient).toBeUndefined();
    } finally {
      t.dispose();
    }
    await expect(createTrainer({ updateWorkers: 0 as number })).rejects.toThrow(/updateWorkers = 0: /);
  });
});
