import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('distributed benchmark (quick smoke run)', () => {
  it('runs one process and a 1-actor distributed run over a real nats-server, writes JSON, markdown and a RESULTS section', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dist-bench-'));
    process.env.RL_BENCH_RESULTS_DIR = dir;
    process.env.RL_BENCH_RESULTS_MD = join(dir, 'RESULTS.md');
    const { runDistributedBench } = await import('./distributed.js');
    const r = await runDistributedBench({ envs: 8, steps: 4, actors: [1], rounds: 2, hidden: [8], backend: 'cpu', log: () => undefined });
    expect(r.rows.map((x) => x.actors)).toEqual([0, 1]);
    for (const row of r.rows) expect(row.stepsPerSec).toBeGreaterThan(0);
    expect(r.rows[1]!.bytesPerRound).toBeGreaterThan(r.rows[1]!.gradBytesPerActor!);
    expect(r.parameters).toBe(4 * 8 + 8 + 8 * 2 + 2);
    const json = JSON.parse(readFileSync(join(dir, 'distributed.json'), 'utf8'));
    expect(json.data.rows).toHaveLength(2);
    expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).toContain('<!-- begin distributed -->');
  });
});
