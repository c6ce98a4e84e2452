import { describe, expect, it } from 'vitest';
import { tf } from '@rl/tf';
import { ConfigError, resolveConfig } from './config.js';
import { createTrainer } from './trainer.js';

describe('rollout workers (config field workers)', () => {
  it('workers 2 shards the rollouts across worker threads: real steps, an update, a clean dispose', async () => {
    const cfg = { env: 'CartPole-v1', seed: 2, numEnvs: 4, stepsPerIter: 16, workers: 2, backend: 'cpu', logLevel: 'silent' } as const;
    const trainer = await createTrainer(cfg);
    try {
      const before = trainer.policy.getWeights();
      const m1 = trainer.step();
      const m2 = trainer.step();
      expect(m1.envSteps).toBe(64);
      expect(m2.envSteps).toBe(128);
      expect(Number.isFinite(m2.loss) && Number.isFinite(m2.gradNorm)).toBe(true);
      expect(trainer.policy.getWeights()).not.toEqual(before);
      expect((trainer as unknown as { runner: { numWorkers: number; aliveWorkers: number } }).runner).toMatchObject({ numWorkers: 2, aliveWorkers: 2 });
      const tensors = tf.memory().numTensors;
      trainer.step();
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      trainer.dispose();
    }
  }, 60_000);

  it('refuses workers with episodes mode or tensor envs, and a bad value, naming the field', () => {
    expect(() => resolveConfig({ workers: 2, mode: 'episodes' })).toThrow(/workers = 2: rollout workers need mode "steps"/);
    expect(() => resolveConfig({ workers: 'auto', envVectorization: 'tensor' })).toThrow(/workers = "auto": rollout workers step JS envs/);
    expect(() => resolveConfig({ workers: 0 as number })).toThrow(ConfigError);
    expect(resolveConfig({ workers: 'auto' }).workers).toBe('auto');
    expect(resolveConfig({}).workers).toBe(1);
  });
});
