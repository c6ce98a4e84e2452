import { describe, expect, it } from 'vitest';

describe('train-workers benchmark (quick smoke run)', () => {
  it('trains in the learner thread and on 2 rollout workers with the trainer\'s update, and reports both', async () => {
    const { runTrainWorkersBench } = await import('./train-workers.js');
    const r = await runTrainWorkersBench({ workers: 2, numEnvs: 4, stepsPerIter: 16, maxSeconds: 1.5, peer: false, write: false, log: () => undefined });
    expect(r.rows.map((x) => x.workers)).toEqual([0, 2]);
    for (const row of r.rows) {
      expect(row.iterations).toBeGreaterThan(0);
      expect(row.envSteps).toBe(row.iterations * 4 * 16);
      expect(row.rolloutSeconds + row.updateSeconds).toBeLessThanOrEqual(row.seconds + 1e-6);
    }
    expect(r.peer).toEqual([]);
    expect(r.markdown).toMatch(/\| ours, 2 workers \| (yes|no) \|/);
    expect(r.markdown).toContain('Peer: skipped: --no-peer.');
  }, 60_000);
});
