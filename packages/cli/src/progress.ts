import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { MetricsRecord } from './metrics.js';

/** Shows training progress: a bar on a TTY, pino lines otherwise. */
export interface ProgressReporter {
  /** Called once the run starts or resumes, with the env steps already done and the target. */
  start(envSteps: number, totalSteps: number): void;
  /** Called after each iteration with its metrics line. */
  update(rec: MetricsRecord): void;
  /** Stops the bar (idempotent). */
  stop(): void;
}

const fmt = (x: unknown, digits = 1): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');

/** A count in at most 5 characters: 999, 9.99k, 99.9k, 999k, 9.99M, … */
export function compactCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const units = ['', 'k', 'M', 'G', 'T'];
  let v = Math.abs(n);
  let u = 0;
  while (u < units.length - 1 && Math.round(v) >= 1000) {
    v /= 1000;
    u++;
  }
  const digits = u === 0 ? 0 : v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
  let text = v.toFixed(digits);
  if (Number(text) >= 1000 && u < units.length - 1) {
    // 999.7k rounds to "1000k": one unit up instead
    text = (v / 1000).toFixed(2);
    u++;
  }
  return `${n < 0 ? '-' : ''}${text}${units[u]}`;
}

/** Seconds in at most 6 characters: 12.3s, 12m34s, 12h34m. */
export function compactSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** What the bar shows besides its fill. */
export interface ProgressFields {
  readonly iteration: number;
  readonly envSteps: number;
  readonly totalSteps: number;
  /** Env steps per second since the run (re)started, if known. */
  readonly stepsPerSecond: number | undefined;
  /** Recent mean episode return, if any episode ended. */
  readonly returnMean: number | undefined;
  readonly seconds: number;
}

/** Width of the bar's fill. */
export const BAR_WIDTH = 12;

/**
 * One line of the bar, at most 79 columns (an 80-column terminal keeps all of it, the return
 * included): `████░░░░░░░░  42% | it 1.23k | 126k/300k | 81.3k/s | return 497.6 | 3.7s`.
 */
export function progressLine(f: ProgressFields): string {
  const frac = f.totalSteps > 0 ? Math.min(1, Math.max(0, f.envSteps / f.totalSteps)) : 0;
  const filled = Math.round(frac * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const ret = f.returnMean === undefined ? '–' : Math.abs(f.returnMean) < 1e5 ? fmt(f.returnMean) : compactCount(f.returnMean);
  const sps = f.stepsPerSecond === undefined ? '–' : compactCount(f.stepsPerSecond);
  return `${bar} ${String(Math.floor(frac * 100)).padStart(3)}% | it ${compactCount(f.iteration)} | ${compactCount(f.envSteps)}/${compactCount(f.totalSteps)} | ${sps}/s | return ${ret} | ${compactSeconds(f.seconds)}`;
}

/**
 * A cli-progress bar on stderr ({@link progressLine}: iterations, env steps, env steps/s since
 * start, recent mean return, elapsed time) when `tty`, else one pino `iteration` line per
 * iteration through `log`. The train.log copy of every iteration is written by the caller in
 * both cases.
 */
export function createProgress(tty: boolean, log: Logger): ProgressReporter {
  if (!tty) {
    return {
      start: (envSteps, totalSteps) => log.info({ envSteps, totalSteps }, 'training'),
      update: () => undefined,
      stop: () => undefined,
    };
  }
  // loaded only for a terminal: piped, logged and benchmarked runs start without it
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  let fields: ProgressFields = { iteration: 0, envSteps: 0, totalSteps: 0, stepsPerSecond: undefined, returnMean: undefined, seconds: 0 };
  const bar = new cliProgress.SingleBar({ format: () => progressLine(fields), stream: process.stderr, hideCursor: true, fps: 10 });
  let started = false;
  let t0 = 0;
  let steps0 = 0;
  return {
    start(envSteps, totalSteps) {
      t0 = performance.now();
      steps0 = envSteps;
      fields = { ...fields, envSteps, totalSteps };
      bar.start(totalSteps, envSteps);
      started = true;
    },
    update(rec) {
      const seconds = (performance.now() - t0) / 1000;
      const stepsPerSecond = seconds > 0 ? (rec.envSteps - steps0) / seconds : undefined;
      fields = { ...fields, iteration: rec.iteration, envSteps: rec.envSteps, stepsPerSecond, returnMean: typeof rec.returnMean === 'number' ? rec.returnMean : undefined, seconds };
      bar.update(rec.envSteps);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
