/**
 * `rl train --distributed …` in one call: flags (and a JSON config file under them) to a
 * validated {@link DistributedOptions}, then the learner or the actor.
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { importEnvModule, parseFlagValue, schemaFlags, setPath, trainConfigSchema, type FieldFlag } from '@rl/trainer';
import { distributedRunSchema, readConfigFile, resolveDistributed, type DistributedInput, type DistributedOptions } from './config.js';
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
 * A user's env: the training config's `envModule` is imported (relative to this process's
 * working directory: learner and actors each find their own copy) before the env id is checked,
 * and its path made absolute.
 */
async function withEnvModule(train: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { envModule, env } = train;
  if (typeof envModule !== 'string' || envModule.length === 0) return train;
  const m = await importEnvModule(envModule, typeof env === 'string' ? env : undefined);
  return { ...train, envModule: m.path };
}

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
  const merged: DistributedInput = { ...file, ...given, train: await withEnvModule({ ...(file.train ?? {}), ...(flags.train ?? {}) }) };
  const options = resolveDistributed(merged);
  if (options.role === 'learner') {
    const result = await runLearner(options, { logger, signal, onRound: onRound ? (m) => onRound(m) : undefined });
    return { role: 'learner', options, result };
  }
  const result = await runActor(options, { logger, signal });
  return { role: 'actor', options, result };
}

/**
 * The flags of `rl-distributed`: one per field of {@link distributedRunSchema} and of the
 * trainer's config schema (the training fields; invalid combinations are refused by
 * {@link resolveDistributed}), derived from the schemas, plus `--config FILE` and the ignored
 * `--distributed` of `rl train --distributed`.
 */
export function distributedFlags(): { readonly run: readonly FieldFlag[]; readonly train: readonly FieldFlag[] } {
  return { run: schemaFlags(distributedRunSchema), train: schemaFlags(trainConfigSchema) };
}

/**
 * Parses `--nats URL --role learner|actor --shard i --shards k [--config file.json] …` (the
 * flags of {@link distributedFlags}; `--distributed` itself is accepted and ignored). Throws
 * naming the flag whose text is not a value of its kind, or an unknown flag.
 */
export function parseDistributedArgs(argv: readonly string[]): DistributedCommandOptions {
  const flags = distributedFlags();
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      distributed: { type: 'boolean' },
      config: { type: 'string' },
      ...Object.fromEntries([...flags.run, ...flags.train].map((f) => [f.flag, { type: 'string' as const }])),
    },
  });
  const read = (list: readonly FieldFlag[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of list) {
      const text = (values as Record<string, string | boolean | undefined>)[f.flag];
      if (typeof text !== 'string') continue;
      try {
        setPath(out, f.path, parseFlagValue(f, text));
      } catch (e) {
        throw new RangeError(`--${f.flag}: ${(e as Error).message}`);
      }
    }
    return out;
  };
  return { ...read(flags.run), ...(values.config === undefined ? {} : { config: values.config }), train: read(flags.train) };
}
