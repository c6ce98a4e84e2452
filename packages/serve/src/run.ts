/**
 * `rl serve DIR …` as one function: start the server, log where it listens, shut down
 * gracefully on SIGTERM / SIGINT, resolve when it has.
 */
import { createServer, defaultLogger, type PolicyServer, type ServerAddress } from './server.js';
import type { ServeOptions } from './options.js';

/** Options of {@link runServeCommand}: the server's options (the flags of `rl serve`), and how to run it. */
export interface ServeCommandOptions extends Omit<ServeOptions, 'policyDir' | 'policy'> {
  /** The run directory made by `rl train`, or the saved policy directory. */
  readonly dir: string;
  /** Signals that start a graceful shutdown; default SIGTERM and SIGINT. A second one exits at once with code 1. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called once listening (e.g. to print the URL and the model name). */
  readonly onListening?: (address: ServerAddress, server: PolicyServer) => void;
}

/**
 * Serves the policy in `dir` until SIGTERM or SIGINT, then drains (answers every request
 * already received) and resolves. Rejects if the policy cannot be loaded or the port is taken.
 *
 * @example
 * await runServeCommand({ dir: 'runs/cartpole', port: 8080 }); // returns after Ctrl-C
 */
export async function runServeCommand(opts: ServeCommandOptions): Promise<void> {
  const { dir, signals = ['SIGTERM', 'SIGINT'], onListening, ...serveOptions } = opts;
  const logger = opts.logger ?? defaultLogger();
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
    const server = await createServer({ ...serveOptions, policyDir: dir, logger });
    try {
      if (received === undefined) {
        const address = await server.listen();
        onListening?.(address, server);
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
