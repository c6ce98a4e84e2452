import { CliError } from './errors.js';

/**
 * `rl train --distributed …`: one process (learner or actor) of a synchronous data-parallel
 * training over NATS, run by `@rl/distributed`'s `runDistributedCommand` with its own flag
 * parser (`parseDistributedArgs`: --nats, --role, --shard, --shards, a JSON --config and a
 * subset of the trainer flags). Prints what the process did when it ends.
 */
export async function distributedCommand(argv: readonly string[]): Promise<void> {
  const { parseDistributedArgs, runDistributedCommand, DistributedConfigError } = await import('@rl/distributed');
  let parsed: ReturnType<typeof parseDistributedArgs>;
  try {
    parsed = parseDistributedArgs(argv);
  } catch (err) {
    throw new CliError(`--distributed: ${(err as Error).message}`);
  }
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await runDistributedCommand({ ...parsed, signal: abort.signal });
    process.stdout.write(`${JSON.stringify({ role: r.role, ...r.result })}\n`);
    if (abort.signal.aborted) process.exitCode = 130;
  } catch (err) {
    if (err instanceof DistributedConfigError) throw new CliError(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
