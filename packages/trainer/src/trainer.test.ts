import { afterEach, describe, expect, it } from 'vitest';
import { tf } from '@rl/tf';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, resolveConfig } from './config.js';
import { NonFiniteError } from './reinforce.js';
import { createTrainer, envIds, TIMING_FIELDS, train, type IterationMetrics, type Trainer } from './trainer.js';

const CONFIGS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../configs');

/** Metrics without the wall-clock fields (the only ones allowed to differ between identical runs). */
const numbers = (m: IterationMetrics): Partial<IterationMetrics> => Object.fromEntries(Object.entries(m).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k)));

const open: Trainer[] = [];
const make = async (cfg: Parameters<typeof createTrainer>[0]): Promise<Trainer> => {
  const t = await createTrainer(cfg);
  open.push(t);
  return t;
};
afterEach(() => {
  while (open.length) open.pop()!.dispose();
});

describe('learning', () => {
  it('CartPole-v1 reaches a mean return of 195 over 20 episodes within 150 iterations', async () => {
    const { trainer, result } = await train({ env: 'CartPole-v1', seed: 1, numEnvs: 16, stepsPerIter: 64, lr: 3e-3, totalSteps: 150 * 1024, targetReturn: 195 });
    open.push(trainer);
    expect(result.reason).toBe('targetReturn');
    expect(result.last!.returnMean).toBeGreaterThanOrEqual(195);
    // the trained policy holds it on fresh envs
    expect(trainer.evaluate({ episodes: 20 }).mean).toBeGreaterThan(150);
  });

  it('Pendulum-v1 improves clearly over the initial policy on the same 64 start states (configs/Pendulum-v1.json, 300k steps)', async () => {
    const cfg = JSON.parse(readFileSync(join(CONFIGS, 'Pendulum-v1.json'), 'utf8')) as Record<string, unknown>;
    const trainer = await make({ ...cfg, seed: 1, totalSteps: 300_000 });
    // deterministic evaluation on the same seeded start states: only the policy differs
    const before = trainer.evaluate({ episodes: 64, seed: 99 }).mean;
    trainer.run();
    const after = trainer.evaluate({ episodes: 64, seed: 99 }).mean;
    expect(before).toBeLessThan(-1100); // about the random-policy return
    expect(after).toBeGreaterThan(before + 100);
  }, 240_000); // ~15 s on an idle 2-core machine; several times that when the cores are shared
});

describe('configs/', () => {
  it('every per-env default file resolves to a valid config for its env', () => {
    const files = readdirSync(CONFIGS).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const raw = JSON.parse(readFileSync(join(CONFIGS, f), 'utf8')) as Record<string, unknown>;
      const cfg = resolveConfig(raw, { envIds: envIds() });
      expect(`${cfg.env}.json`).toBe(f);
      expect(typeof raw.$comment).toBe('string');
    }
  });
});

describe('determinism', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`the same seed on ${backend} gives bit-identical metrics and weights for 10 iterations`, async () => {
      const cfg = { env: 'CartPole-v1', seed: 5, numEnvs: 8, stepsPerIter: 32, backend, baseline: 'value' } as const;
      const runs: { metrics: ReturnType<typeof numbers>[]; weights: number[][] }[] = [];
      for (let k = 0; k < 2; k++) {
        const t = await make(cfg);
        const metrics = Array.from({ length: 10 }, () => numbers(t.step()));
        runs.push({ metrics, weights: t.policy.getWeights().map((w) => [...w]) });
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[0]!.metrics[9]!.envSteps).toBe(10 * 8 * 32);
      // a different seed gives different numbers
      const other = await make({ ...cfg, seed: 6 });
      expect(numbers(other.step())).not.toEqual(runs[0]!.metrics[0]);
    });
  }
});

