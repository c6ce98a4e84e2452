/**
 * SIGINT / SIGTERM for `rl train` and `rl resume`, caught from the command's first moment to its
 * last: during set-up a signal stops the set-up (the command removes what it staged and exits 0,
 * nothing written); during training the trainer's loop stops after the current iteration with a
 * final checkpoint (exit 0); a second signal exits at once (130), the process's exit handlers
 * still removing staged files and the lock.
 */

/** The signal state of a command. */
export interface StopSignal {
  /** The signal received, once one has been. */
  readonly received: NodeJS.Signals | undefined;
  /** Aborted at the first signal (what `Trainer.runAsync` watches). */
  readonly signal: AbortSignal;
  /** What a second signal says before exiting (set as the command moves on, e.g. `the last checkpoint is intact`). */
  secondSignalNote: string;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM until `dispose()`. The first aborts {@link StopSignal.signal}; a
 * second exits at once with code 130.
 *
 * @example
 * const stop = catchStopSignals();
 * await trainer.runAsync({ signal: stop.signal });
 */
export function catchStopSignals(): StopSignal {
  const abort = new AbortController();
  let received: NodeJS.Signals | undefined;
  const state: StopSignal = {
    get received() {
      return received;
    },
    signal: abort.signal,
    secondSignalNote: 'nothing was written',
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
  const handler = (sig: NodeJS.Signals): void => {
    if (received) {
      process.stderr.write(`\nrl: second ${sig}; exiting now (${state.secondSignalNote})\n`);
      process.exit(130);
    }
    received = sig;
    abort.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return state;
}

/** Thrown by a command's set-up when a signal arrived before training started: it cleans up and the command exits 0. */
export class StoppedDuringSetup extends Error {
  override readonly name = 'StoppedDuringSetup';
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal} during set-up`);
  }
}

/**
 * Throws {@link StoppedDuringSetup} when a signal has arrived (await it between the steps of a
 * set-up). It first lets the event loop take in pending signals: Node runs a signal's handler
 * only when the loop polls, which a chain of synchronous work and promises (backend start-up)
 * never does on its own.
 */
export async function throwIfStopped(stop: StopSignal): Promise<void> {
  await new Promise((r) => setImmediate(r));
  if (stop.received) throw new StoppedDuringSetup(stop.received);
}
