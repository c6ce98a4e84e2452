import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('rollout-workers benchmark (quick smoke run)', () => {
  it('times the single-process runner and a 1-worker runner, writes JSON, markdown, SVG and a RESULTS section', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workers-bench-'));
    process.env.RL_BENCH_RESULTS_DIR = dir;
    process.env.RL_BENCH_RESULTS_MD = join(dir, 'RESULTS.md');
    const { runWorkersBench } = await import('./rollout-workers.js');
    const r = await runWorkersBench({ ns: [64], workers: [1], seconds: 0.05, repeats: 1, peer: false, log: () => undefined });
    expect(r.rows.map((x) => [x.n, x.workers])).toEqual([[64, 0], [64, 1]]);
    for (const row of r.rows) expect(row.stepsPerSec).toBeGreaterThan(0);
    const json = JSON.parse(readFileSync(join(dir, 'rollout-workers.json'), 'utf8'));
    expect(json.data.rows).toHaveLength(2);
    expect(json.data.load.before).toMatch(/\d/);
    expect(readFileSync(join(dir, 'rollout-workers.svg'), 'utf8')).toMatch(/^<svg/);
    const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    expect(md).toContain('<!-- begin rollout-workers -->');
    expect(md).toMatch(/\| 64 \| [\d,]+ \| [\d,]+ \|/);
    expect(existsSync(join(dir, 'rollout-workers.md'))).toBe(true);
  });
});
