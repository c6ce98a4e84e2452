import { pino, type Logger, type DestinationStream, type StreamEntry } from 'pino';
import { join } from 'node:path';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Run directory: when given, every line also goes to `<runDir>/train.log` (pino JSON, level info). */
  readonly runDir?: string;
  /** Also write pino lines to stdout (used when stdout is not a TTY, instead of the progress bar). */
  readonly console: boolean;
}

/**
 * The CLI's pino logger. `train.log` always gets every info line (synchronous appends, so a
 * crash loses at most the line being written); the console stream obeys `RL_LOG_LEVEL`
 * (e.g. `silent` in tests, default `info`).
 */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: StreamEntry[] = [];
  if (opts.runDir) {
    streams.push({ level: 'info', stream: pino.destination({ dest: join(opts.runDir, 'train.log'), sync: true, append: true }) as DestinationStream });
  }
  const consoleLevel = process.env.RL_LOG_LEVEL ?? 'info';
  if (opts.console && consoleLevel !== 'silent') {
    streams.push({ level: consoleLevel as pino.Level, stream: pino.destination({ dest: 1, sync: true }) as DestinationStream });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level: 'info', base: { pid: process.pid } }, pino.multistream(streams));
}
