/**
 * Evaluation during training (`evalEvery`): the cadence, the seed stream of its own, the best
 * evaluated policy kept (ties to the later one) and saved beside the last one, `stopOnEval`,
 * and a resumed run keeping the best-so-far record. Short seeded CartPole runs on cpu.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadPolicyModel } from '@rl/policy';
import { tf } from '@rl/tf';
import { decodeState, encodeState } from './checkpoint.js';
import { ConfigError, resolveConfig, type TrainConfig } from './config.js';
import { evaluationSeed, runSeeds } from './schedule.js';
import { createTrainer, TIMING_FIELDS, type IterationMetrics, type Trainer, type TrainerState, type TrainingEvaluation } from './trainer.js';

// 128 env steps per iteration, an evaluation every 2 iterations; with lr 0.01 seed 1's best evaluation is not its last (checked below)
const CFG: Partial<TrainConfig> = { env: 'CartPole-v1', seed: 1, numEnvs: 4, stepsPerIter: 32, lr: 0.01, evalEvery: 256, evalEpisodes: 3, totalSteps: 11 * 128, backend: 'cpu', logLevel: 'silent' };

const root = mkdtempSync(join(tmpdir(), 'rl-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const open: Trainer[] = [];
const make = async (cfg: Partial<TrainConfig>, opts: Parameters<typeof createTrainer>[1] = {}): Promise<Trainer> => {
  const t = await createTrainer(cfg, opts);
  open.push(t);
  return t;
};
afterEach(() => {
  while (open.length) open.pop()!.dispose();
});

const timeless = <T extends object>(x: T): Partial<T> => Object.fromEntries(Object.entries(x).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k) && k !== 'seconds')) as Partial<T>;

/** Trains with CFG (+ overrides), recording every hook call in order and the weights after each iteration. */
async function record(over: Partial<TrainConfig> = {}): Promise<{ trainer: Trainer; calls: string[]; evaluations: TrainingEvaluation[]; weights: Map<number, Float32Array[]>; metrics: IterationMetrics[]; reason: string }> {
  const calls: string[] = [];
  const trainer = await make({ ...CFG, ...over }, { onEvaluation: (e) => calls.push(`options.onEvaluation ${e.iteration}`), onIteration: (m) => calls.push(`options.onIteration ${m.iteration}`) });
  const evaluations: TrainingEvaluation[] = [];
  const weights = new Map<number, Float32Array[]>();
  const metrics: IterationMetrics[] = [];
  const r = await trainer.runAsync({
    onEvaluation: (e) => {
      calls.push(`onEvaluation ${e.iteration}`);
      evaluations.push(e);
    },
    onIteration: (m, t) => {
      calls.push(`onIteration ${m.iteration}`);
      metrics.push(m);
      weights.set(m.iteration, t.policy.getWeights());
    },
  });
  return { trainer, calls, evaluations, weights, metrics, reason: r.reason };
}

