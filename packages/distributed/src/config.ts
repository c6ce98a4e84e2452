/**
 * The options of a distributed run: one zod schema (each field's type, range, default and
 * help text, from which the flags are derived) that reports every bad field at once, and the
 * training config the learner and every actor must share (the trainer's own schema).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { registeredIds } from '@rl/env';
import { DEFAULT_CONFIG, evaluatesDuringTraining, resolveConfig, vectorizationOf, type TrainConfig } from '@rl/trainer';

const int = (min: number) => z.number({ error: `must be an integer ≥ ${min}` }).int(`must be an integer ≥ ${min}`).min(min, `must be an integer ≥ ${min}`);

/**
 * The options of a distributed run besides the shared training config, written once: type,
 * range, default and help text of each (the flags of `rl train --distributed` and
 * `rl-distributed` are derived from it; `.meta({ flag })` keeps a flag's established name).
 */
export const distributedRunSchema = z.strictObject({
  nats: z.string({ error: 'must be a NATS URL such as nats://127.0.0.1:4222' }).regex(/^(nats|tls|ws|wss):\/\/[^\s]+$/, 'must be a NATS URL such as nats://127.0.0.1:4222').meta({ description: 'NATS server URL, e.g. nats://127.0.0.1:4222 (required).' }),
  role: z.enum(['learner', 'actor'], { error: 'must be "learner" or "actor"' }).meta({ description: 'This process\'s role: `learner` (one) or `actor` (one per shard) (required).' }),
  shard: int(0).optional().meta({ description: 'This actor\'s shard i ∈ [0, shards).', defaultText: '$JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else 0' }),
  shards: int(1).default(1).describe('k: number of actor shards.'),
  run: z.string({ error: 'must be a run id' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -').default('default').describe('Run id: names the subjects (`rl.<run>.*`) and the KV / Object Store buckets.'),
  checkpointDir: z.string({ error: 'must be a directory path' }).min(1, 'must be a directory path').default('./rl-distributed').describe('Learner: directory of checkpoints/, metrics.jsonl and model/; resumed from when it holds a checkpoint.'),
  iterations: int(0).default(0).describe('Learner: rounds (= optimizer steps) to run; 0 runs until the training config\'s totalSteps.'),
  roundTimeoutMs: int(1).default(10_000).meta({ flag: 'round-timeout', description: 'Learner: ms a phase waits for the quorum before going on with the shards that reported.' }),
  quorum: int(1).optional().meta({ description: 'Learner: shards that end a phase early.', defaultText: 'shards' }),
  minShards: int(1).default(1).describe('Learner: a round needs at least this many shards; with fewer it waits on.'),
  inlineLimit: int(0).default(1_000_000).describe('Weights larger than this (bytes) go to the Object Store instead of the KV value.'),
  connectAttempts: int(1).default(5).describe('Connection attempts before giving up on an unreachable server.'),
  connectBackoffMs: int(0).default(250).meta({ flag: 'connect-backoff', description: 'First retry delay in ms (doubles each attempt, capped at 4 s).' }),
  reconnectAttempts: int(0).default(20).describe('Once connected: reconnection attempts (1 s apart) before a lost server is an error.'),
  idleTimeoutMs: int(1).default(600_000).meta({ flag: 'idle-timeout', description: 'Actor: exit when no new weights arrive for this many ms.' }),
});

type RunOutput = z.output<typeof distributedRunSchema>;

/** The role of a process. */
export type Role = RunOutput['role'];

/** Options of a distributed run (CLI flags, a JSON config file, or code): {@link distributedRunSchema}'s fields, every one filled, and the shared training config. */
export type DistributedOptions = { readonly [K in keyof RunOutput]-?: Exclude<RunOutput[K], undefined> } & {
  /** The training config shared by the learner and the actors (`numEnvs` is N per shard). */
  readonly train: TrainConfig;
};

/** A config file / flags before validation. */
export type DistributedInput = Partial<Omit<DistributedOptions, 'train'>> & { readonly train?: Partial<TrainConfig> | Record<string, unknown> };

/** Thrown for a bad distributed config: lists every bad field. */
export class DistributedConfigError extends Error {
  override readonly name = 'DistributedConfigError';
}

/**
 * Fills defaults and validates. Rejects training settings whose statistics the round does not
 * carry (learned `value`/`gae` baselines, `episodes` mode, observation normalisation, tensor envs,
 * evaluations during training).
 */
export function resolveDistributed(input: DistributedInput, env: NodeJS.ProcessEnv = process.env): DistributedOptions {
  const idx = env.JOB_COMPLETION_INDEX;
  const given = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k !== 'train' && !k.startsWith('$')));
  const merged: Record<string, unknown> = { shard: idx !== undefined && idx !== '' ? Number(idx) : 0, quorum: input.shards ?? 1, ...given };
  const parsed = distributedRunSchema.safeParse(merged);
  const issues: string[] = [];
  if (!parsed.success) for (const i of parsed.error.issues) issues.push(`  - ${i.path.join('.') || '(config)'} = ${JSON.stringify(merged[String(i.path[0])])}: ${i.message}`);
  // cross-field rules, checked whatever else is wrong
  const m: Record<string, unknown> = { shards: 1, ...merged };
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
  {
    const train = { ...DEFAULT_CONFIG, ...(input.train ?? {}) } as TrainConfig;
    if (train.baseline === 'value' || train.baseline === 'gae') issues.push(`  - train.baseline = "${train.baseline}": a learned value function is not trained in distributed runs; use none, mean or ema`);
    if (train.mode !== 'steps') issues.push(`  - train.mode = "${train.mode}": distributed runs collect T steps per env (mode "steps")`);
    if (train.normalizeObs) issues.push('  - train.normalizeObs = true: running observation statistics are not shared between shards; set it false');
    if (train.envVectorization === 'tensor') issues.push('  - train.envVectorization = "tensor": use "native" or "generic" (per-env seeded sampling)');
    if (evaluatesDuringTraining(train)) issues.push(`  - train.evalEvery = ${train.evalEvery}: evaluations during training (and the best policy they keep) are not part of distributed runs; set it 0 and evaluate model/ with rl eval`);
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
  const { env, seed, numEnvs, stepsPerIter, returnEstimator, gamma, baseline, rewardScale, normalizeAdvantages, entCoef, hidden, activation, logStdInit } = train;
  // `auto` and the vectorization it stands for are the same run
  return JSON.stringify({ env, seed, numEnvs, stepsPerIter, returnEstimator, gamma, baseline, rewardScale, normalizeAdvantages, entCoef, hidden, activation, logStdInit, envVectorization: vectorizationOf(train) });
}

/** Subject and bucket names of a run. */
export function names(run: string): { stats: string; global: string; grads: string; kv: string; obj: string; gradObj: string } {
  return { stats: `rl.${run}.stats`, global: `rl.${run}.global`, grads: `rl.${run}.grads`, kv: `rl-${run}`, obj: `rl-${run}-weights`, gradObj: `rl-${run}-grads` };
}
