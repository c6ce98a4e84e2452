/**
 * Standalone entry: `node bin/serve.mjs DIR [--host H] [--port P] [--max-batch N]
 * [--max-wait-ms MS] [--max-request-batch N] [--body-limit BYTES] [--backend B]`.
 * Prints `listening on URL` once ready; exits 0 after a graceful SIGTERM / SIGINT shutdown.
 */
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName } from '@rl/tf';
import { runServeCommand } from './run.js';

const USAGE =
  'usage: serve DIR [--host 127.0.0.1] [--port 8080] [--max-batch 256] [--max-wait-ms 1] ' +
  `[--max-request-batch N] [--body-limit BYTES] [--backend ${BACKENDS.join('|')}]`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new RangeError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return x;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'max-batch': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      'max-request-batch': { type: 'string' },
      'body-limit': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) throw new RangeError(`expected one policy directory, got ${positionals.length} arguments\n${USAGE}`);
  const backend = values.backend;
  if (backend !== undefined && !BACKENDS.includes(backend as BackendName)) {
    throw new RangeError(`--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`);
  }
  await runServeCommand({
    dir: positionals[0]!,
    host: values.host,
    port: num('port', values.port),
    maxBatch: num('max-batch', values['max-batch']),
    maxWaitMs: num('max-wait-ms', values['max-wait-ms']),
    maxRequestBatch: num('max-request-batch', values['max-request-batch']),
    bodyLimit: num('body-limit', values['body-limit']),
    backend: backend as BackendName | undefined,
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
