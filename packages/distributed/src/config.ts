/**
 * The options of a distributed run: one typed record (each field documented with its
 * default), a zod schema that reports every bad field at once, and the training config the
 * learner and every actor must share.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { registeredIds } from '@rl/env';
import { DEFAULT_CONFIG, resolveConfig, type TrainConfig } from '@rl/trainer';

/** The role of a process. */
export type Role = 'learner' | 'actor';

/** Options of a distributed run (CLI flags, a JSON config file, or code). */
export interface DistributedOptions {
  /** NATS server URL, e.g. `nats://nats:4222`. Required. */
  readonly nats: string;
  /** `learner` (one) or `actor` (one per shard). Required. */
  readonly role: Role;
  /** This actor's shard i ∈ [0, shards). Default: `$JOB_COMPLETION_INDEX` (Kubernetes Indexed Job), else 0. */
  readonly shard: number;
  /** k: number of actor shards. Default 1. */
  readonly shards: number;
  /** Run id: names the subjects (`rl.<run>.*`) and the KV / Object Store buckets. Default `default`. */
  readonly run: string;
  /** Learner: directory of `checkpoint.bin` and `metrics.jsonl`; resumed from when present. Default `./rl-distributed`. */
  readonly checkpointDir: string;
  /** Learner: rounds (= optimizer steps) to run; 0 runs until `train.totalSteps`. Default 0. */
  readonly iterations: number;
  /** Learner: ms a phase waits for the quorum before going on with the shards that reported. Default 10,000. */
  readonly roundTimeoutMs: number;
  /** Learner: shards that end a phase early (all of them by default). Default `shards`. */
  readonly quorum: number;
  /** Learner: a round needs at least this many shards; with fewer it waits on. Default 1. */
  readonly minShards: number;
  /** Weights larger than this (bytes) go to the Object Store instead of the KV value. Default 1,000,000. */
  readonly inlineLimit: number;
  /** Connection attempts before giving up on an unreachable server. Default 5. */
  readonly connectAttempts: number;
  /** First retry delay (doubles each attempt, capped at 4 s). Default 250. */
  readonly connectBackoffMs: number;
  /** Once connected: reconnection attempts (1 s apart) before a lost server is an error. Default 20. */
  readonly reconnectAttempts: number;
  /** Actor: exit when no new weights arrive for this long (ms). Default 600,000. */
  readonly idleTimeoutMs: number;
  /** The training config shared by the learner and the actors (`numEnvs` is N per shard). */
  readonly train: TrainConfig;
}

/** A config file / flags before validation. */
export type DistributedInput = Partial<Omit<DistributedOptions, 'train'>> & { readonly train?: Partial<TrainConfig> | Record<string, unknown> };

const int = (min: number) => z.number({ error: `must be an integer ≥ ${min}` }).int(`must be an integer ≥ ${min}`).min(min, `must be an integer ≥ ${min}`);

