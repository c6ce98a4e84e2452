import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNats } from '@rl/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rl } from './harness.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-dist-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rl train --distributed (real processes over a real nats-server)', () => {
  it('a learner and an actor run 3 rounds and exit 0; the learner saves its checkpoint and model', async () => {
    const nats = await startLocalNats();
    try {
      const common = ['train', '--distributed', '--nats', nats.url, '--shards', '1', '--num-envs', '8', '--steps-per-iter', '16', '--run', 'cli-test', '--backend', 'cpu'];
      const ck = join(root, 'ck');
      const [learner, actor] = await Promise.all([rl([...common, '--role', 'learner', '--iterations', '3', '--checkpoint-dir', ck]), rl([...common, '--role', 'actor', '--shard', '0'])]);
      expect(learner.status, learner.stderr).toBe(0);
      expect(actor.status, actor.stderr).toBe(0);
      const last = (out: string): Record<string, unknown> => JSON.parse(out.trimEnd().split('\n').pop()!) as Record<string, unknown>;
      expect(last(learner.stdout)).toMatchObject({ role: 'learner', reason: 'iterations', version: 3 });
      expect(last(actor.stdout)).toMatchObject({ role: 'actor', reason: 'final', gradients: 3 });
      expect(existsSync(join(ck, 'model', 'model.json'))).toBe(true);
    } finally {
      await nats.stop();
    }
  }, 120_000);

  it('bad distributed flags: a clear message and a non-zero exit', async () => {
    const [noNats, stray, own] = await Promise.all([
      rl(['train', '--distributed', '--role', 'learner', '--shards', '1']),
      rl(['train', '--nats', 'nats://127.0.0.1:1', '--out', join(root, 'never')]),
      rl(['train', '--distributed', '--nats', 'nats://127.0.0.1:1', '--role', 'actor', '--out', join(root, 'never')]),
    ]);
    expect(noNats.status).not.toBe(0);
    expect(noNats.stderr).toMatch(/^rl train: invalid distributed config[^]*nats/m);
    expect(stray.status).not.toBe(0);
    expect(stray.stderr).toContain('--nats only apply with --distributed');
    // one parser: rl train's own run flags are refused with --distributed, by the same commander parse
    expect(own.status).not.toBe(0);
    expect(own.stderr).toContain('--out only apply without --distributed');
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
