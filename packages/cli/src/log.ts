import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pino, destination, multistream, type DestinationStream, type Level, type Logger, type StreamEntry } from 'pino';
import { RUN_FILES } from './rundir.js';

/** The CLI's logger and the switch that starts its `train.log` copy. */
export interface RunLogger {
  readonly log: Logger;
  /**
   * Starts writing to `<runDir>/train.log` (appending), first flushing every line logged
   * before the run directory existed (backend choice, trainer set-up).
   */
  attach(runDir: string): void;
  /** Closes train.log. */
  close(): void;
}

/**
 * A pino logger for a training command. Every line at info or above goes to `train.log`
 * (synchronous appends: a crash loses at most the line being written); when `console` is set
 * (stderr is not a TTY, so no progress bar) the lines also go to stdout at `RL_LOG_LEVEL`
 * (default `info`; `silent` turns the console copy off, as in tests).
 */
export function createRunLogger(opts: { readonly console: boolean }): RunLogger {
  let fd: number | undefined;
  let pending: string[] = [];
  const fileStream: DestinationStream = {
    write(msg: string) {
      if (fd === undefined) pending.push(msg);
      else writeSync(fd, msg);
    },
  };
  const streams: StreamEntry[] = [{ level: 'info', stream: fileStream }];
  const consoleLevel = process.env.RL_LOG_LEVEL ?? 'info';
  if (opts.console && consoleLevel !== 'silent') {
    streams.push({ level: consoleLevel as Level, stream: destination({ dest: 1, sync: true }) as DestinationStream });
  }
  const log = pino({ level: 'info', base: { pid: process.pid } }, multistream(streams));
  return {
    log,
    attach(runDir) {
      fd = openSync(join(runDir, RUN_FILES.log), 'a');
      for (const m of pending) writeSync(fd, m);
      pending = [];
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
