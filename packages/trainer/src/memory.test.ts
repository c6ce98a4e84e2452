import { Box, Discrete, make } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { initTf, tf, WASM_MEMORY_LIMIT, type MemoryLimits } from '@rl/tf';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { evaluatePolicySync } from './evaluate.js';
import { checkMemory, checkRunMemory, estimateRunMemory, RunSizeError, spaceSizes } from './memory.js';
import { createTrainer, train } from './trainer.js';

beforeAll(async () => {
  await initTf({ backend: 'wasm' });
});
const cartpole = spaceSizes(new Box(-1, 1, [4]), new Discrete(2));
const refused = (fn: () => unknown): RunSizeError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunSizeError) return err;
    throw err;
  }
  throw new Error('not refused');
};

describe('will a run fit in memory', () => {
  it('the estimate of the update tensors is what one real training step takes, within 30%', async () => {
    for (const cfg of [
      { numEnvs: 256, stepsPerIter: 64, hidden: [64, 64] },
      { numEnvs: 64, stepsPerIter: 32, hidden: [256], baseline: 'value' as const },
      { numEnvs: 8, stepsPerIter: 8, hidden: [512, 512] },
    ]) {
      // updateWorkers 1: the whole update in this thread, where tf.profile sees it (with 'auto', T·N ≥ 4096 runs half of it in a gradient thread)
      const trainer = await createTrainer({ ...cfg, logLevel: 'silent', evalEpisodes: 0, updateWorkers: 1 });
      trainer.step(); // the wasm heap and kernels are warm
      const measured = (await tf.profile(() => void trainer.step())).peakBytes;
      const estimate = estimateRunMemory(trainer.config, cartpole).tensorBytes;
      expect(estimate / measured, JSON.stringify(cfg)).toBeGreaterThan(0.77);
      expect(estimate / measured, JSON.stringify(cfg)).toBeLessThan(1.3);
      trainer.dispose();
    }
  });

  it("refuses the issue's oversized runs before anything is built, naming the fields and the estimate", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ numEnvs: 1e9 }, /^the run needs about 3\.3 TB for its rollout arrays \(numEnvs 1,000,000,000 × stepsPerIter 64 = 64,000,000,000 rows\), one array of 256,000,000,000 numbers, more than the 4,294,967,296 a typed array can hold; lower numEnvs or stepsPerIter$/],
      [{ stepsPerIter: 1e9 }, /stepsPerIter 1,000,000,000 = 16,000,000,000 rows.*; lower numEnvs or stepsPerIter$/],
      [{ hidden: [30000, 30000] }, /^the run needs about \d+ GB of tensors, more than the wasm backend's 4\.3 GB of memory: the networks \(weights, gradients, Adam moments\) \d+ GB \(hidden 30000,30000\); lower hidden$/],
      [{ numEnvs: 2_000_000, stepsPerIter: 1 }, /^the run needs about 7\.3 GB of tensors, more than the wasm backend's 4\.3 GB.*numEnvs 2,000,000 × stepsPerIter 1 = 2,000,000 rows/],
      [{ evalEpisodes: 10_000_000 }, /of tensors \(the evaluation after training\).*evalEpisodes 10,000,000 × 500 steps.*lower evalEpisodes$/],
    ];
    const before = tf.memory().numTensors;
    for (const [partial, message] of cases) {
      await expect(createTrainer({ ...partial, logLevel: 'silent' })).rejects.toThrow(message);
      await expect(train({ ...partial, logLevel: 'silent' })).rejects.toBeInstanceOf(RunSizeError);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(refused(() => checkRunMemory(resolveConfig({ numEnvs: 1e9 }))).render((f) => `--${f}`)).toMatch(/lower --numEnvs or --stepsPerIter$/);
  });

  it('updateWorkers k > 1 adds k − 1 gradient threads, each with its part of the update', () => {
    const one = estimateRunMemory(resolveConfig({ numEnvs: 256, stepsPerIter: 64, updateWorkers: 1 }), cartpole);
    const three = estimateRunMemory(resolveConfig({ numEnvs: 256, stepsPerIter: 64, updateWorkers: 3 }), cartpole);
    expect(one.parts.some((p) => p.what === 'gradient threads')).toBe(false);
    const g = three.parts.find((p) => p.what === 'gradient threads')!;
    expect(g.fields).toEqual(['updateWorkers', 'numEnvs', 'stepsPerIter']);
    expect(g.how).toBe('{updateWorkers} 3: 2 threads of 5,462 rows');
    expect(three.hostBytes - one.hostBytes).toBe(g.bytes);
    expect(g.bytes).toBeGreaterThan(2 * 64e6);
  });

  it('each limit on its own: tensors, V8 heap, available memory, typed array length', () => {
    const roomy: MemoryLimits = { availableBytes: 1e12, totalBytes: 1e12, heapAvailableBytes: 1e12, maxArrayElements: 2 ** 32, tensorLimitBytes: undefined, tensorsInHostMemory: true };
    const est = estimateRunMemory(resolveConfig({ numEnvs: 4096, stepsPerIter: 64, envVectorization: 'generic' }), cartpole);
    checkMemory(est, roomy, 'the run');
    expect(refused(() => checkMemory(est, { ...roomy, tensorLimitBytes: WASM_MEMORY_LIMIT / 8 }, 'the run', 'wasm')).message).toMatch(/of tensors, more than the wasm backend's 537 MB of memory: the update's batch and activations/);
    expect(refused(() => checkMemory(est, { ...roomy, heapAvailableBytes: 1e6 }, 'the run')).message).toMatch(/of JavaScript heap, more than the 1\.0 MB V8's heap has left: env objects 17 MB \(numEnvs 4,096 envs\); lower numEnvs$/);
    expect(refused(() => checkMemory(est, { ...roomy, availableBytes: 1e8, totalBytes: 2e8 }, 'the run')).message).toMatch(/of memory, more than the 100 MB this machine has available \(200 MB in all\)/);
    // tensors on a GPU do not count against host memory
    checkMemory(est, { ...roomy, availableBytes: 1e8, heapAvailableBytes: 1e9, tensorsInHostMemory: false }, 'the run');
    expect(refused(() => checkMemory(est, { ...roomy, maxArrayElements: 1000 }, 'the run')).fields).toEqual(['numEnvs', 'stepsPerIter']);
  });

  it('evaluatePolicySync refuses an evaluation that cannot fit, naming the episodes', () => {
    const env = make('CartPole-v1');
    const policy = createPolicy(env.observationSpace as Box, env.actionSpace, { seed: 1, hidden: [64, 64] });
    env.close();
    const err = refused(() => evaluatePolicySync(policy, { envId: 'CartPole-v1', episodes: 10_000_000 }));
    expect(err.fields).toEqual(['episodes']);
    expect(err.message).toMatch(/^the evaluation needs about 520 GB for its evaluation episodes \(host arrays\) \(episodes 10,000,000 × 500 steps \(the env's time limit\) = 5,000,000,000 rows\), one array of 20,000,000,000 numbers, .*; lower episodes$/);
    expect(refused(() => evaluatePolicySync(policy, { envId: 'CartPole-v1', episodes: 1_000_000 })).message).toMatch(/^the evaluation needs about \d+ GB of tensors, more than the wasm backend's 4\.3 GB of memory: evaluation episodes \(tensors\) \d+ GB \(episodes 1,000,000 × 500 steps/);
    expect(evaluatePolicySync(policy, { envId: 'CartPole-v1', episodes: 3 }).returns).toHaveLength(3);
    policy.dispose();
  });
});
