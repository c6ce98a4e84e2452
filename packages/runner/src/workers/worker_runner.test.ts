import { makeVec } from '@rl/env';
import { createPolicy, type Policy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { describe, expect, it } from 'vitest';
import { createRunner } from '../rollout.js';
import type { RolloutBatch } from '../types.js';
import { createWorkerRunner, WorkerShardError, type WorkerRunner } from './worker_runner.js';

const FIELDS = ['obs', 'actions', 'rewards', 'terminated', 'truncated', 'finalObs', 'lastObs', 'mask'] as const;

/** Field-by-field equality of two batches: shapes, dtypes, every value, and the episode lists. */
function expectSameBatch(a: RolloutBatch, b: RolloutBatch, what: string): void {
  for (const f of FIELDS) {
    expect(a[f].shape, `${what}: ${f} shape`).toEqual(b[f].shape);
    expect(a[f].dtype, `${what}: ${f} dtype`).toBe(b[f].dtype);
    const x = a[f].dataSync();
    const y = b[f].dataSync();
    let firstDiff = -1;
    for (let i = 0; i < x.length && firstDiff < 0; i++) if (!Object.is(x[i], y[i])) firstDiff = i;
    expect(firstDiff, `${what}: ${f} first differing element`).toBe(-1);
  }
  expect(a.episodeReturns, `${what}: episodeReturns`).toEqual(b.episodeReturns);
  expect(a.episodeLengths, `${what}: episodeLengths`).toEqual(b.episodeLengths);
  expect([a.numSteps, a.steps, a.numEnvs]).toEqual([b.numSteps, b.steps, b.numEnvs]);
}

/** Moves every parameter a little (a stand-in for an optimizer step) so the next rollout must ship new weights. */
function perturb(policy: Policy, by: number): void {
  policy.setWeights(policy.getWeights().map((w) => w.map((v, i) => v + by * Math.sin(i + 1))));
}

function newPolicy(envId: string, seed: number): Policy {
  const probe = makeVec(envId, 1);
  return createPolicy(probe.singleObservationSpace, probe.singleActionSpace, { seed });
}

describe('createWorkerRunner', () => {
  it('rejects bad options on the learner before starting any thread', async () => {
    await initTf({ backend: 'cpu' });
    const policy = newPolicy('CartPole-v1', 1);
    expect(() => createWorkerRunner(policy, { envId: 'CartPole-v1', numEnvs: 4, workers: 5 })).toThrow(/workers \(5\) must not exceed numEnvs \(4\)/);
    expect(() => createWorkerRunner(policy, { envId: 'CartPole-v1', numEnvs: 4, workers: 0 })).toThrow(/workers must be an integer ≥ 1, got 0/);
    expect(() => createWorkerRunner(policy, { envId: 'Pendulum-v1', numEnvs: 4, workers: 2 })).toThrow(/observation space .* does not match env Pendulum-v1/);
    expect(() => createWorkerRunner(policy, { envId: 'NoSuchEnv-v0', numEnvs: 4, workers: 2 })).toThrow(/NoSuchEnv-v0/);
    policy.dispose();
  });

  // (b) + (c): with the mode as action, env seeding alone decides the batch: k = 1, k = 2 and the
  // single-process runner give identical batches, across rollouts and after a weight update.
  it.each([
    { backend: 'wasm' as const, envId: 'CartPole-v1', n: 7, ks: [1, 2], envOptions: { maxEpisodeSteps: 30 } }, // episodes end in every round (the mode balances the pole)
    { backend: 'cpu' as const, envId: 'Pendulum-v1', n: 6, ks: [2], envOptions: { maxEpisodeSteps: 30 } },
  ])('$backend $envId: deterministic k=$ks equals the single-process runner field by field; close leaves no threads or tensors', async ({ backend, envId, n, ks, envOptions }) => {
    await initTf({ backend });
    const policy = newPolicy(envId, 3);
    const single = createRunner(policy, makeVec(envId, n, { ...envOptions, seed: 11 }), { seed: 11, deterministic: true });
    tf.tidy(() => policy.act(tf.zeros([1, policy.observationSpace.size]))); // the fast path's derived weights exist from the first act on
    const before = tf.memory().numTensors;
    let episodes = 0;
    const runners: WorkerRunner[] = ks.map((k) => createWorkerRunner(policy, { envId, numEnvs: n, workers: k, seed: 11, deterministic: true, envOptions }));
    await Promise.all(runners.map((r) => r.ready()));
    expect(runners.map((r) => r.shards)).toEqual(ks.map((k) => (k === 1 ? [{ lo: 0, hi: n }] : [{ lo: 0, hi: Math.floor(n / 2) }, { lo: Math.floor(n / 2), hi: n }])));
    const outBuffers = runners.map(() => [] as ArrayBufferLike[]);
    for (const [round, steps] of [40, 25, 40].entries()) {
      if (round === 2) perturb(policy, 0.05);
      const ref = single.rollout(steps);
      for (const [j, r] of runners.entries()) {
        const b = r.rollout(steps);
        outBuffers[j]!.push(b.host!.obs.buffer);
        expectSameBatch(b, ref, `${envId} k=${ks[j]} round ${round}`);
        b.dispose();
      }
      episodes += ref.episodeReturns.length;
      ref.dispose();
    }
    expect(episodes).toBeGreaterThan(0); // finished episodes are compared too (CartPole falls; Pendulum is truncated at 30 steps)
    // round 2 (T = 40 again) wrote into round 0's shared arrays on wasm (its upload copies), and still equals the single-process
    // batch (nothing stale in finalObs); on cpu the tensors may share the arrays, so each batch has fresh ones
    for (const b of outBuffers) expect(b[2] === b[0] && b[1] !== b[0]).toBe(backend === 'wasm');
    for (const r of runners) {
      expect(r.stats).toEqual(single.stats);
      expect(r.lastShardMs).toHaveLength(r.numWorkers);
      for (const ms of r.lastShardMs) expect(ms).toBeGreaterThan(0);
      // each shard's own accounting: its thread's CPU time (Linux schedstat) fits in its wall time
      for (const t of r.lastShardTimes) {
        if (process.platform !== 'linux') continue;
        expect(t.cpuMs).toBeGreaterThan(0);
        expect(t.cpuMs).toBeLessThanOrEqual(t.wallMs + 10); // schedstat adds a running thread's time at scheduler ticks (≥ 100 Hz): a read lags by up to one
        expect(t.waitMs).toBeGreaterThanOrEqual(0);
      }
    }
    await Promise.all(runners.map((r) => r.close()));
    for (const r of runners) expect(r.aliveWorkers).toBe(0);
    expect(() => runners[0]!.rollout(4)).toThrow(/was closed/);
    single.dispose();
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });

  // (a) sampling: the same seed and k give identical batches, the weights shipped each rollout.
  it('wasm: same seed and k=2 with sampling → identical batches across two runners', async () => {
    await initTf({ backend: 'wasm' });
    const pa = newPolicy('CartPole-v1', 5);
    const pb = newPolicy('CartPole-v1', 5);
    const opts = { envId: 'CartPole-v1', numEnvs: 10, workers: 2, seed: 21 };
    const a = createWorkerRunner(pa, opts);
    const b = createWorkerRunner(pb, opts);
    const c = createWorkerRunner(pa, { ...opts, samplingSeed: 22 });
    try {
      for (let round = 0; round < 3; round++) {
        if (round === 1) {
          perturb(pa, 0.1);
          perturb(pb, 0.1);
        }
        const x = a.rollout(30);
        const y = b.rollout(30);
        const z = c.rollout(30);
        expectSameBatch(x, y, `round ${round}`);
        // Another sampling seed samples other actions (env seeding is the same: the first observations agree).
        expect(Array.from(z.actions.dataSync())).not.toEqual(Array.from(x.actions.dataSync()));
        if (round === 0) expect(Array.from(z.obs.slice([0, 0, 0], [1, 10, 4]).dataSync())).toEqual(Array.from(x.obs.slice([0, 0, 0], [1, 10, 4]).dataSync()));
        for (const t of [x, y, z]) t.dispose();
      }
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    pa.dispose();
    pb.dispose();
  });

  // (d) a shard that throws or dies: the rollout throws naming the shard, every thread exits.
  // exit-after: the thread dies while idle and the learner never yields to its event loop in between.
  it.each(['throw', 'exit', 'exit-after'] as const)('wasm: a shard that fails (%s) is reported with its env range; all workers stop', async (kind) => {
    await initTf({ backend: 'wasm' });
    const policy = newPolicy('CartPole-v1', 1);
    const before = tf.memory().numTensors;
    const atRollout = kind === 'exit-after' ? 1 : 2;
    const r = createWorkerRunner(policy, { envId: 'CartPole-v1', numEnvs: 9, workers: 3, seed: 1, faultInjection: { shard: 1, atRollout, kind } });
    let err: unknown;
    try {
      r.rollout(5).dispose(); // exit-after may already be seen here (the thread exits as it finishes), else by the next one
      r.rollout(5).dispose();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkerShardError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/createWorkerRunner\(CartPole-v1\): shard 1 \(envs 3–5 of 9\) failed: /);
    expect(msg).toMatch(kind === 'throw' ? /injected fault in shard 1 at rollout 2/ : /exited with code 7/);
    expect(msg).not.toMatch(/no answer within/); // detected at once, not by the timeout
    expect(msg).toMatch(/all 3 workers were stopped/);
    expect((err as WorkerShardError).shards.map((s) => [s.shard, s.lo, s.hi])).toEqual([[1, 3, 6]]);
    await r.close();
    expect(r.aliveWorkers).toBe(0);
    expect(() => r.rollout(5)).toThrow(/shard 1 \(envs 3–5 of 9\)/);
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });
});
