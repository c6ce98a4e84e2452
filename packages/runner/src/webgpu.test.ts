/**
 * Rollouts on WebGPU in Node (Dawn, on Chromium's SwiftShader adapter — a CPU implementation of
 * Vulkan: correct, never fast): a JS env reads the actions back once per vector step; a
 * tensor-native env reads nothing back until the rollout ends, with a kernel count per step that
 * does not grow with N; the same seeds give what cpu gives; no tensor is left behind.
 */
import { makeVec } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { countReadBacks, initTf, tf, useSwiftShader } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner } from './rollout.js';
import { makeTensorVec } from './tensor_envs/index.js';

/** Kernels `fn` launches (tf.profile). */
async function kernels(fn: () => void): Promise<number> {
  return (await tf.profile(fn)).kernels.length;
}

describe('rollouts on webgpu (SwiftShader)', () => {
  beforeAll(async () => {
    useSwiftShader(); // fails saying what to install when Chromium's SwiftShader is absent
    await initTf({ backend: 'webgpu' });
  });
  afterAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  it('tensor-native env: nothing read back during the steps, one read at the end whatever T; numTensors flat', async () => {
    const env = makeTensorVec('CartPole-v1', 32, { seed: 1 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2, hidden: [32, 32] });
    const runner = createRunner(policy, env, { seed: 3 });
    runner.rollout(2).dispose(); // warm-up: lazy policy set-up, shader compilation
    const before = tf.memory().numTensors;
    for (const steps of [3, 12]) {
      const { result: batch, reads, deviceReads } = countReadBacks(() => runner.rollout(steps));
      expect(reads, `T = ${steps}`).toBe(1); // the finished-episode statistics, once
      expect(deviceReads, `T = ${steps}`).toBe(1); // one GPU buffer mapped
      expect(batch.obs.shape).toEqual([steps, 32, 4]);
      batch.dispose();
    }
    // πθ acting and the env stepping alone: no GPU buffer comes back at all
    const loop = countReadBacks(() => {
      let obs = env.observe();
      for (let t = 0; t < 10; t++) {
        const a = policy.act(obs);
        const r = env.step(a); // outside tf.tidy: the env keeps its new state
        tf.dispose([a, obs, r.rewards, r.terminated, r.truncated, r.finalObs, r.episodeReturn, r.episodeLength]);
        obs = r.obs;
      }
      obs.dispose();
    });
    expect(loop).toMatchObject({ reads: 0, deviceReads: 0 });
    expect(tf.memory().numTensors).toBe(before);
    runner.dispose();
    env.close();
    policy.dispose();
  });

  it('tensor-native env: kernels per vector step (πθ acts + env steps) are the same at N = 8 and N = 256', async () => {
    const counts: number[] = [];
    for (const n of [8, 256]) {
      const env = makeTensorVec('CartPole-v1', n, { seed: 1 });
      const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2, hidden: [32, 32] });
      const obs = env.observe();
      tf.dispose(policy.act(obs)); // warm-up
      counts.push(
        await kernels(() => {
          const a = policy.act(obs);
          const r = env.step(a);
          tf.dispose([a, ...Object.values(r)]);
        }),
      );
      obs.dispose();
      env.close();
      policy.dispose();
    }
    expect(counts[0]).toBeGreaterThan(5);
    expect(counts[1]).toBe(counts[0]);
  });

  it('JS env: one read-back per vector step, and the same trajectory as cpu with the same seeds', async () => {
    const run = () => {
      const env = makeVec('CartPole-v1', 4, { maxEpisodeSteps: 20 });
      const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 4, hidden: [16, 16] });
      const runner = createRunner(policy, env, { seed: 9 });
      const { result: b, reads } = countReadBacks(() => runner.rollout(12));
      const out = { reads, actions: Array.from(b.actions.dataSync()), rewards: Array.from(b.rewards.dataSync()), obs: Array.from(b.obs.dataSync()), returns: b.episodeReturns };
      b.dispose();
      runner.dispose();
      policy.dispose();
      return out;
    };
    const gpu = run();
    expect(gpu.reads).toBe(12);
    await initTf({ backend: 'cpu' });
    const cpu = run();
    await initTf({ backend: 'webgpu' });
    expect(gpu.actions).toEqual(cpu.actions); // same weights, same Gumbel noise → same argmax
    expect(gpu.rewards).toEqual(cpu.rewards);
    expect(gpu.returns).toEqual(cpu.returns);
    gpu.obs.forEach((v, i) => expect(Math.abs(v - cpu.obs[i]!)).toBeLessThan(1e-6)); // the JS env computes these; only the actions came from the GPU
  });
});
