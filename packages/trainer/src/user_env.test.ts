/**
 * A user's own env, as a newcomer registers it: no native vector env (training falls back to
 * generic vectorization) and no getState() (training and checkpoints still work, the state has
 * no runner part, one warning says what that costs); the saved policy names env and config.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete, register, Rng, type Env, type StepResult } from '@rl/env';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createTrainer, TIMING_FIELDS, type IterationMetrics } from './trainer.js';
import { resolveConfig } from './config.js';

/** Walk to the origin on a line: position x ∈ [−1, 1], actions left/right, reward −|x|, ends within 0.05 of 0. */
class Reach implements Env<number> {
  readonly id = 'Reach-v0';
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private x = 0;
  private rng = new Rng(0);
  get unwrapped(): Env<number> {
    return this;
  }
  reset(opts: { seed?: number } = {}) {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.x = this.rng.float() < 0.5 ? -0.8 : 0.8;
    return { obs: Float32Array.of(this.x), info: {} };
  }
  step(a: number): StepResult {
    this.x = Math.max(-1, Math.min(1, this.x + (a === 1 ? 0.1 : -0.1)));
    return { obs: Float32Array.of(this.x), reward: -Math.abs(this.x), terminated: Math.abs(this.x) < 0.05, truncated: false, info: {} };
  }
  close(): void {}
}
register('Reach-v0', { entryPoint: () => new Reach(), maxEpisodeSteps: 40 });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const numbers = (m: IterationMetrics) => Object.fromEntries(Object.entries(m).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k)));

describe('a user env without a native vector env or getState()', () => {
  it('trains with generic vectorization, checkpoints without a runner part, warns once, and resumes reproducibly', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(JSON.parse(l) as { level: number; msg: string }) });
    const cfg = { env: 'Reach-v0', seed: 2, numEnvs: 4, stepsPerIter: 16, backend: 'cpu', lr: 0.01 } as const;
    expect(resolveConfig(cfg).envVectorization).toBe('auto'); // the default: native where registered, else generic
    const t = await createTrainer(cfg, { logger });
    try {
      const first = [t.step(), t.step(), t.step()];
      expect(first.map((m) => m.envSteps)).toEqual([64, 128, 192]);
      for (const m of first) for (const k of ['rolloutSeconds', 'updateSeconds'] as const) expect(Number.isFinite(m[k]) && m[k] >= 0).toBe(true);
      const state = structuredClone(t.getState());
      expect(state.runner).toBeUndefined();
      const warnings = lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toMatch(/env Reach-v0 cannot save its state .* a resumed run restarts its episodes/);
      // two resumes from the one state agree with each other (episodes restart from the saved stream)
      const a = await createTrainer(cfg, { logger });
      const b = await createTrainer(cfg, { logger });
      a.setState(state);
      b.setState(state);
      expect([a.step(), a.step()].map(numbers)).toEqual([b.step(), b.step()].map(numbers));
      expect(a.iteration).toBe(5);
      a.dispose();
      b.dispose();
    } finally {
      t.dispose();
    }
  });

  it('saves the policy with metadata { envId, config } beside its spaces', async () => {
    const t = await createTrainer({ env: 'Reach-v0', seed: 1, numEnvs: 2, stepsPerIter: 8, backend: 'cpu', logLevel: 'silent' });
    const dir = mkdtempSync(join(tmpdir(), 'rl-meta-'));
    dirs.push(dir);
    try {
      t.step();
      await t.savePolicy(join(dir, 'model'));
      const json = JSON.parse(readFileSync(join(dir, 'model', 'policy.json'), 'utf8')) as { metadata: { envId: string; config: Record<string, unknown> }; observationSpace: unknown };
      expect(json.metadata.envId).toBe('Reach-v0');
      expect(json.metadata.config).toEqual(JSON.parse(JSON.stringify(t.config)));
      expect(json.observationSpace).toMatchObject({ type: 'Box', shape: [1] });
    } finally {
      t.dispose();
    }
  });
});
