/** Set by SIGINT/SIGTERM: the training loop finishes its iteration, checkpoints and exits 0. */
export interface StopSignal {
  /** The signal received, once one has been. */
  readonly received: NodeJS.Signals | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM so the run can stop at the end of the current iteration with a
 * final checkpoint. A second signal exits at once (the last checkpoint on disk stays valid).
 */
export function catchStopSignals(onFirst?: (sig: NodeJS.Signals) => void): StopSignal {
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    if (received) {
      process.stderr.write(`\nrl: second ${sig}; exiting now (the last checkpoint is intact)\n`);
      process.exit(130);
    }
    received = sig;
    onFirst?.(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
