import type { FieldFlag } from '@rl/trainer';
import { CliError } from './errors.js';
import { flagConfig } from './train-options.js';
import { enableTypeScript } from './typescript.js';

/**
 * `rl train --distributed …`: one process (learner or actor) of a synchronous data-parallel
 * training over NATS, run by `@rl/distributed`'s `runDistributedCommand`. commander has parsed
 * the flags (the "distributed:" ones from `@rl/distributed`'s run schema, the trainer's from its
 * config schema); `--config` is `@rl/distributed`'s JSON config file. Prints what the process
 * did when it ends; SIGINT/SIGTERM stop it (exit 130).
 */
export async function distributedCommand(opts: Record<string, unknown>, trainFlags: readonly FieldFlag[], runFlags: readonly FieldFlag[]): Promise<void> {
  const { readConfigFile, runDistributedCommand } = await import('@rl/distributed');
  const { isTypeScriptFile } = await import('@rl/env/module');
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const config = typeof opts.config === 'string' ? opts.config : undefined;
    const train = flagConfig(opts, trainFlags);
    // a TypeScript env module (flag, else the config file's) needs tsx in this process
    const envModule = train.envModule ?? (config ? (readConfigFile(config).train as Record<string, unknown> | undefined)?.envModule : undefined);
    if (typeof envModule === 'string' && isTypeScriptFile(envModule)) await enableTypeScript();
    const r = await runDistributedCommand({ ...flagConfig(opts, runFlags), ...(config ? { config } : {}), train, signal: abort.signal });
    process.stdout.write(`${JSON.stringify({ role: r.role, ...r.result })}\n`);
    if (abort.signal.aborted) process.exitCode = 130;
  } catch (err) {
    if ((err as Error).name === 'DistributedConfigError') throw new CliError((err as Error).message);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
