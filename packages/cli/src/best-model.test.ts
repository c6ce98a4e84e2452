/**
 * `rl train --eval-every`: evaluations.jsonl, model/ (the best evaluated policy) beside
 * model-last/ (the last), run.json's record of both, the summary lines, the curve, `rl eval`
 * on model/, `--stop-on-eval`, and `rl resume` keeping the best-so-far record. Real child
 * processes on short seeded CartPole runs.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyModel } from '@rl/policy';
import { initTf } from '@rl/tf';
import { runSeeds, type TrainerState, type TrainingEvaluation } from '@rl/trainer';
import { readLatestCheckpoint } from '@rl/trainer/checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvaluations } from './evaluations.js';
import { rl } from './harness.js';
import type { RunFile } from './rundir.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rl-best-'));
  await initTf({ backend: 'cpu' }); // for loading the saved policies in this process
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// 128 env steps per iteration, an evaluation every 2 iterations, a constant lr (so a run resumed with more steps is the longer run)
const FLAGS = ['--env', 'CartPole-v1', '--seed', '1', '--num-envs', '4', '--steps-per-iter', '32', '--lr', '0.01', '--lr-decay', 'none', '--eval-every', '256', '--eval-episodes', '3', '--checkpoint-every', '4', '--curve-seconds', '0.1'];

const runJson = (dir: string): RunFile => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunFile;
const withoutSeconds = (es: readonly TrainingEvaluation[]): Omit<TrainingEvaluation, 'seconds'>[] => es.map(({ seconds: _s, ...e }) => e);
const weightsOf = async (dir: string): Promise<{ weights: Float32Array[]; metadata: Record<string, unknown> }> => {
  const p = await loadPolicyModel(dir);
  const out = { weights: p.getWeights(), metadata: p.metadata };
  p.dispose();
  return out;
};

describe.concurrent('rl train --eval-every (real child processes)', () => {
  it('writes evaluations.jsonl, keeps the best policy in model/ and the last in model-last/, records both in run.json and the summary; rl eval uses model/', async () => {
    const dir = join(root, 'full');
    const r = await rl(['train', ...FLAGS, '--total-steps', '2048', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const evals = readEvaluations(join(dir, 'evaluations.jsonl'));
    expect(evals.map((e) => e.iteration)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    for (const e of evals) expect(e).toMatchObject({ episodes: 3, deterministic: true, seed: runSeeds(1).evalSeed, envSteps: e.iteration * 128 });
    const top = Math.max(...evals.map((e) => e.mean));
    const best = evals.filter((e) => e.mean === top).at(-1)!;
    expect(best.iteration).not.toBe(16); // this seeded run's best is not its last policy

    // run.json and the summary say where each policy comes from
    const { models } = runJson(dir);
    expect(models?.model).toEqual({ iteration: best.iteration, envSteps: best.envSteps, evaluation: best, selection: 'best' });
    expect(models?.modelLast).toEqual({ iteration: 16, envSteps: 2048, evaluation: evals.at(-1) });
    expect(r.stdout).toContain(`model/: iteration ${best.iteration} (${best.envSteps.toLocaleString('en-US')} env steps), the best of 3-episode evaluations every 256 env steps: return ${best.mean.toFixed(1)} ± ${best.std.toFixed(1)} over 3 evaluation episodes`);
    expect(r.stdout).toContain(`model-last/: iteration 16 (2,048 env steps), the last policy: return ${evals.at(-1)!.mean.toFixed(1)} ± ${evals.at(-1)!.std.toFixed(1)} over 3 evaluation episodes`);

    // model/ holds the best weights (those the checkpoint keeps as best), model-last/ the last ones
    const state = readLatestCheckpoint(join(dir, 'checkpoints')).state as TrainerState;
    const model = await weightsOf(join(dir, 'model'));
    const last = await weightsOf(join(dir, 'model-last'));
    expect(model.weights).toEqual(state.best!.policyWeights);
    expect(last.weights).toEqual(state.policyWeights);
    expect(model.weights).not.toEqual(last.weights);
    expect(model.metadata).toMatchObject({ iteration: best.iteration, evaluation: best });
    expect(last.metadata).toMatchObject({ iteration: 16 });

    // the evaluation after training is model/'s on rl eval's default seed: rl eval reports the same numbers
    const after = /evaluation of model\/ \(3 episodes, deterministic\): return ([\d.]+) ± ([\d.]+)/.exec(r.stdout);
    expect(after).not.toBeNull();
    const ev = await rl(['eval', dir, '--episodes', '3', '--deterministic', '--json']);
    expect(ev.status).toBe(0);
    expect(Number(JSON.parse(ev.stdout).meanReturn).toFixed(1)).toBe(after![1]);

    // the curve shows the evaluations and marks the best
    const svg = readFileSync(join(dir, 'curve.svg'), 'utf8');
    expect(svg).toContain('evaluation (3 episodes)');
    expect(svg).toContain(`best (iteration ${best.iteration})`);
  });

  it('--stop-on-eval stops at the first evaluation that reaches it', async () => {
    const dir = join(root, 'stop');
    const r = await rl(['train', ...FLAGS, '--total-steps', '100000', '--stop-on-eval', '1', '--out', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('evaluation return reached --stop-on-eval: 2 iterations, 256 env steps');
    expect(readEvaluations(join(dir, 'evaluations.jsonl')).map((e) => e.iteration)).toEqual([2]);
    expect(runJson(dir).models?.model).toMatchObject({ iteration: 2, selection: 'best' });
  });

  it('without --eval-every, model/ and model-last/ are the last policy and evaluations.jsonl stays empty', async () => {
    const dir = join(root, 'off');
    const r = await rl(['train', ...FLAGS, '--eval-every', '0', '--total-steps', '512', '--out', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('model/ and model-last/: iteration 4 (512 env steps), the last policy (not evaluated during training)');
    expect(readFileSync(join(dir, 'evaluations.jsonl'), 'utf8')).toBe('');
    expect(runJson(dir).models).toEqual({ model: { iteration: 4, envSteps: 512, evaluation: null, selection: 'last' }, modelLast: { iteration: 4, envSteps: 512, evaluation: null } });
    expect((await weightsOf(join(dir, 'model'))).weights).toEqual((await weightsOf(join(dir, 'model-last'))).weights);
  });

  it('rl resume keeps the best-so-far record: train + resume ends as the uninterrupted run, lines after the checkpoint are cut', async () => {
    const whole = join(root, 'whole');
    const split = join(root, 'split');
    const [a, b] = await Promise.all([rl(['train', ...FLAGS, '--total-steps', '2048', '--out', whole]), rl(['train', ...FLAGS, '--total-steps', '1280', '--out', split])]);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    const bestBefore = runJson(split).models!.model!;
    // an evaluation line written after the last checkpoint (iteration 10) by a process that then died
    const stray = { ...readEvaluations(join(split, 'evaluations.jsonl')).at(-1)!, iteration: 12, envSteps: 1536, mean: 1e6, best: true };
    appendFileSync(join(split, 'evaluations.jsonl'), `${JSON.stringify(stray)}\n`);
    const r = await rl(['resume', split, '--total-steps', '2048']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const evals = readEvaluations(join(split, 'evaluations.jsonl'));
    expect(evals.some((e) => e.mean === 1e6)).toBe(false);
    expect(withoutSeconds(evals)).toEqual(withoutSeconds(readEvaluations(join(whole, 'evaluations.jsonl'))));
    // the best found before the resume is still the best unless a later evaluation beat it
    const models = runJson(split).models!;
    const later = evals.filter((e) => e.iteration > 10 && e.mean >= bestBefore.evaluation!.mean);
    expect(models.model!.iteration).toBe(later.length ? later.at(-1)!.iteration : bestBefore.iteration);
    const strip = (m: RunFile['models']): unknown => JSON.parse(JSON.stringify(m, (k, v: unknown) => (k === 'seconds' ? undefined : v)));
    expect(strip(models)).toEqual(strip(runJson(whole).models));
    expect((await weightsOf(join(split, 'model'))).weights).toEqual((await weightsOf(join(whole, 'model'))).weights);
    expect((await weightsOf(join(split, 'model-last'))).weights).toEqual((await weightsOf(join(whole, 'model-last'))).weights);
  });
});
