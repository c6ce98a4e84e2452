/**
 * `rl-distributed` — one process of a distributed run (what `rl train --distributed` runs):
 *
 *     rl-distributed --nats nats://HOST:PORT --role learner|actor --shard i --shards k [--config run.json] [flags]
 *
 * Exit code 0 when the run finished, 1 on an error (printed on stderr), 130 on SIGINT/SIGTERM.
 */
import { flagHelp, type FieldFlag } from '@rl/trainer';
import { distributedFlags, runDistributedCommand, parseDistributedArgs } from './command.js';

const { run: runFlags, train: trainFlags } = distributedFlags();
const lines = (flags: readonly FieldFlag[]): string => flags.map((f) => `  --${f.flag}  ${flagHelp(f)}`).join('\n');
const USAGE = `rl-distributed: one process of a distributed REINFORCE run over NATS

  rl-distributed --nats nats://HOST:PORT --role learner|actor [--shard i] --shards k [--config run.json] [flags]

--config FILE: JSON with the same fields (training under "train"); flags win over it.

run:
${lines(runFlags)}

training (numEnvs is N per actor; value/gae baselines, episodes mode, normalizeObs and tensor envs are refused):
${lines(trainFlags)}
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

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
