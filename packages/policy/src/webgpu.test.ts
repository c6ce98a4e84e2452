/**
 * Policies on WebGPU in Node (Dawn, on Chromium's SwiftShader adapter: a CPU implementation of
 * Vulkan — correct, never fast) against cpu with the same weights: the forward pass (plain
 * and the fused fast path), log π, entropy and ∇θ log π within 1e-4, save → load, and no leak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete, type Space } from '@rl/env';
import { deviceReadCount, initTf, tf, useSwiftShader } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyModel } from './load.js';
import { createPolicy } from './policy.js';

const B = 48;

/** What one backend computes for a policy with the given weights on fixed inputs. */
interface Computed {
  readonly plain: Float32Array;
  readonly fast: Float32Array;
  readonly logProb: Float32Array;
  readonly entropy: Float32Array;
  readonly grads: Float32Array[];
  readonly mode: Float32Array | Int32Array;
  /** GPU buffers read back meanwhile (0 on cpu): the values came from the device. */
  readonly deviceReads: number;
}

function inputs(obsDim: number, discrete: boolean, actDim: number): { obs: Float32Array; actions: Float32Array | Int32Array } {
  const obs = new Float32Array(B * obsDim).map((_, i) => Math.sin(0.7 * i + 0.3));
  const actions = discrete ? new Int32Array(B).map((_, i) => i % actDim) : new Float32Array(B * actDim).map((_, i) => Math.cos(1.3 * i));
  return { obs, actions };
}

async function compute(backend: 'cpu' | 'webgpu', obsSpace: Box, actSpace: Space, weights: Float32Array[] | undefined): Promise<{ out: Computed; weights: Float32Array[] }> {
  await initTf({ backend });
  const policy = createPolicy(obsSpace, actSpace, { seed: 3, hidden: [32, 32], logStdInit: -0.3 });
  if (weights) policy.setWeights(weights);
  const discrete = actSpace.type === 'Discrete';
  const actDim = discrete ? (actSpace as Discrete).n : (actSpace as Box).size;
  const x = inputs(obsSpace.size, discrete, actDim);
  const obs = tf.tensor2d(x.obs, [B, obsSpace.size]);
  const actions = discrete ? tf.tensor1d(x.actions, 'int32') : tf.tensor2d(x.actions, [B, actDim]);
  tf.dispose(policy.forwardFast(obs)); // the fast path derives its fused weights once, on first use
  const before = tf.memory().numTensors;
  const device0 = deviceReadCount();
  const read = (t: tf.Tensor) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return Float32Array.from(v);
  };
  const plain = read(policy.forwardPlain(obs));
  const fast = read(policy.forwardFast(obs));
  const logProb = read(tf.tidy(() => policy.logProb(obs, actions)));
  const entropy = read(tf.tidy(() => policy.entropy(obs)));
  const { value, grads } = tf.variableGrads(() => tf.sum(policy.logProb(obs, actions)) as tf.Scalar, [...policy.trainableVariables]);
  value.dispose();
  const g = policy.trainableVariables.map((v) => read(grads[v.name]!));
  const modeT = policy.act(obs, { deterministic: true });
  const mode = modeT.dataSync().slice() as Float32Array | Int32Array;
  tf.dispose(modeT);
  expect(tf.memory().numTensors, `${backend}: tensors left behind`).toBe(before);
  tf.dispose([obs, actions]);
  const w = policy.getWeights();
  policy.dispose();
  return { out: { plain, fast, logProb, entropy, grads: g, mode, deviceReads: deviceReadCount() - device0 }, weights: w };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst, `${what}: largest |webgpu − cpu|`).toBeLessThan(1e-4);
}

describe('policies on webgpu (SwiftShader) equal cpu', () => {
  beforeAll(() => {
    useSwiftShader(); // fails saying what to install when Chromium's SwiftShader is absent
  });
  afterAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  const cases: [string, Box, Space][] = [
    ['categorical (CartPole spaces)', new Box(-1, 1, [4]), new Discrete(2)],
    ['diagonal Gaussian (Pendulum spaces)', new Box(-8, 8, [3]), new Box(-2, 2, [1])],
  ];
  for (const [name, obsSpace, actSpace] of cases) {
    it(`${name}: forward, log π, entropy, ∇θ log π within 1e-4; the same mode`, async () => {
      const cpu = await compute('cpu', obsSpace, actSpace, undefined);
      const gpu = await compute('webgpu', obsSpace, actSpace, cpu.weights);
      expect(tf.getBackend()).toBe('webgpu');
      expect(gpu.out.deviceReads).toBeGreaterThanOrEqual(6); // every value compared below was computed on the GPU and mapped back
      expectClose(gpu.out.plain, cpu.out.plain, 'forwardPlain');
      expectClose(gpu.out.fast, cpu.out.plain, 'forwardFast (fused, tanh → sigmoid rewrite)');
      expectClose(gpu.out.logProb, cpu.out.logProb, 'log π');
      expectClose(gpu.out.entropy, cpu.out.entropy, 'entropy');
      expect(gpu.out.grads).toHaveLength(cpu.out.grads.length);
      gpu.out.grads.forEach((g, k) => expectClose(g, cpu.out.grads[k]!, `∇θ log π, variable ${k}`));
      if (actSpace.type === 'Discrete') expect(Array.from(gpu.out.mode)).toEqual(Array.from(cpu.out.mode));
      else expectClose(gpu.out.mode, cpu.out.mode, 'mode');
    });
  }

  it('a policy saved on webgpu loads back (on webgpu) with the same weights and actions', async () => {
    await initTf({ backend: 'webgpu' });
    const dir = mkdtempSync(join(tmpdir(), 'rl-webgpu-policy-'));
    try {
      const p = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 5, hidden: [16] });
      await p.save(dir);
      const q = await loadPolicyModel(dir);
      expect(q.getWeights()).toEqual(p.getWeights());
      const obs = tf.tensor2d(new Float32Array(8 * 4).map((_, i) => Math.sin(i)), [8, 4]);
      const a = p.act(obs, { deterministic: true });
      const b = q.act(obs, { deterministic: true });
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([obs, a, b]);
      p.dispose();
      q.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
