import { describe, expect, it } from 'vitest';
import { runRolloutPeer, runTorchPeer } from './torch_peer.js';

describe('the PyTorch peer at its best (lib/torch_peer.ts)', () => {
  it('runs rollout_bench.py on 2 threads and 1 with the OPENBLAS_* pins unset, keeps the faster per N and says which (or why it was skipped)', () => {
    const r = runRolloutPeer([4, 16], { steps: 30, repeats: 1 });
    expect(r.runs.map((x) => x.threads)).toEqual([2, 1]);
    if (!r.ran) {
      expect(r.note).toMatch(/^skipped: (torch is missing|OpenBLAS is missing|the peer failed)/);
      return;
    }
    for (const run of r.runs) {
      expect(run.note).toMatch(new RegExp(`^ran: \`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 benchmarks/peers/torch_reinforce/rollout_bench.py --threads ${run.threads} --ns 4,16 `));
      expect(run.blas!.some((b) => /openblas/.test(b))).toBe(true);
    }
    for (const n of [4, 16]) {
      const best = Math.max(...r.runs.map((x) => x.stepsPerSec[n]!));
      expect(r.stepsPerSec[n]).toBe(best);
      expect(r.runs.find((x) => x.threads === r.threads[n])!.stepsPerSec[n]).toBe(best);
    }
    expect(r.note).toMatch(/^2 threads: ran: .*; 1 thread: ran: /);
  }, 120_000);

  it('reads a script\'s JSON-lines output (reinforce.py: progress lines, then a summary naming its BLAS)', () => {
    const r = runTorchPeer('reinforce.py', ['--num-envs', '4', '--steps-per-rollout', '8', '--total-steps', '256', '--threads', '1', '--log-every', '64']);
    if (!r.ran) {
      expect(r.note).toMatch(/^skipped: /);
      return;
    }
    expect(r.json!.type).toBe('summary');
    expect(r.json!.total_env_steps).toBe(256);
    expect(r.blas!.some((b) => /openblas/.test(b))).toBe(true);
    expect(r.lines.filter((l) => l.type === 'progress').length).toBeGreaterThan(0);
  }, 120_000);
});
