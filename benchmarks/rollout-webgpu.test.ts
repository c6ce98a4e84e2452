import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSwiftShader } from '@rl/tf';
import { describe, expect, it } from 'vitest';

describe('rollout-webgpu benchmark (smallest run, SwiftShader)', () => {
  it('measures webgpu beside wasm, counts kernels and read-backs, and says SwiftShader figures say nothing about a GPU', async () => {
    useSwiftShader(); // fails saying what to install when Chromium's SwiftShader is absent
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-bench-'));
    process.env.RL_BENCH_RESULTS_DIR = dir;
    process.env.RL_BENCH_RESULTS_MD = join(dir, 'RESULTS.md');
    const { runWebgpuBench } = await import('./rollout-webgpu.js');
    const r = await runWebgpuBench({ tensorNs: [64, 256], jsNs: [64], batches: [256], seconds: 0.05, repeats: 1, log: () => undefined });
    expect(r.backends.map((b) => b.backend)).toEqual(['webgpu', 'wasm']); // wasm added as the baseline
    const [gpu, wasm] = r.backends;
    expect(gpu!.adapter).toMatchObject({ software: true });
    expect(gpu!.tensor.map((p) => p.steps)).toEqual([2, 2]); // capped on a software adapter
    for (const b of [gpu!, wasm!]) {
      expect(b.tensor.map((p) => p.readBacks)).toEqual([1, 1]);
      expect(b.tensor[0]!.kernelsPerStep).toBe(b.tensor[1]!.kernelsPerStep); // constant in N
      expect(b.js[0]!.readBacks).toBe(b.js[0]!.steps); // one per vector step
      expect(b.update[0]!.batch).toBe(256);
    }
    expect(gpu!.tensor.map((p) => p.deviceReads)).toEqual([1, 1]);
    expect(wasm!.tensor[0]!.deviceReads).toBe(0);
    const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    expect(md).toContain('<!-- begin rollout-webgpu -->');
    expect(md).toContain('These figures say nothing about a GPU');
    expect(md).toMatch(/\| 64 \| [\d,]+ \| [\d,]+ \| [\d.]+× \| \d+ \| 1 \(1 GPU buffer map\) for T = 2 \|/);
    const json = JSON.parse(readFileSync(join(dir, 'rollout-webgpu.json'), 'utf8')) as { data: { backends: unknown[] } };
    expect(json.data.backends).toHaveLength(2);
  }, 240_000);
});
