import { describe, expect, it } from 'vitest';
import { runTorchPeer } from './torch_peer.js';

describe('runTorchPeer with jsonLines (the peer REINFORCE script: progress lines, then a summary)', () => {
  it('returns every line, the summary as json, the BLAS of the summary\'s config and the process seconds; or says why it was skipped', () => {
    const r = runTorchPeer('reinforce.py', ['--num-envs', '4', '--steps-per-rollout', '16', '--total-steps', '256', '--log-every', '64', '--threads', '1', '--seed', '3'], { jsonLines: true, timeoutMs: 120_000 });
    if (!r.ran) {
      expect(r.note).toMatch(/^skipped: /);
      return;
    }
    expect(r.command).toMatch(/^env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \/usr\/bin\/python3 benchmarks\/peers\/torch_reinforce\/reinforce.py --num-envs 4/);
    expect(r.lines!.length).toBeGreaterThanOrEqual(2);
    expect(r.lines!.slice(0, -1).every((l) => l.type === 'progress')).toBe(true);
    expect(r.json).toBe(r.lines![r.lines!.length - 1]);
    expect(r.json!.type).toBe('summary');
    expect(r.blas!.some((b) => /openblas/i.test(b))).toBe(true);
    expect(r.seconds).toBeGreaterThan(0);
  }, 150_000);
});
