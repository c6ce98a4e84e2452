import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('env-throughput benchmark (quick smoke run)', () => {
  it('measures every env, both vectorizations, and writes JSON, markdown and a RESULTS section', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-bench-'));
    process.env.RL_BENCH_RESULTS_DIR = dir;
    process.env.RL_BENCH_RESULTS_MD = join(dir, 'RESULTS.md');
    process.env.RL_BENCH_QUICK = '1';
    const { main } = await import('./env-throughput.js');
    const rows = main();
    expect(rows.length).toBe(5 * 2 * 2);
    for (const r of rows) expect(r.stepsPerSec).toBeGreaterThan(0);
    const json = JSON.parse(readFileSync(join(dir, 'env-throughput.json'), 'utf8'));
    expect(json.data.rows.length).toBe(20);
    expect(typeof json.data.goal.met).toBe('boolean');
    const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    expect(md).toContain('<!-- begin env-throughput -->');
    expect(md).toMatch(/Goal:\*\* native CartPole ≥ 30M env steps\/s/);
    expect(existsSync(join(dir, 'env-throughput.md'))).toBe(true);
  });
});
