/**
 * One training path: `rl train` (a real child process) and `train()` in this process, same
 * config and seed, write the same metrics rows, field for field, except the timing fields — and
 * stop at the same iteration for the same reason.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTf } from '@rl/tf';
import { resolveConfig, TIMING_FIELDS, train, type IterationMetrics } from '@rl/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { rl } from './harness.js';
import { readMetrics } from './metrics.js';

const root = mkdtempSync(join(tmpdir(), 'rl-identity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const timeless = (rows: readonly Record<string, unknown>[]): Record<string, unknown>[] => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k))));

describe('rl train and train() are one training path', () => {
  it('the same config and seed give identical metrics rows (except timings) and the same stop', async () => {
    const dir = join(root, 'run');
    const env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) }; // only the flags below and the trainer's defaults
    const partial = { env: 'CartPole-v1', seed: 4, numEnvs: 8, stepsPerIter: 32, totalSteps: 12_800, targetReturn: 45, evalEpisodes: 0, baseline: 'ema', lrDecay: 'linear', lr: 0.005, backend: 'cpu' } as const;
    const cli = rl(['train', '--out', dir, '--env', 'CartPole-v1', '--seed', '4', '--num-envs', '8', '--steps-per-iter', '32', '--total-steps', '12800', '--target-return', '45', '--eval-episodes', '0', '--baseline', 'ema', '--lr-decay', 'linear', '--lr', '0.005', '--backend', 'cpu', '--checkpoint-every', '3', '--curve-seconds', '60'], { env });

    await initTf({ backend: 'cpu' });
    const rows: IterationMetrics[] = [];
    const { trainer, result } = await train(partial, { onIteration: (m) => rows.push(m) });
    trainer.dispose();

    const r = await cli;
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(resolveConfig(partial))));
    const written = readMetrics(join(dir, 'metrics.jsonl'));
    expect(written.length).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(3);
    // as rows of metrics.jsonl (JSON: NaN is written as null)
    expect(timeless(written)).toEqual(timeless(JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[]));
    for (const k of TIMING_FIELDS) expect(written[0]).toHaveProperty(k); // the timings are there, only not compared
    // the stop rule is the trainer's: target return once the window of 20 episodes is full
    expect(result.reason).toBe('targetReturn');
    expect(r.stdout).toContain(`target return reached: ${rows.length} iterations`);
  });
});
