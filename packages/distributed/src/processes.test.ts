/**
 * Real processes over a real nats-server on loopback: exactness of k actor processes against
 * one process with all k·N envs, killed actors and a killed learner, an unreachable server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTf, tf } from '@rl/tf';
import { createOptimizer, policyGradient, reinforceUpdate, resolveConfig, type TrainConfig } from '@rl/trainer';
import { resolveDistributed } from './config.js';
import { loadCheckpoint } from './checkpoint.js';
import { runLearner, type RoundMetrics } from './learner.js';
import { buildPolicy, createShardRollout, shardReturns } from './shard.js';
import { startLocalNats, freePort, type LocalNats } from './nats_server.js';
import { DISTRIBUTED_BIN } from './bin_path.js';

const BIN = DISTRIBUTED_BIN;
let nats: LocalNats;
const dirs: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  nats = await startLocalNats();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await nats?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rl-dist-'));
  dirs.push(d);
  return d;
}

interface Proc {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly exit: Promise<number | null>;
}

/** Spawns `rl-distributed` with flags; output kept for failure messages. */
function run(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RL_LOG_LEVEL: 'error', ...env } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

const maxAbsDiff = (a: ArrayLike<number>[], b: ArrayLike<number>[]): number => {
  let m = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j]! - b[i]![j]!));
  });
  return m;
};

/** One process, all k·N envs: the trainer's own update on the same rollout. */
function reference(train: TrainConfig, k: number): { gradient: Float32Array[]; weights: Float32Array[] } {
  const policy = buildPolicy(train);
  const rollout = createShardRollout(policy, train, 0, k * train.numEnvs);
  const optimizer = createOptimizer(policy.trainableVariables, { kind: train.optimizer, lr: train.lr });
  const batch = rollout.runner.rollout(train.stepsPerIter);
  try {
    const r = shardReturns(batch, train);
    const baseline = train.baseline === 'mean' ? r.sum / r.count : 0;
    const pg = policyGradient(policy, batch, { returnEstimator: train.returnEstimator, gamma: train.gamma, baseline, normalizeAdvantages: train.normalizeAdvantages, entCoef: train.entCoef });
    const gradient = pg.gradJ.map((g) => Float32Array.from(g.dataSync()));
    pg.dispose();
    reinforceUpdate({ policy, optimizer, ema: undefined }, batch, train, 1);
    return { gradient, weights: policy.getWeights() };
  } finally {
    batch.dispose();
    rollout.dispose();
    optimizer.dispose();
    policy.dispose();
  }
}

const flags = (t: Partial<TrainConfig>): string[] =>
  Object.entries(t).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, Array.isArray(v) ? v.join(',') : String(v)]);

describe('actor processes over loopback NATS', () => {
  it('k = 2 and k = 3 actor processes give the gradient and next weights of one process with k·N envs (1e-6)', async () => {
    const cases: { k: number; t: Partial<TrainConfig> }[] = [
      // batch-mean baseline and normalised advantages: global statistics from the two-phase round; Adam
      { k: 2, t: { env: 'CartPole-v1', seed: 5, numEnvs: 3, stepsPerIter: 20, baseline: 'mean', normalizeAdvantages: true, optimizer: 'adam', lr: 0.01, hidden: [16], backend: 'cpu' } },
      // reward-to-go, no baseline, entropy bonus, SGD; continuous actions
      { k: 3, t: { env: 'Pendulum-v1', seed: 9, numEnvs: 2, stepsPerIter: 15, baseline: 'none', normalizeAdvantages: false, entCoef: 0.01, optimizer: 'sgd', lr: 0.001, hidden: [8], backend: 'cpu' } },
    ];
    await Promise.all(
      cases.map(async ({ k, t }) => {
        const train = resolveConfig({ ...t, logLevel: 'silent' });
        const run_ = `exact${k}`;
        const actors = [...Array(k).keys()].map((shard) => run(['--distributed', '--nats', nats.url, '--role', 'actor', '--run', run_, '--shard', String(shard), '--shards', String(k), ...flags(t)]));
        let got: { gradient: Float32Array[]; weights: Float32Array[] } | undefined;
        // k = 3 sends θ through the Object Store (inline limit 0), k = 2 inline in the KV value
        const inlineLimit = k === 3 ? 0 : 1_000_000;
        const res = await runLearner(resolveDistributed({ nats: nats.url, role: 'learner', run: run_, shards: k, iterations: 1, roundTimeoutMs: 60_000, checkpointDir: tmp(), inlineLimit, train }), {
          onRound: (m, d) => {
            expect(m.shards).toEqual([...Array(k).keys()]);
            got = { gradient: d.gradient!, weights: d.weights };
          },
        });
        expect(res.version).toBe(1);
        const codes = await Promise.all(actors.map((a) => a.exit));
        expect(codes, actors.map((a) => a.out()).join('\n')).toEqual(actors.map(() => 0));
        const ref = reference(train, k);
        const zeros = (xs: Float32Array[]) => xs.map((g) => new Float32Array(g.length));
        // ∇θJ within 1e-6 relative to its largest component (Pendulum's reach ~80, where one
        // float32 ulp is 7.6e-6; the sums run in another order), θ' within 1e-6 absolute
        const scale = Math.max(1, maxAbsDiff(ref.gradient, zeros(ref.gradient)));
        expect(maxAbsDiff(got!.gradient, ref.gradient) / scale).toBeLessThan(1e-6);
        expect(maxAbsDiff(got!.weights, ref.weights)).toBeLessThan(1e-6);
        // and the update was not trivial
        expect(maxAbsDiff(got!.gradient, zeros(got!.gradient))).toBeGreaterThan(1e-3);
      }),
    );
  }, 120_000);
});

