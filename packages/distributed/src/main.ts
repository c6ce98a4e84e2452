/**
 * `rl-distributed` — one process of a distributed run (what `rl train --distributed` runs):
 *
 *     rl-distributed --nats nats://HOST:PORT --role learner|actor --shard i --shards k [--config run.json] [flags]
 *
 * Exit code 0 when the run finished, 1 on an error (printed on stderr), 130 on SIGINT/SIGTERM.
 */
import { runDistributedCommand, parseDistributedArgs } from './command.js';

const USAGE = `rl-distributed: one process of a distributed REINFORCE run over NATS

  rl-distributed --nats nats://HOST:PORT --role learner|actor [--shard i] --shards k [--config run.json] [flags]

run:      --run ID  --checkpoint-dir DIR  --iterations N  --round-timeout MS  --quorum Q  --min-shards M
          --inline-limit BYTES  --connect-attempts N  --connect-backoff MS  --reconnect-attempts N  --idle-timeout MS
training: --env  --seed  --num-envs (per actor)  --steps-per-iter  --total-steps  --return-estimator  --gamma
          --baseline none|mean|ema  --normalize-advantages true|false  --ent-coef  --lr  --optimizer  --max-grad-norm
          --hidden 64,64  --activation  --backend  --target-return  --log-level
--shard defaults to $JOB_COMPLETION_INDEX (Kubernetes Indexed Job). Flags win over --config (JSON, same fields, training under "train").
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
