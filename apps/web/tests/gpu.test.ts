/**
 * The framework on the browser's GPU backends, in headless Chromium (playwright-core driving a
 * system Chromium; CHROMIUM_PATH overrides /usr/bin/chromium). Here WebGPU and WebGL run on
 * SwiftShader, a CPU emulating a GPU; the same code runs on a real GPU. Every check compares
 * with a closed form or with the cpu backend in the same page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type HarnessSession } from '../node/harness_session.js';

let s: HarnessSession;

beforeAll(async () => {
  s = await openHarness();
}, 120_000);

afterAll(async () => {
  await s?.close();
});

const GPU = ['webgpu', 'webgl'] as const;

describe.each(GPU)('on %s', (backend) => {
  it('categorical and Gaussian log π, ∇log π and entropy match their closed forms; sampling matches π', async () => {
    const r = await s.call('distributions', backend);
    expect(r.info.backend).toBe(backend);
    expect(r.categorical.logp).toBeLessThan(1e-5);
    expect(r.categorical.grad, '∇ logits of log π(a) = onehot(a) − softmax').toBeLessThan(1e-5);
    expect(r.categorical.entropy).toBeLessThan(1e-5);
    r.categorical.freq.got.forEach((p: number, k: number) => expect(Math.abs(p - r.categorical.freq.want[k]!), `frequency of action ${k}`).toBeLessThan(0.03));
    expect(r.gaussian.logp).toBeLessThan(1e-4);
    expect(r.gaussian.dMu, '∂/∂μ = (a − μ)/σ²').toBeLessThan(1e-4);
    expect(r.gaussian.dLogStd, '∂/∂log σ = Σ (z² − 1)').toBeLessThan(1e-5 * (1 + r.gaussian.dLogStdScale));
    expect(r.gaussian.entropy).toBeLessThan(1e-5);
    expect(Math.abs(r.gaussian.sampleMean)).toBeLessThan(0.1);
    expect(Math.abs(r.gaussian.sampleStd - 2)).toBeLessThan(0.1);
    expect(r.numTensors.after).toBe(r.numTensors.before);
  });

  it('tensor-native envs step like the JS envs (same states and actions, float32 tolerance)', async () => {
    const r = await s.call('envParity', backend, 64);
    expect(r.info.backend).toBe(backend);
    expect(Object.keys(r.envs).length).toBe(5);
    for (const [id, e] of Object.entries(r.envs) as [string, any][]) {
      // GPU sin/cos/sqrt are less exact than the cpu backend's (2e-5 there): relative error ≤ 2e-4,
      // Acrobot's four RK4 stages at angular speeds up to 9π amplify it to ≤ 2e-3
      expect(e.obsErr, `${id} observations`).toBeLessThanOrEqual(id === 'Acrobot-v1' ? 2e-3 : 2e-4);
      expect(e.rewardErr, `${id} rewards`).toBeLessThanOrEqual(2e-4);
      expect(e.termMismatch, `${id} terminated`).toEqual([]);
      expect(e.termCompared, `${id} rows away from the boundary`).toBeGreaterThan(64 * 0.9);
    }
    expect(r.numTensors.after).toBe(r.numTensors.before);
  });

  it.each(['CartPole-v1', 'Pendulum-v1'])('a seeded %s rollout gives the cpu numbers', async (id) => {
    const gpu = await s.call('seededRollout', backend, id, 8, 24);
    const cpu = await s.call('seededRollout', 'cpu', id, 8, 24);
    expect(gpu.info.backend).toBe(backend);
    expect(cpu.info.backend).toBe('cpu');
    const maxDiff = (a: number[], b: number[]) => a.reduce((m: number, x: number, i: number) => Math.max(m, Math.abs(x - b[i]!)), 0);
    expect(gpu.obs.length).toBe(cpu.obs.length);
    // float32 differences of GPU and cpu kernels grow over the 24 steps; discrete actions agree exactly
    const tol = id === 'Pendulum-v1' ? 1e-2 : 1e-3;
    if (id === 'CartPole-v1') expect(gpu.actions).toEqual(cpu.actions);
    else expect(maxDiff(gpu.actions, cpu.actions)).toBeLessThan(tol);
    expect(maxDiff(gpu.obs, cpu.obs)).toBeLessThan(tol);
    expect(maxDiff(gpu.rewards, cpu.rewards)).toBeLessThan(tol);
    expect(gpu.terminated).toEqual(cpu.terminated);
    expect(gpu.truncated).toEqual(cpu.truncated);
    expect(gpu.numTensors.after).toBe(gpu.numTensors.before);
  });

  it('REINFORCE iterations (policyGradient + Adam, asynchronous reads) give the cpu numbers', async () => {
    const gpu = await s.call('asyncTraining', backend, 3);
    const cpu = await s.call('asyncTraining', 'cpu', 3);
    expect(gpu.info.backend).toBe(backend);
    gpu.metrics.forEach((m: Record<string, number>, i: number) => {
      const c = cpu.metrics[i]! as Record<string, number>;
      expect(m.terminations, `iteration ${i + 1}: the same episodes ended`).toBe(c.terminations);
      expect(m.gradNorm).toBeGreaterThan(0);
      for (const k of ['loss', 'entropy', 'gradNorm']) expect(Math.abs(m[k]! - c[k]!), `iteration ${i + 1} ${k}: ${backend} ${m[k]} vs cpu ${c[k]}`).toBeLessThan(1e-3 * (1 + Math.abs(c[k]!)));
    });
    expect(gpu.weights.length).toBe(cpu.weights.length);
    expect(gpu.weights.reduce((m: number, x: number, i: number) => Math.max(m, Math.abs(x - cpu.weights[i]!)), 0), 'weights after 3 Adam steps (lr 1e-3)').toBeLessThan(1e-3);
    expect(gpu.numTensors.after).toBe(gpu.numTensors.before);
  });

  it('a tensor-native rollout reads nothing back; kernels per step do not grow with N', async () => {
    const r = await s.call('readBacks', backend, 16);
    // No tensor or engine read in 30 steps of act → env.step. (webgpu kernels may read host-resident
    // values through the backend; a read of device data would throw there, see initTf's guard.)
    expect({ tensor: r.loop.tensor, engine: r.loop.engine }, '30 steps of act → env.step').toEqual({ tensor: 0, engine: 0 });
    if (backend === 'webgl') expect(r.loop.backend).toBe(0);
    expect(r.probe.backend, 'the counter sees a read').toBeGreaterThanOrEqual(1);
    if (r.info.syncReadback) {
      // the runner: one read of the finished-episode statistics at the end, whatever T
      expect(r.runs.map((x: { backend: number }) => x.backend)).toEqual([1, 1]);
    }
    expect(r.numTensors.after).toBe(r.numTensors.before);
    const k = await s.call('kernelsPerStep', backend, 'CartPole-v1', [1, 256]);
    expect(k.kernels[0]!.env).toBe(k.kernels[1]!.env);
    expect(k.kernels[0]!.policyAndEnv).toBe(k.kernels[1]!.policyAndEnv);
    expect(k.kernels[0]!.env).toBeGreaterThan(10);
    expect(k.kernels[0]!.policyAndEnv).toBe(k.kernels[0]!.act + k.kernels[0]!.env);
  });
});

describe('backend selection', () => {
  it('webgpu on a software adapter: no synchronous read-back (a clear error, not zeros); auto falls back to webgl and says why', async () => {
    const gpu = await s.call('backendSelection', 'webgpu');
    expect(gpu.ok).toBe(true);
    if (!gpu.ok) return;
    expect(gpu.backend).toBe('webgpu');
    const software = /swiftshader/i.test(`${gpu.adapter?.architecture} ${gpu.adapter?.description}`);
    expect(gpu.syncReadback).toBe(!software);
    const auto = await s.call('backendSelection', 'auto');
    expect(auto.ok).toBe(true);
    if (!auto.ok) return;
    if (software) {
      expect(auto.backend).toBe('webgl');
      expect(auto.skipped.map((x: { backend: string }) => x.backend)).toEqual(['webgpu']);
      expect(auto.skipped[0]!.reason).toMatch(/software fallback.*synchronous read-back/);
    } else {
      expect(auto.backend).toBe('webgpu');
    }
    // A browser with no WebGPU: asked for by name → a clear error; auto → the next backend, saying why
    const none = await s.call('withoutWebgpu');
    expect(none.webgpu.ok).toBe(false);
    expect(none.webgpu.error).toMatch(/BackendUnavailableError: backend "webgpu": this browser has no WebGPU \(navigator\.gpu is missing\).*choose backend "webgl", "wasm" or "cpu", or "auto" to fall back/);
    expect(none.auto.ok).toBe(true);
    expect(none.auto.backend).toBe('webgl');
    expect(none.auto.skipped[0].reason).toMatch(/navigator\.gpu is missing/);
    const bad = await s.call('backendSelection', 'tensorflow' as never);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/unknown backend "tensorflow" in a browser.*Node-only/);
  });
});

describe('training', () => {
  it('a short CartPole run of the trainer on webgl (tensor-native envs) gives the cpu numbers', async () => {
    const gl = await s.call('shortTraining', 'webgl', 3);
    const cpu = await s.call('shortTraining', 'cpu', 3);
    expect(gl.info?.backend).toBe('webgl');
    expect(cpu.info?.backend).toBe('cpu');
    gl.metrics.forEach((m: Record<string, number>, i: number) => {
      const c = cpu.metrics[i]! as Record<string, number>;
      expect(m.episodes, `iteration ${i + 1} episodes`).toBe(c.episodes);
      for (const k of ['loss', 'entropy', 'gradNorm'] as const) expect(Math.abs(m[k]! - c[k]!), `iteration ${i + 1} ${k}: webgl ${m[k]} vs cpu ${c[k]}`).toBeLessThan(1e-3 * (1 + Math.abs(c[k]!)));
    });
    const maxDiff = gl.weights.reduce((m: number, x: number, i: number) => Math.max(m, Math.abs(x - cpu.weights[i]!)), 0);
    expect(gl.weights.length).toBe(cpu.weights.length);
    expect(maxDiff, 'weights after 3 Adam steps (lr 1e-3)').toBeLessThan(1e-3);
    expect(gl.numTensors.after).toBe(gl.numTensors.before);
  });
});
