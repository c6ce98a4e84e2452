import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { initTf, tf } from '@rl/tf';
import { resolveDistributed, type DistributedInput } from './config.js';
import { runActor } from './actor.js';
import { MODEL_DIR, runLearner, type RoundMetrics } from './learner.js';
import { loadPolicyModel } from '@rl/policy';
import { encodeGrad, encodeStats, FORMAT_VERSION } from './protocol.js';
import { freePort, startLocalNats, type LocalNats } from './nats_server.js';
import { saveCheckpoint } from './checkpoint.js';
import { buildPolicy, createShardRollout } from './shard.js';
import { resolveConfig } from '@rl/trainer';

let nats: LocalNats;
const dirs: string[] = [];
beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  nats = await startLocalNats();
});
afterAll(async () => {
  await nats?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rl-dist-'));
  dirs.push(d);
  return d;
}

const train = { env: 'CartPole-v1', seed: 3, numEnvs: 4, stepsPerIter: 16, backend: 'cpu', logLevel: 'silent', hidden: [16] } as const;

describe('learner and actors in one process over loopback NATS', () => {
  it('trains k = 2 shards, rejects garbage, truncated and wrong-version messages and goes on', async () => {
    const dir = tmp();
    const base: DistributedInput = { nats: nats.url, shards: 2, run: 'inproc', checkpointDir: dir, iterations: 6, roundTimeoutMs: 5000, train };
    const before = tf.memory().numTensors;
    const nc = await connect({ servers: nats.url });
    const valid = encodeStats({ round: 1, version: 0, shard: 0, instance: 1, samples: 1, retSum: 0, retSumSq: 0, retCount: 1, episodes: 0, epReturnSum: 0, epReturnMin: 0, epReturnMax: 0, epLengthSum: 0 });
    const wrongVersion = valid.slice();
    new DataView(wrongVersion.buffer).setUint16(4, FORMAT_VERSION + 1, true);
    const grad = encodeGrad({ round: 2, version: 1, shard: 1, instance: 1, samples: 64, numEnvs: 4, loss: 0, entropy: 0, grads: [new Float32Array(10)] });
    const rounds: RoundMetrics[] = [];
    let lastWeights: Float32Array[] = [];
    const learner = runLearner(resolveDistributed({ ...base, role: 'learner' }), {
      onRound: (m, d) => {
        rounds.push(m);
        lastWeights = d.weights;
        if (m.round === 2) {
          // between rounds: junk on both subjects
          nc.publish('rl.inproc.stats', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]));
          nc.publish('rl.inproc.stats', valid.subarray(0, 30));
          nc.publish('rl.inproc.stats', wrongVersion);
          nc.publish('rl.inproc.grads', grad.subarray(0, 40)); // cut inside the header
          nc.publish('rl.inproc.grads', grad); // one array of 10 values: wrong shape
          // a well-formed gradient of round 1 (CartPole, hidden [16]: 64 + 16 + 32 + 2 values): stale
          nc.publish('rl.inproc.grads', encodeGrad({ round: 1, version: 0, shard: 0, instance: 1, samples: 64, numEnvs: 4, loss: 0, entropy: 0, grads: [64, 16, 32, 2].map((n) => new Float32Array(n).fill(1e3)) }));
        }
      },
    });
    const actors = [0, 1].map((shard) => runActor(resolveDistributed({ ...base, role: 'actor', shard }), { instance: 100 + shard }));
    const [res, ...acts] = await Promise.all([learner, ...actors]);
    await nc.close();
    expect(res.reason).toBe('iterations');
    expect(res.version).toBe(6);
    expect(res.rejected.garbage).toBeGreaterThanOrEqual(1);
    expect(res.rejected.truncated).toBeGreaterThanOrEqual(2);
    expect(res.rejected.version).toBe(1);
    expect(res.rejected.shape).toBe(1);
    expect(res.rejected.stale).toBeGreaterThanOrEqual(1);
    for (const a of acts) expect(a.reason).toBe('final');
    expect(rounds.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of rounds) {
      expect(r.shards).toEqual([0, 1]);
      expect(r.samples).toBe(2 * 4 * 16);
      expect(Number.isFinite(r.gradNorm)).toBe(true);
      expect(r.bytes.grads).toBeGreaterThan(0);
    }
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RoundMetrics);
    expect(lines.at(-1)!.rejected.version).toBe(1);
    // the final policy, loadable by the framework's own loader, holds the learner's last weights
    const saved = await loadPolicyModel(join(dir, MODEL_DIR));
    expect(saved.metadata).toMatchObject({ envId: 'CartPole-v1', distributed: { run: 'inproc', version: 6, shards: 2 } });
    expect(saved.getWeights()).toEqual(lastWeights);
    saved.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sends weights and gradients above 1 MB (NATS max_payload) through the Object Store', async () => {
    const dir = tmp();
    // [512, 512]: 265,218 parameters, 1.06 MB as float32
    const big = { ...train, hidden: [512, 512], numEnvs: 2, stepsPerIter: 4 };
    const base: DistributedInput = { nats: nats.url, shards: 2, run: 'big', checkpointDir: dir, iterations: 1, roundTimeoutMs: 30_000, train: big };
    const rounds: RoundMetrics[] = [];
    const [res] = await Promise.all([
      runLearner(resolveDistributed({ ...base, role: 'learner' }), { onRound: (m) => rounds.push(m) }),
      ...[0, 1].map((shard) => runActor(resolveDistributed({ ...base, role: 'actor', shard }), { instance: 200 + shard })),
    ]);
    expect(res.version).toBe(1);
    expect(rounds).toHaveLength(1);
    for (const r of rounds) {
      expect(r.shards).toEqual([0, 1]);
      expect(r.bytes.grads).toBeGreaterThan(2 * 1_048_576);
      expect(r.bytes.weights).toBeGreaterThan(3 * 1_000_000);
    }
    expect(Object.values(res.rejected).every((n) => n === 0)).toBe(true);
  });

  it('a shard replays its envs exactly from round 1, and a replacement joining later (epoch > 0) gets fresh seeds', () => {
    const cfg = resolveConfig(train);
    const policy = buildPolicy(cfg);
    const obs = (epoch: number) => {
      const r = createShardRollout(policy, cfg, 1, 4, epoch);
      const b = r.runner.rollout(3);
      const o = Array.from(b.obs.dataSync());
      b.dispose();
      r.dispose();
      return o;
    };
    expect(obs(0)).toEqual(obs(0));
    expect(obs(7)).toEqual(obs(7));
    expect(obs(7)).not.toEqual(obs(0));
    policy.dispose();
  });

  it('a server that goes away for good ends learner and actor with an error naming its URL, not a hang', async () => {
    const own = await startLocalNats();
    const base: DistributedInput = { nats: own.url, shards: 1, run: 'lost', checkpointDir: tmp(), iterations: 1_000_000, roundTimeoutMs: 60_000, reconnectAttempts: 1, train };
    let stopped = false;
    const learner = runLearner(resolveDistributed({ ...base, role: 'learner' }), {
      onRound: (m) => {
        if (m.version === 2 && !stopped) {
          stopped = true;
          void own.stop();
        }
      },
    });
    const actor = runActor(resolveDistributed({ ...base, role: 'actor', shard: 0 }), { instance: 300 });
    const [l, a] = await Promise.allSettled([learner, actor]);
    expect(stopped).toBe(true);
    for (const r of [l, a]) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toContain(`lost the connection to NATS at ${own.url}`);
    }
  });

  it('an actor that starts before a new run under a finished run id waits for its learner instead of exiting on the old final weights', async () => {
    const base: DistributedInput = { nats: nats.url, shards: 1, run: 'again', iterations: 2, roundTimeoutMs: 30_000, train };
    const [first] = await Promise.all([runLearner(resolveDistributed({ ...base, role: 'learner', checkpointDir: tmp() })), runActor(resolveDistributed({ ...base, role: 'actor' }), { instance: 1 })]);
    expect(first.version).toBe(2);
    const actor = runActor(resolveDistributed({ ...base, role: 'actor' }), { instance: 2 });
    await new Promise((r) => setTimeout(r, 500)); // it has read the old final weights by now
    const second = await runLearner(resolveDistributed({ ...base, role: 'learner', checkpointDir: tmp() }));
    expect(second.version).toBe(2);
    expect(await actor).toMatchObject({ reason: 'final', gradients: 2 });
  });

  it('refuses a checkpoint of another config and an unreachable server, naming the directory / URL, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const dir = tmp();
    saveCheckpoint(dir, { configKey: '{"env":"Pendulum-v1"}', version: 3, round: 3, envSteps: 0, episodes: 0, ema: undefined, recentReturns: [], weights: [], optimizer: { kind: 'adam', step: 3, lr: 1e-3, m: [], v: [] }, wallSeconds: 0 });
    await expect(runLearner(resolveDistributed({ nats: nats.url, role: 'learner', run: 'other', checkpointDir: dir, train }))).rejects.toThrow(`checkpoint in ${dir} was written by a run with another config`);
    const url = `nats://127.0.0.1:${await freePort()}`;
    await expect(runLearner(resolveDistributed({ nats: url, role: 'learner', run: 'nowhere', checkpointDir: tmp(), connectAttempts: 2, connectBackoffMs: 10, train }))).rejects.toThrow(`cannot reach NATS at ${url} after 2 attempts`);
    await expect(runActor(resolveDistributed({ nats: url, role: 'actor', run: 'nowhere', connectAttempts: 1, train }))).rejects.toThrow(`cannot reach NATS at ${url} after 1 attempt `);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an actor with another training config stops with an error saying so; an aborted learner returns', async () => {
    const base: DistributedInput = { nats: nats.url, shards: 1, run: 'mismatch', checkpointDir: tmp(), iterations: 5, roundTimeoutMs: 30_000, train };
    const ac = new AbortController();
    const learner = runLearner(resolveDistributed({ ...base, role: 'learner' }), { signal: ac.signal });
    await expect(runActor(resolveDistributed({ ...base, role: 'actor', train: { ...train, gamma: 0.5 } }))).rejects.toThrow(/were made for another training config .*give every process the same config/);
    ac.abort();
    expect(await learner).toMatchObject({ reason: 'aborted', version: 0 });
  });
});
