/**
 * Training on WebGPU in Node (Dawn, on Chromium's SwiftShader adapter — a CPU implementation of
 * Vulkan: correct, never fast): a seeded 5-iteration run equals the same run on cpu within float
 * tolerance (JS envs and tensor-native envs, with and without a learned baseline); no tensor
 * is left behind per iteration; a checkpoint state resumes on webgpu exactly; evaluation runs.
 */
import { initTf, tf, useSwiftShader } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, type IterationMetrics } from './trainer.js';
import type { TrainConfig } from './config.js';

type Numbers = Omit<IterationMetrics, 'stepsPerSec' | 'rolloutSeconds' | 'updateSeconds'>;

async function run(backend: 'cpu' | 'webgpu', cfg: Partial<TrainConfig>, iterations: number): Promise<{ metrics: Numbers[]; weights: Float32Array[]; tensors: number[] }> {
  await initTf({ backend });
  const trainer = await createTrainer({ env: 'CartPole-v1', seed: 7, numEnvs: 8, stepsPerIter: 16, hidden: [32, 32], lr: 1e-2, logLevel: 'silent', evalEpisodes: 0, backend, ...cfg });
  const metrics: Numbers[] = [];
  const tensors: number[] = [];
  for (let k = 0; k < iterations; k++) {
    const { stepsPerSec: _wall, rolloutSeconds: _r, updateSeconds: _u, ...m } = trainer.step();
    metrics.push(m);
    tensors.push(tf.memory().numTensors);
  }
  const weights = trainer.policy.getWeights();
  trainer.dispose();
  return { metrics, weights, tensors };
}

function expectNear(got: number, want: number, tol: number, what: string): void {
  if (Number.isNaN(want)) expect(got, what).toBeNaN();
  else expect(Math.abs(got - want), `${what}: webgpu ${got} vs cpu ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
}

describe('training on webgpu (SwiftShader) equals cpu', () => {
  beforeAll(() => {
    useSwiftShader(); // fails saying what to install when Chromium's SwiftShader is absent
  });
  afterAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  // JS envs: the physics runs in JS on both, only πθ, V and the update run on the GPU: float32
  // rounding apart, the same numbers (measured: ≤ 2e-6 relative). Tensor-native envs: the physics
  // runs on the GPU too, and WGSL's sin/cos are only specified to 2^-11 absolute error (GPUs use
  // fast approximations; SwiftShader does too), so the trajectories drift by ~1e-5 and the
  // metrics by up to ~1e-3 relative (measured) while every action, termination and count agrees.
  const cases: [string, Partial<TrainConfig>, number][] = [
    ['JS envs (native), GAE with a learned V', { envVectorization: 'native', baseline: 'gae' }, 1e-4],
    ['tensor-native envs, mean baseline', { envVectorization: 'tensor' }, 5e-3],
  ];
  for (const [name, cfg, tol] of cases) {
    it(`${name}: 5 seeded iterations, metrics and weights within ${tol} (relative); numTensors flat`, async () => {
      const gpu = await run('webgpu', cfg, 5);
      const cpu = await run('cpu', cfg, 5);
      for (let k = 0; k < 5; k++) {
        const g = gpu.metrics[k]!;
        const c = cpu.metrics[k]!;
        expect(g.envSteps).toBe(c.envSteps);
        expect(g.episodes, `iteration ${k + 1}: episodes (the same actions were taken)`).toBe(c.episodes);
        for (const key of ['returnMean', 'episodeLength', 'loss', 'entropy', 'gradNorm', 'valueLoss', 'lr'] as const) expectNear(g[key], c[key], tol, `iteration ${k + 1} ${key}`);
      }
      gpu.weights.forEach((w, i) => w.forEach((v, j) => expectNear(v, cpu.weights[i]![j]!, tol, `weight array ${i}[${j}]`)));
      // after the first iteration (lazy set-up), every iteration ends with the same tensors alive
      expect(new Set(gpu.tensors.slice(1)).size, `numTensors per iteration on webgpu: ${gpu.tensors.join(', ')}`).toBe(1);
    }, 120_000);
  }

  it('a state saved on webgpu resumes on webgpu exactly; evaluation runs there', async () => {
    await initTf({ backend: 'webgpu' });
    const cfg = { env: 'CartPole-v1', seed: 3, numEnvs: 4, stepsPerIter: 8, hidden: [16, 16], logLevel: 'silent' as const, evalEpisodes: 0, backend: 'webgpu' as const };
    const a = await createTrainer(cfg);
    a.step();
    const state = a.getState();
    const b = await createTrainer(cfg);
    b.setState(state);
    const ma = a.step();
    const mb = b.step();
    const timeless = { stepsPerSec: 0, rolloutSeconds: 0, updateSeconds: 0 };
    expect({ ...mb, ...timeless }).toEqual({ ...ma, ...timeless });
    expect(b.policy.getWeights()).toEqual(a.policy.getWeights());
    const e = b.evaluate({ episodes: 3, deterministic: false }); // sampled: short episodes (one read-back per step on SwiftShader is slow)
    expect(e.returns).toHaveLength(3);
    expect(Math.min(...e.lengths)).toBeGreaterThanOrEqual(8); // CartPole: no episode ends sooner
    a.dispose();
    b.dispose();
  }, 120_000);
});