describe('resources', () => {
  it('numTensors is unchanged across 50 iterations (GAE with a learned V, episode mode)', async () => {
    for (const cfg of [
      { env: 'CartPole-v1', numEnvs: 8, stepsPerIter: 16, baseline: 'gae' as const, entCoef: 0.01, maxGradNorm: 0.5 },
      { env: 'Pendulum-v1', numEnvs: 4, mode: 'episodes' as const, baseline: 'ema' as const, normalizeObs: true, lrDecay: 'linear' as const, totalSteps: 100_000 },
    ]) {
      const t = await make(cfg);
      t.step();
      t.step(); // the first steps build caches (observation-normalisation tensors) that are reused after
      const before = tf.memory().numTensors;
      const n = cfg.mode === 'episodes' ? 10 : 50;
      for (let i = 0; i < n; i++) t.step();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

describe('bad input', () => {
  it('a bad config is one error listing every bad field', async () => {
    const err = await createTrainer({ env: 'Nope-v0', gamma: 2, numEnvs: 0, lr: -1, baseline: 'median' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.field).sort()).toEqual(['baseline', 'env', 'gamma', 'lr', 'numEnvs']);
    expect((err as Error).message).toMatch(/env = "Nope-v0": unknown env id; registered: CartPole-v1/);
  });

  it('NaN in the loss stops with an error naming the iteration and leaves the weights unchanged', async () => {
    const t = await make({ env: 'CartPole-v1', numEnvs: 4, stepsPerIter: 8 });
    t.step();
    t.step();
    // finite weights whose forward pass overflows: logits ±Infinity, log-softmax NaN
    const huge = t.policy.getWeights().map((w) => w.map((v, i) => (i % 2 ? -3e38 : 3e38)));
    t.policy.setWeights(huge);
    const before = t.policy.getWeights();
    const optBefore = t.getState().optimizer;
    expect(() => t.step()).toThrow(NonFiniteError);
    expect(() => t.step()).toThrow(/iteration 3: the policy (loss|gradient)/);
    expect(t.policy.getWeights()).toEqual(before);
    expect(t.getState().optimizer).toEqual(optBefore);
    expect(t.iteration).toBe(2);
  });
});

describe('checkpoint and resume', () => {
  it('episode mode: resuming from getState() is bit-identical to the uninterrupted run', async () => {
    const cfg = { env: 'CartPole-v1', seed: 3, numEnvs: 8, mode: 'episodes', baseline: 'gae', normalizeObs: true } as const;
    const whole = await make(cfg);
    const all = Array.from({ length: 6 }, () => numbers(whole.step()));

    const first = await make(cfg);
    for (let i = 0; i < 3; i++) first.step();
    const state = structuredClone(first.getState()); // as a checkpoint would store it
    const resumed = await make(cfg);
    resumed.setState(state);
    expect(resumed.iteration).toBe(3);
    const rest = Array.from({ length: 3 }, () => numbers(resumed.step()));
    expect(rest).toEqual(all.slice(3));
    expect(resumed.getState()).toEqual(whole.getState());
  });

  for (const [env, envVectorization] of [['CartPole-v1', 'native'], ['Pendulum-v1', 'native'], ['CartPole-v1', 'generic']] as const) {
    it(`step mode (${env}, ${envVectorization} envs): resuming from getState() is bit-identical to the uninterrupted run`, async () => {
      // T·N = 8·24: episodes run across iterations, Pendulum's time limit (200) falls mid-iteration
      const cfg = { env, envVectorization, seed: 5, numEnvs: 8, stepsPerIter: 24, baseline: 'gae', normalizeObs: true } as const;
      const whole = await make(cfg);
      const all = Array.from({ length: 12 }, () => numbers(whole.step()));

      const first = await make(cfg);
      for (let i = 0; i < 7; i++) first.step();
      const state = structuredClone(first.getState()); // as a checkpoint would store it
      expect(state.runner?.env).toBeDefined();
      const resumed = await make(cfg);
      resumed.setState(state);
      const rest = Array.from({ length: 5 }, () => numbers(resumed.step()));
      expect(rest).toEqual(all.slice(7));
      expect(resumed.getState()).toEqual(whole.getState());
    });
  }

  it('step mode: parameters, optimizer and streams come back exactly; resumes from one state are identical', async () => {
    const cfg = { env: 'CartPole-v1', seed: 4, numEnvs: 8, stepsPerIter: 32, baseline: 'ema' } as const;
    const a = await make(cfg);
    for (let i = 0; i < 4; i++) a.step();
    const state = structuredClone(a.getState());
    const b = await make(cfg);
    const c = await make(cfg);
    b.setState(state);
    c.setState(state);
    expect(b.getState()).toEqual(state);
    const mb = Array.from({ length: 3 }, () => numbers(b.step()));
    const mc = Array.from({ length: 3 }, () => numbers(c.step()));
    expect(mb).toEqual(mc);
    expect(mb[0]!.iteration).toBe(5);
    expect(mb[0]!.envSteps).toBe(5 * 8 * 32);
  });

  it('setState refuses a state saved with a different config', async () => {
    const a = await make({ env: 'CartPole-v1', numEnvs: 4, stepsPerIter: 8 });
    const b = await make({ env: 'CartPole-v1', numEnvs: 4, stepsPerIter: 8, lr: 5e-3 });
    expect(() => b.setState(a.getState())).toThrow(/different config \(lr: 0.001 vs 0.005\)/);
  });
});

describe('evaluation', () => {
  it('deterministic evaluation is repeatable and does not disturb training', async () => {
    const cfg = { env: 'CartPole-v1', seed: 2, numEnvs: 8, stepsPerIter: 16 } as const;
    const a = await make(cfg);
    const b = await make(cfg);
    a.step();
    b.step();
    const before = tf.memory().numTensors;
    const e1 = a.evaluate({ episodes: 5 });
    expect(tf.memory().numTensors).toBe(before);
    const e2 = a.evaluate({ episodes: 5 });
    expect(e1).toEqual(e2);
    expect(e1.returns).toHaveLength(5);
    a.evaluate({ episodes: 5, deterministic: false });
    expect(numbers(a.step())).toEqual(numbers(b.step()));
  });
});
