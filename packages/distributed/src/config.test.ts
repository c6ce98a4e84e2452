import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributedConfigError, readConfigFile, resolveDistributed } from './config.js';
import { parseDistributedArgs } from './command.js';
import { CHECKPOINTS_DIR, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { meanStd } from './shard.js';
import { envStreams } from './sampling.js';
import { readLatestCheckpoint } from '@rl/trainer/checkpoint';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('distributed config', () => {
  it('fills defaults, takes the shard from JOB_COMPLETION_INDEX, and lists every bad field', () => {
    const o = resolveDistributed({ nats: 'nats://nats:4222', role: 'actor', shards: 4 }, { JOB_COMPLETION_INDEX: '3' });
    expect(o.shard).toBe(3);
    expect(o.quorum).toBe(4);
    expect(o.train.numEnvs).toBe(16);
    let err: Error | undefined;
    try {
      resolveDistributed({ nats: 'http://x', role: 'boss' as 'actor', shard: 5, shards: 2, train: { baseline: 'gae', gamma: 3 } }, {});
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(DistributedConfigError);
    for (const part of ['nats = "http://x"', 'role = "boss"', 'shard = 5: must be < shards (2)', 'train.gamma = 3', 'train.baseline = "gae"']) expect(err!.message).toContain(part);
  });

  it('refuses evaluations during training (no best policy is kept in distributed runs)', () => {
    expect(() => resolveDistributed({ nats: 'nats://nats:4222', role: 'learner', train: { evalEvery: 10_000 } }, {})).toThrow(/train\.evalEvery = 10000: evaluations during training .* are not part of distributed runs/);
    expect(resolveDistributed({ nats: 'nats://nats:4222', role: 'learner', train: { evalEvery: 0 } }, {}).train.evalEvery).toBe(0);
  });

  it('the example config files resolve', () => {
    const dir = join(import.meta.dirname, '..', 'examples');
    for (const f of readdirSync(dir)) {
      const o = resolveDistributed({ ...readConfigFile(join(dir, f)), nats: 'nats://nats:4222', role: 'learner' }, {});
      expect(o.shards, f).toBeGreaterThan(1);
    }
  });

  it('parses the flags of rl train --distributed, train fields included', () => {
    const o = parseDistributedArgs(['--distributed', '--nats', 'nats://h:1', '--role', 'learner', '--shards', '3', '--num-envs', '8', '--hidden', '32,32', '--normalize-advantages', 'false', '--lr', '3e-3']);
    expect(o).toMatchObject({ nats: 'nats://h:1', role: 'learner', shards: 3, train: { numEnvs: 8, hidden: [32, 32], normalizeAdvantages: false, lr: 0.003 } });
    expect(() => parseDistributedArgs(['--shards', 'two'])).toThrow('--shards: "two" is not a number');
    expect(() => parseDistributedArgs(['--bogus', '1'])).toThrow(/bogus/);
  });
});

describe('learner checkpoint', () => {
  it('round-trips exactly through an atomic write in the common checkpoint format, keeps the newest two, and names a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-ckpt-'));
    dirs.push(dir);
    expect(loadCheckpoint(dir)).toBeUndefined();
    const c = {
      configKey: '{"env":"CartPole-v1"}',
      version: 12,
      round: 14,
      envSteps: 7680,
      episodes: 33,
      ema: 21.5,
      recentReturns: [100, 5, 80, 4],
      weights: [Float32Array.of(1, 2, 3), Float32Array.of(-0.5)],
      optimizer: { kind: 'adam' as const, step: 12, lr: 0.001, m: [Float32Array.of(0.1, 0.2, 0.3), Float32Array.of(4)], v: [Float32Array.of(1e-8, 2, 3), Float32Array.of(5)] },
      wallSeconds: 3.25,
    };
    for (const v of [10, 11, 12]) saveCheckpoint(dir, { ...c, version: v });
    expect(readdirSync(dir)).toEqual([CHECKPOINTS_DIR]);
    expect(readdirSync(join(dir, CHECKPOINTS_DIR))).toEqual(['ckpt-00000011', 'ckpt-00000012']);
    // the same directory layout rl train writes: readable by @rl/trainer/checkpoint as is
    expect(readLatestCheckpoint(join(dir, CHECKPOINTS_DIR))).toMatchObject({ iteration: 12, envSteps: 7680, wallSeconds: 3.25 });
    expect(loadCheckpoint(dir)).toEqual(c);
    const bin = join(dir, CHECKPOINTS_DIR, 'ckpt-00000012', 'state.bin');
    writeFileSync(bin, Buffer.from('RLCK'));
    expect(() => loadCheckpoint(dir)).toThrow(`${bin}: `);
    expect(existsSync(bin)).toBe(true);
  });
});

describe('helpers', () => {
  it('meanStd matches the two-pass formula (n − 1)', () => {
    const xs = [1, 4, 4, 7, 9.5];
    const m = xs.reduce((a, b) => a + b) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    const r = meanStd(xs.reduce((a, b) => a + b), xs.reduce((a, b) => a + b * b, 0), xs.length);
    expect(r.mean).toBeCloseTo(m, 12);
    expect(r.std).toBeCloseTo(sd, 12);
  });

  it('env j samples from the same stream whatever shard it lands in', () => {
    const all = envStreams(77, 0, 6).map((r) => r.float());
    const shard1of3 = envStreams(77, 2, 2).map((r) => r.float());
    expect(shard1of3).toEqual(all.slice(2, 4));
  });
});
