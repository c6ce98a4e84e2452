/**
 * `rl-distributed` — one process of a distributed run (what `rl train --distributed` runs):
 *
 *     rl-distributed --nats nats://HOST:PORT --role learner|actor --shard i --shards k [--config run.json] [flags]
 *
 * Exit code 0 when the run finished, 1 on an error (printed on stderr), 130 on SIGINT/SIGTERM.
 */
import { runDistributedCommand, parseDistributedArgs } from './command.js';

const ac = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => ac.abort());
try {
  const opts = parseDistributedArgs(process.argv.slice(2));
  const r = await runDistributedCommand({ ...opts, signal: ac.signal });
  process.stdout.write(JSON.stringify({ role: r.role, ...r.result }) + '\n');
  process.exit(ac.signal.aborted ? 130 : 0);
} catch (e) {
  process.stderr.write(`rl-distributed: ${(e as Error).message}\n`);
  process.exit(1);
}
