import cliProgress from 'cli-progress';
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

/**
 * A cli-progress bar on stderr (iterations, env steps, env steps/s since start, recent mean return, elapsed seconds) when `tty`,
 * else one pino `iteration` line per iteration through `log`. The train.log copy of every
 * iteration is written by the caller in both cases.
 */
export function createProgress(tty: boolean, log: Logger): ProgressReporter {
  if (!tty) {
    return {
      start: (envSteps, totalSteps) => log.info({ envSteps, totalSteps }, 'training'),
      update: () => undefined,
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | iter {iteration} | {envSteps}/{total} steps | {sps} steps/s | return {ret} | {elapsed}s',
      stream: process.stderr,
      hideCursor: true,
      barsize: 24,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let t0 = 0;
  let steps0 = 0;
  return {
    start(envSteps, totalSteps) {
      t0 = performance.now();
      steps0 = envSteps;
      bar.start(totalSteps, envSteps, { iteration: 0, envSteps, sps: '–', ret: '–', elapsed: '0' });
      started = true;
    },
    update(rec) {
      const seconds = (performance.now() - t0) / 1000;
      const sps = seconds > 0 ? Math.round((rec.envSteps - steps0) / seconds) : undefined;
      bar.update(rec.envSteps, {
        iteration: rec.iteration,
        envSteps: rec.envSteps,
        sps: sps ?? '–',
        ret: fmt(rec.returnMean),
        elapsed: seconds.toFixed(1),
      });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
