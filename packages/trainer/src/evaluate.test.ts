import { describe, expect, it } from 'vitest';
import { createPolicy } from '@rl/policy';
import { makeVec } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { evaluatePolicy, evaluatePolicySync } from './evaluate.js';
import { createTrainer } from './trainer.js';

describe('evaluatePolicy', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`runs whole episodes on fresh seeded envs, equal to Trainer.evaluate (${backend})`, async () => {
      await initTf({ backend });
      const trainer = await createTrainer({ env: 'CartPole-v1', seed: 3, numEnvs: 4, stepsPerIter: 8, backend, logLevel: 'silent' });
      trainer.step();
      const before = tf.memory().numTensors;
      const rngBefore = trainer.policy.getRngState();
      const r = await evaluatePolicy(trainer.policy, { envId: 'CartPole-v1', episodes: 6, deterministic: false, seed: 11, backend });
      expect(tf.memory().numTensors).toBe(before);
      expect(trainer.policy.getRngState()).toEqual(rngBefore);
      expect(r.returns).toHaveLength(6);
      // CartPole: +1 per step, so each return is its episode's length (1..500)
      expect(r.returns).toEqual(r.lengths);
      for (const l of r.lengths) expect(l >= 1 && l <= 500).toBe(true);
      expect(r).toEqual(trainer.evaluate({ episodes: 6, deterministic: false, seed: 11 }));
      expect(evaluatePolicySync(trainer.policy, { envId: 'CartPole-v1', episodes: 6, deterministic: false, seed: 12 })).not.toEqual(r);
      trainer.dispose();
    });
  }

  it('names the env when the policy does not fit it, and rejects a bad episode count', async () => {
    await initTf({ backend: 'cpu' });
    const env = makeVec('Pendulum-v1', 1);
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { hidden: [8], seed: 1 });
    expect(() => evaluatePolicySync(policy, { envId: 'CartPole-v1', episodes: 2 })).toThrow(/does not match env CartPole-v1/);
    expect(() => evaluatePolicySync(policy, { envId: 'Pendulum-v1', episodes: 0 })).toThrow(/episodes must be a positive integer, got 0/);
    policy.dispose();
    env.close();
  });
});
