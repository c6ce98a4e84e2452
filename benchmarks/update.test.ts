import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('update benchmark (quick smoke run)', () => {
  it('times ours on wasm and cpu, skips webgpu with its reason, runs the ablation, two threads (updateWorkers 2), the profile and the peer (or says why not), writes JSON, markdown and a RESULTS section', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'update-bench-'));
    process.env.RL_BENCH_RESULTS_DIR = dir;
    process.env.RL_BENCH_RESULTS_MD = join(dir, 'RESULTS.md');
    const { runUpdateBench } = await import('./update.js');
    const r = await runUpdateBench({ batches: [64, 128], backends: ['wasm', 'cpu', 'webgpu'], seconds: 0.01, repeats: 1, peerThreads: [1], peerSeconds: 0.01, log: () => undefined });
    expect(r.rows.map((x) => [x.backend, x.batch])).toEqual([['wasm', 64], ['wasm', 128], ['cpu', 64], ['cpu', 128]]);
    for (const row of r.rows) {
      expect(Number.isFinite(row.ms) && row.ms > 0).toBe(true);
      expect(row.updatesPerRun).toBeGreaterThanOrEqual(2);
    }
    // webgpu is either measured or skipped with the reason initTf gave
    if (!r.rows.some((x) => x.backend === 'webgpu')) expect(r.skipped.find((s) => s.backend === 'webgpu')?.reason).toMatch(/\w{8}/);
    expect(r.ablation).toHaveLength(12);
    for (const a of r.ablation) expect(Number.isFinite(a.ms) && a.ms > 0).toBe(true);
    // updateWorkers 2: a real gradient thread, its summed gradient equal to one thread's, one thread timed in the same rounds
    expect(r.twoThreads.map((t) => t.batch)).toEqual([64, 128]);
    for (const t of r.twoThreads) {
      expect(Number.isFinite(t.ms) && t.ms > 0).toBe(true);
      expect(Number.isFinite(t.oneThread.ms) && t.oneThread.ms > 0).toBe(true);
      expect(t.gradientRelDiff).toBeLessThan(1e-5);
    }
    expect(r.profiles.map((p) => p.batch)).toEqual([64, 128]);
    expect(r.profiles[0]!.top[0]!.ms).toBeGreaterThan(0);
    expect(r.peer).toHaveLength(1);
    const peer = r.peer[0]!;
    if (peer.ran) {
      expect(peer.blas!.some((b) => /openblas/.test(b))).toBe(true);
      for (const b of [64, 128]) expect(peer.ms[b]).toBeGreaterThan(0);
      expect(peer.command).toMatch(/^env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \/usr\/bin\/python3 benchmarks\/peers\/torch_reinforce\/update_bench.py --threads 1/);
    } else {
      expect(peer.note).toMatch(/^skipped: /);
    }
    const json = JSON.parse(readFileSync(join(dir, 'update.json'), 'utf8'));
    expect(json.data.rows).toHaveLength(4);
    expect(json.data.load.before).toMatch(/\d/);
    const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    expect(md).toContain('<!-- begin update -->');
    expect(md).toMatch(/\| 128 \| [\d.]+ \([\d.]+\) \| [\d.]+ \([\d.]+\) \|/);
    expect(md).toContain(peer.ran ? 'Peer, 1 thread: ran:' : 'Peer, 1 thread: peer skipped:');
    expect(existsSync(join(dir, 'update.md'))).toBe(true);
  }, 180_000);
});