describe('evaluation during training', () => {
  it('runs every evalEvery env steps and after the last iteration, on its own seed stream, evaluation hooks before the iteration hooks', async () => {
    const { trainer, calls, evaluations } = await record();
    // 128 steps per iteration, every 256: iterations 2, 4, 6, 8, 10; the run ends at 11 (1,408 steps), which is evaluated too
    expect(evaluations.map((e) => e.iteration)).toEqual([2, 4, 6, 8, 10, 11]);
    expect(evaluations.map((e) => e.envSteps)).toEqual([256, 512, 768, 1024, 1280, 1408]);
    for (const e of evaluations) {
      expect(e).toMatchObject({ episodes: 3, deterministic: true, seed: runSeeds(1).evalSeed });
      expect(e.seed).not.toBe(evaluationSeed(1)); // not the episodes rl eval reports
      expect(e.min).toBeLessThanOrEqual(e.mean);
      expect(e.max).toBeGreaterThanOrEqual(e.mean);
    }
    expect(calls.slice(0, 6)).toEqual(['options.onIteration 1', 'onIteration 1', 'options.onEvaluation 2', 'options.onIteration 2', 'onEvaluation 2', 'onIteration 2']);
    expect(trainer.lastEvaluation).toEqual(evaluations.at(-1));
    // the evaluation is the trainer's evaluate() of that policy on the evaluation seed
    const again = trainer.evaluate({ episodes: 3, seed: runSeeds(1).evalSeed });
    expect(again.mean).toBe(evaluations.at(-1)!.mean);
  });

  it('does not change training: the metrics are those of the same run without evaluations', async () => {
    const withEval = await record();
    const without = await record({ evalEvery: 0 });
    expect(without.evaluations).toEqual([]);
    expect(withEval.metrics.map(timeless)).toEqual(without.metrics.map(timeless));
  });

  it('keeps the best evaluated policy (ties to the later one): savePolicy writes it to one directory and the last policy to another', async () => {
    const { trainer, evaluations, weights } = await record();
    const top = Math.max(...evaluations.map((e) => e.mean));
    const bestIteration = evaluations.filter((e) => e.mean === top).at(-1)!.iteration;
    expect(trainer.best).toEqual(evaluations.find((e) => e.iteration === bestIteration));
    expect(bestIteration).not.toBe(trainer.iteration); // this seeded run's best is not its last policy
    // every evaluation says whether it was the best so far (≥ every earlier one)
    evaluations.forEach((e, i) => expect(e.best).toBe(evaluations.slice(0, i).every((p) => e.mean >= p.mean)));

    const bestDir = join(root, 'best');
    const lastDir = join(root, 'last');
    await trainer.savePolicy(bestDir, { policy: 'best' });
    await trainer.savePolicy(lastDir);
    const best = await loadPolicyModel(bestDir);
    const last = await loadPolicyModel(lastDir);
    try {
      expect(best.getWeights()).toEqual(weights.get(bestIteration));
      expect(last.getWeights()).toEqual(trainer.policy.getWeights());
      expect(best.getWeights()).not.toEqual(last.getWeights());
      expect(best.metadata).toMatchObject({ envId: 'CartPole-v1', iteration: bestIteration, envSteps: bestIteration * 128, evaluation: trainer.best });
      expect(last.metadata).toMatchObject({ iteration: 11, envSteps: 1408, evaluation: trainer.lastEvaluation });
    } finally {
      best.dispose();
      last.dispose();
    }
    // evaluate() of the best policy: the same numbers as its evaluation during training
    expect(trainer.evaluate({ policy: 'best', episodes: 3, seed: runSeeds(1).evalSeed }).mean).toBe(trainer.best!.mean);
    expect(JSON.parse(readFileSync(join(bestDir, 'policy.json'), 'utf8')).metadata.config).toEqual(trainer.config);
  });

  it('without evaluations (evalEvery 0) the best policy is the last one', async () => {
    const { trainer } = await record({ evalEvery: 0 });
    expect(trainer.best).toBeUndefined();
    const dir = join(root, 'no-eval');
    await trainer.savePolicy(dir, { policy: 'best' });
    const p = await loadPolicyModel(dir);
    expect(p.getWeights()).toEqual(trainer.policy.getWeights());
    expect(p.metadata).toMatchObject({ iteration: 11, envSteps: 1408 });
    expect(p.metadata).not.toHaveProperty('evaluation');
    p.dispose();
  });

  it('stopOnEval stops the run once an evaluation reaches it', async () => {
    const low = await record({ stopOnEval: 0, totalSteps: 1e6 }); // every CartPole episode returns ≥ 1
    expect(low.reason).toBe('stopOnEval');
    expect(low.trainer.iteration).toBe(2);
    expect(low.evaluations.map((e) => e.iteration)).toEqual([2]);
    const high = await record({ stopOnEval: 1e9 });
    expect(high.reason).toBe('totalSteps');
    expect(high.trainer.iteration).toBe(11);
  });

  it('a resumed run keeps the best-so-far record and ends as the uninterrupted run does', async () => {
    const full = await record();
    // interrupted after iteration 5 (evaluated at 2 and 4), state through the checkpoint codec
    const first = await make(CFG);
    for (let i = 0; i < 5; i++) first.step();
    const bestBefore = first.best!;
    expect(bestBefore.iteration).toBe(full.evaluations.filter((e) => e.iteration <= 4 && e.best).at(-1)!.iteration);
    const enc = encodeState(first.getState());
    const state = decodeState(enc.json, enc.blob, enc.sha256) as TrainerState;
    expect(state.best?.evaluation).toEqual(bestBefore);
    expect(state.best?.policyWeights).toEqual(full.weights.get(bestBefore.iteration));

    const resumed = await make(CFG);
    resumed.setState(state);
    expect(resumed.best).toEqual(bestBefore);
    expect(resumed.lastEvaluation).toEqual(first.lastEvaluation);
    // the restored best is what savePolicy({ policy: 'best' }) writes, before any new evaluation
    const dir = join(root, 'resumed-best');
    await resumed.savePolicy(dir, { policy: 'best' });
    const p = await loadPolicyModel(dir);
    expect(p.getWeights()).toEqual(full.weights.get(bestBefore.iteration));
    p.dispose();
    const later: TrainingEvaluation[] = [];
    await resumed.runAsync({ onEvaluation: (e) => void later.push(e) });
    expect(later.map(timeless)).toEqual(full.evaluations.filter((e) => e.iteration > 5).map(timeless));
    expect(timeless(resumed.best!)).toEqual(timeless(full.trainer.best!));
    expect(resumed.policy.getWeights()).toEqual(full.trainer.policy.getWeights());
  });

  it('keeps no tensors beyond the best policy copy', async () => {
    const before = tf.memory().numTensors;
    const t = await createTrainer(CFG);
    t.run();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evalEpisodes 0 turns evaluations off, those during training too (a config file\'s evalEvery stays harmless)', async () => {
    const { trainer, evaluations, calls } = await record({ evalEpisodes: 0, totalSteps: 4 * 128 });
    expect(evaluations).toEqual([]);
    expect(calls.filter((c) => c.includes('onEvaluation'))).toEqual([]);
    expect(trainer.best).toBeUndefined();
  });

  it('refuses stopOnEval without evaluations', () => {
    expect(() => resolveConfig({ stopOnEval: 400 })).toThrow(ConfigError);
    expect(() => resolveConfig({ stopOnEval: 400 })).toThrow(/stopOnEval = 400: needs evalEvery > 0 and evalEpisodes ≥ 1/);
    expect(() => resolveConfig({ evalEvery: 1000, evalEpisodes: 0, stopOnEval: 400 })).toThrow(/stopOnEval = 400: needs evalEvery > 0 and evalEpisodes ≥ 1 \(got evalEvery 1000, evalEpisodes 0/);
    expect(() => resolveConfig({ evalEvery: -1 })).toThrow(/evalEvery = -1: must be an integer ≥ 0/);
    expect(resolveConfig({ evalEvery: 1000, stopOnEval: 400 })).toMatchObject({ evalEvery: 1000, stopOnEval: 400, evalDeterministic: true });
  });
});
