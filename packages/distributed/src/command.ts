/**
 * `rl train --distributed …` in one call: flags (and a JSON config file under them) to a
 * validated {@link DistributedOptions}, then the learner or the actor.
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { readConfigFile, resolveDistributed, type DistributedInput, type DistributedOptions } from './config.js';
import { runActor, type ActorResult } from './actor.js';
import { runLearner, type LearnerResult, type RoundMetrics } from './learner.js';

/** Options of {@link runDistributedCommand}: the parsed flags (all optional but `nats` and `role`). */
export interface DistributedCommandOptions extends DistributedInput {
  /** JSON config file with the same fields (flags win). */
  readonly config?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly onRound?: (m: RoundMetrics) => void;
}

/** What the command ran and how it ended. */
export type DistributedCommandResult = { readonly role: 'learner'; readonly options: DistributedOptions; readonly result: LearnerResult } | { readonly role: 'actor'; readonly options: DistributedOptions; readonly result: ActorResult };

/**
 * Runs one process of a distributed training: the CLI's `rl train --distributed` calls this.
 *
 * @example
 * await runDistributedCommand({ nats: 'nats://nats:4222', role: 'actor', shard: 2, shards: 4, config: 'run.json' });
 */
export async function runDistributedCommand(opts: DistributedCommandOptions): Promise<DistributedCommandResult> {
  const { config, logger, signal, onRound, ...flags } = opts;
  const file: DistributedInput = config ? readConfigFile(config) : {};
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged: DistributedInput = { ...file, ...given, train: { ...(file.train ?? {}), ...(flags.train ?? {}) } };
  const options = resolveDistributed(merged);
  if (options.role === 'learner') {
    const result = await runLearner(options, { logger, signal, onRound: onRound ? (m) => onRound(m) : undefined });
    return { role: 'learner', options, result };
  }
  const result = await runActor(options, { logger, signal });
  return { role: 'actor', options, result };
}

const TRAIN_FLAGS: Record<string, 'int' | 'float' | 'string' | 'bool' | 'list'> = {
  env: 'string',
  seed: 'int',
  'num-envs': 'int',
  'steps-per-iter': 'int',
  'total-steps': 'int',
  'return-estimator': 'string',
  gamma: 'float',
  baseline: 'string',
  'normalize-advantages': 'bool',
  'ent-coef': 'float',
  lr: 'float',
  optimizer: 'string',
  'max-grad-norm': 'float',
  hidden: 'list',
  activation: 'string',
  backend: 'string',
  'target-return': 'float',
  'log-level': 'string',
};

/**
 * Parses `--nats URL --role learner|actor --shard i --shards k [--config file.json] …` (the
 * flags of `rl train --distributed`; `--distributed` itself is accepted and ignored).
 */
export function parseDistributedArgs(argv: readonly string[]): DistributedCommandOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      distributed: { type: 'boolean' },
      nats: { type: 'string' },
      role: { type: 'string' },
      shard: { type: 'string' },
      shards: { type: 'string' },
      config: { type: 'string' },
      run: { type: 'string' },
      'checkpoint-dir': { type: 'string' },
      iterations: { type: 'string' },
      'round-timeout': { type: 'string' },
      quorum: { type: 'string' },
      'min-shards': { type: 'string' },
      'inline-limit': { type: 'string' },
      'connect-attempts': { type: 'string' },
      'connect-backoff': { type: 'string' },
      'reconnect-attempts': { type: 'string' },
      'idle-timeout': { type: 'string' },
      ...Object.fromEntries(Object.keys(TRAIN_FLAGS).map((k) => [k, { type: 'string' as const }])),
    },
  });
  const num = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new RangeError(`--${flag}: expected a number, got "${v}"`);
    return n;
  };
  const train: Record<string, unknown> = {};
  for (const [flag, kind] of Object.entries(TRAIN_FLAGS)) {
    const v = (values as Record<string, string | undefined>)[flag];
    if (v === undefined) continue;
    const key = flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    train[key] = kind === 'string' ? v : kind === 'bool' ? v === 'true' || v === '1' : kind === 'list' ? v.split(',').map((x) => num(flag, x)) : num(flag, v);
  }
  return {
    nats: values.nats,
    role: values.role as DistributedCommandOptions['role'],
    shard: num('shard', values.shard),
    shards: num('shards', values.shards),
    config: values.config,
    run: values.run,
    checkpointDir: values['checkpoint-dir'],
    iterations: num('iterations', values.iterations),
    roundTimeoutMs: num('round-timeout', values['round-timeout']),
    quorum: num('quorum', values.quorum),
    minShards: num('min-shards', values['min-shards']),
    inlineLimit: num('inline-limit', values['inline-limit']),
    connectAttempts: num('connect-attempts', values['connect-attempts']),
    connectBackoffMs: num('connect-backoff', values['connect-backoff']),
    reconnectAttempts: num('reconnect-attempts', values['reconnect-attempts']),
    idleTimeoutMs: num('idle-timeout', values['idle-timeout']),
    train,
  };
}