function metrics(dir: string): RoundMetrics[] {
  const p = join(dir, 'metrics.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RoundMetrics);
}

async function waitFor<T>(what: string, f: () => T | undefined, procs: Proc[], ms = 30_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; output:\n${procs.map((p) => p.out()).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('faults with real processes', () => {
  it('skips a killed actor, takes its replacement back, and a restarted learner resumes from its checkpoint', async () => {
    const dir = tmp();
    const t = { env: 'CartPole-v1', seed: 2, numEnvs: 4, stepsPerIter: 16, hidden: [16], backend: 'cpu' } as const;
    const common = ['--nats', nats.url, '--run', 'faults', '--shards', '2', '--round-timeout', '1500'];
    const learnerArgs = ['--distributed', ...common, '--role', 'learner', '--checkpoint-dir', dir, '--iterations', '1000000', ...flags(t)];
    const l1 = run(learnerArgs);
    // shard 0 from the Kubernetes Indexed Job variable, shard 1 from the flag
    const a0 = run([...common, '--role', 'actor', ...flags(t)], { JOB_COMPLETION_INDEX: '0' });
    const a1 = run([...common, '--role', 'actor', '--shard', '1', ...flags(t)]);
    const all = [l1, a0, a1];
    await waitFor('3 rounds with both shards', () => metrics(dir).find((m) => m.version >= 3 && m.shards.length === 2), all, 40_000);

    a1.child.kill('SIGKILL');
    expect(await a1.exit).toBe(null);
    const killedAt = metrics(dir).length;
    const skipped = await waitFor('a round that skipped shard 1', () => metrics(dir).slice(killedAt).find((m) => m.updated && m.skipped.includes(1) && m.shards.join() === '0'), all);
    expect(skipped.samples).toBe(4 * 16);

    // the replacement, from a JSON config file (flags win over the file)
    const cfg = join(dir, 'actor.json');
    writeFileSync(cfg, JSON.stringify({ nats: nats.url, run: 'faults', shards: 2, role: 'actor', roundTimeoutMs: 1500, train: t }));
    const a1b = run(['--config', cfg, '--shard', '1']);
    all.push(a1b);
    const back = await waitFor('shard 1 rejoining', () => metrics(dir).find((m) => m.rejoined.includes(1)), all);
    expect(back.shards).toEqual([0, 1]);
    expect(back.instances[1]).toBe(a1b.child.pid);

    l1.child.kill('SIGKILL');
    expect(await l1.exit).toBe(null);
    const before = metrics(dir).length;
    const ckpt = loadCheckpoint(dir)!;
    expect(ckpt.version).toBeGreaterThanOrEqual(metrics(dir).at(-1)!.version);
    const l2 = run(learnerArgs);
    all.push(l2);
    const resumed = await waitFor('a round of the restarted learner', () => metrics(dir)[before], all);
    expect(resumed.version).toBe(ckpt.version + 1);
    expect(resumed.round).toBe(ckpt.round + 2);
    expect(resumed.envSteps).toBe(ckpt.envSteps + resumed.samples);
    await waitFor('both shards with the restarted learner', () => metrics(dir).slice(before).find((m) => m.shards.length === 2), all);

    for (const p of [l2, a0, a1b]) p.child.kill('SIGTERM');
    expect(await Promise.all([l2.exit, a0.exit, a1b.exit])).toEqual([130, 130, 130]);
  }, 150_000);

  it('an unreachable NATS URL fails with an error naming it, within the retry budget', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const p = run(['--nats', url, '--role', 'actor', '--shards', '2', '--shard', '1', '--connect-attempts', '3', '--connect-backoff', '100', '--backend', 'cpu']);
    expect(await p.exit).toBe(1);
    expect(p.out()).toContain(`rl-distributed: cannot reach NATS at ${url} after 3 attempts`);
  });
});
