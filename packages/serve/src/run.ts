/**
 * `rl serve DIR …` as one function: start the server, log where it listens, shut down
 * gracefully on SIGTERM / SIGINT, resolve when it has.
 */
import type { Logger } from 'pino';
import type { BackendName } from '@rl/tf';
import { createServer, defaultLogger, type ServerAddress } from './server.js';

/** Options of {@link runServeCommand} (the flags of `rl serve`). */
export interface ServeCommandOptions {
  /** Directory of the saved policy. */
  readonly dir: string;
  /** `--host`, default `127.0.0.1`. */
  readonly host?: string;
  /** `--port`, default 8080 (0: any free port). */
  readonly port?: number;
  /** `--max-batch`, default 256 (1: micro-batching off). */
  readonly maxBatch?: number;
  /** `--max-wait-ms`, default 1 (0: micro-batching off). */
  readonly maxWaitMs?: number;
  /** `--max-request-batch`: most observations per request; default `maxBatch`. */
  readonly maxRequestBatch?: number;
  /** `--body-limit` in bytes; default 1 MiB. */
  readonly bodyLimit?: number;
  /** `--backend`, default `auto`. */
  readonly backend?: BackendName;
  /** pino logger; default one at `RL_LOG_LEVEL` or `info`. */
  readonly logger?: Logger;
  /** Signals that start a graceful shutdown; default SIGTERM and SIGINT. A second one exits at once with code 1. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called once listening (e.g. to print the URL). */
  readonly onListening?: (address: ServerAddress) => void;
}

/**
 * Serves the policy in `dir` until SIGTERM or SIGINT, then drains (answers every request
 * already received) and resolves. Rejects if the policy cannot be loaded or the port is taken.
 *
 * @example
 * await runServeCommand({ dir: 'runs/cartpole/policy', port: 8080 }); // returns after Ctrl-C
 */
export async function runServeCommand(opts: ServeCommandOptions): Promise<void> {
  const logger = opts.logger ?? defaultLogger();
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let received: NodeJS.Signals | undefined;
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = resolve;
  });
  // Installed before the policy loads, so a signal during start-up also ends cleanly.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    received = signal;
    stop(signal);
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    const server = await createServer({
      policyDir: opts.dir,
      host: opts.host,
      port: opts.port,
      maxBatch: opts.maxBatch,
      maxWaitMs: opts.maxWaitMs,
      maxRequestBatch: opts.maxRequestBatch,
      bodyLimit: opts.bodyLimit,
      backend: opts.backend,
      logger,
    });
    try {
      if (received === undefined) {
        const address = await server.listen();
        opts.onListening?.(address);
      }
      const signal = await stopped;
      logger.info({ signal }, 'signal received');
    } finally {
      await server.close();
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