const schema = z.strictObject({
  nats: z.string({ error: 'must be a NATS URL such as nats://127.0.0.1:4222' }).regex(/^(nats|tls|ws|wss):\/\/[^\s]+$/, 'must be a NATS URL such as nats://127.0.0.1:4222'),
  role: z.enum(['learner', 'actor'], { error: 'must be "learner" or "actor"' }),
  shard: int(0),
  shards: int(1),
  run: z.string({ error: 'must be a run id' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -'),
  checkpointDir: z.string({ error: 'must be a directory path' }).min(1, 'must be a directory path'),
  iterations: int(0),
  roundTimeoutMs: int(1),
  quorum: int(1),
  minShards: int(1),
  inlineLimit: int(0),
  connectAttempts: int(1),
  connectBackoffMs: int(0),
  reconnectAttempts: int(0),
  idleTimeoutMs: int(1),
});

/** Thrown for a bad distributed config: lists every bad field. */
export class DistributedConfigError extends Error {
  override readonly name = 'DistributedConfigError';
}

/**
 * Fills defaults and validates. Rejects training settings whose statistics the round does not
 * carry (learned `value`/`gae` baselines, `episodes` mode, observation normalisation, tensor envs).
 */
export function resolveDistributed(input: DistributedInput, env: NodeJS.ProcessEnv = process.env): DistributedOptions {
  const idx = env.JOB_COMPLETION_INDEX;
  const shards = input.shards ?? 1;
  const merged = {
    shard: idx !== undefined && idx !== '' ? Number(idx) : 0,
    shards,
    run: 'default',
    checkpointDir: './rl-distributed',
    iterations: 0,
    roundTimeoutMs: 10_000,
    quorum: input.shards ?? 1,
    minShards: 1,
    inlineLimit: 1_000_000,
    connectAttempts: 5,
    connectBackoffMs: 250,
    reconnectAttempts: 20,
    idleTimeoutMs: 600_000,
    ...Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k !== 'train' && !k.startsWith('$'))),
  };
  const parsed = schema.safeParse(merged);
  const issues: string[] = [];
  if (!parsed.success) for (const i of parsed.error.issues) issues.push(`  - ${i.path.join('.') || '(config)'} = ${JSON.stringify((merged as Record<string, unknown>)[String(i.path[0])])}: ${i.message}`);
  // cross-field rules, checked whatever else is wrong
  const m = merged as Record<string, unknown>;
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (num(m.shards)) {
    for (const f of ['shard', 'quorum', 'minShards'] as const) {
      const v = m[f];
      if (!num(v)) continue;
      if (f === 'shard' ? v >= m.shards : v > m.shards) issues.push(`  - ${f} = ${v}: must be ${f === 'shard' ? '<' : '≤'} shards (${m.shards})`);
    }
  }
  let train: TrainConfig | undefined;
  try {
    train = resolveConfig(input.train ?? {}, { envIds: registeredIds() });
  } catch (e) {
    issues.push(...(e as Error).message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, '  - train.')));
  }
  const t = { ...DEFAULT_CONFIG, ...(input.train ?? {}) } as TrainConfig;
  {
    const train = t;
    if (train.baseline === 'value' || train.baseline === 'gae') issues.push(`  - train.baseline = "${train.baseline}": a learned value function is not trained in distributed runs; use none, mean or ema`);
    if (train.mode !== 'steps') issues.push(`  - train.mode = "${train.mode}": distributed runs collect T steps per env (mode "steps")`);
    if (train.normalizeObs) issues.push('  - train.normalizeObs = true: running observation statistics are not shared between shards; set it false');
    if (train.envVectorization === 'tensor') issues.push('  - train.envVectorization = "tensor": use "native" or "generic" (per-env seeded sampling)');
  }
  if (issues.length > 0) throw new DistributedConfigError(`invalid distributed config (${issues.length} bad field${issues.length === 1 ? '' : 's'}):\n${issues.join('\n')}`);
  return Object.freeze({ ...(parsed.data as Omit<DistributedOptions, 'train'>), train: train! });
}

/** Reads a JSON config file (the same fields as the flags, `train` holding the TrainConfig). */
export function readConfigFile(path: string): DistributedInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DistributedConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DistributedConfigError(`config file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DistributedConfigError(`config file ${path} must hold a JSON object`);
  return v as DistributedInput;
}

/** The fields of the training config that must agree between learner and actors, hashed into every weights message. */
export function sharedConfigKey(train: TrainConfig): string {
  const { env, seed, numEnvs, stepsPerIter, returnEstimator, gamma, baseline, rewardScale, normalizeAdvantages, entCoef, hidden, activation, logStdInit, envVectorization } = train;
  return JSON.stringify({ env, seed, numEnvs, stepsPerIter, returnEstimator, gamma, baseline, rewardScale, normalizeAdvantages, entCoef, hidden, activation, logStdInit, envVectorization });
}

/** Subject and bucket names of a run. */
export function names(run: string): { stats: string; global: string; grads: string; kv: string; obj: string; gradObj: string } {
  return { stats: `rl.${run}.stats`, global: `rl.${run}.global`, grads: `rl.${run}.grads`, kv: `rl-${run}`, obj: `rl-${run}-weights`, gradObj: `rl-${run}-grads` };
}
