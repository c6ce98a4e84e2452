/**
 * Standalone entry: `node bin/serve.mjs DIR [flags]`, the flags of {@link serveFlags} (the
 * same as `rl serve`'s). Prints `listening on URL` once ready; exits 0 after a graceful
 * SIGTERM / SIGINT shutdown.
 */
import { parseArgs } from 'node:util';
import { parseServeFlag, serveFlags, serveFlagsHelp } from './flags.js';
import { runServeCommand } from './run.js';

const USAGE = `usage: serve DIR [flags]\n  DIR: a run directory made by rl train, or a saved policy directory\n${serveFlagsHelp()}`;

async function main(argv: string[]): Promise<void> {
  const flags = serveFlags();
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(flags.map((f) => [f.flag.slice(2), { type: f.arg === undefined ? ('boolean' as const) : ('string' as const) }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) throw new RangeError(`expected one policy directory, got ${positionals.length} arguments\n${USAGE}`);
  const given = flags.flatMap((f) => {
    const v = (values as Record<string, string | boolean | undefined>)[f.flag.slice(2)];
    return v === undefined ? [] : [[f.name, parseServeFlag(f.name, v as string | boolean)]];
  });
  await runServeCommand({
    ...Object.fromEntries(given),
    dir: positionals[0]!,
    onListening: (a) => process.stdout.write(`listening on ${a.url}\n`),
  });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`serve: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
