/**
 * How `rl train` and `rl resume` drive the trainer: `Trainer.runAsync` with hooks for what a
 * run directory needs — one metrics line per iteration, a checkpoint (with model/) every
 * `checkpointEvery` iterations, the curve redrawn at most every `curveSeconds`, the progress
 * bar — and SIGINT/SIGTERM as its AbortSignal. The loop, the stop rule and the update are the
 * trainer's own. Then the evaluation after training and the summary.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { fsyncPath, writeFileAtomic } from '@rl/policy/durable';
import { writeCheckpoint } from '@rl/trainer/checkpoint';
import { curveSvg } from './curve.js';
import type { RunLogger } from './log.js';
import { appendMetrics, type MetricsRecord } from './metrics.js';
import { createProgress } from './progress.js';
import { RUN_FILES, type RunOptions } from './rundir.js';
import type { RunLock } from './lock.js';
import { summarize, type TrainConfig, type Trainer } from './session.js';
import type { StopSignal } from './signals.js';

/** What {@link driveTraining} needs. */
export interface DriveContext {
  /** The run directory (already holds config.json, run.json, metrics.jsonl and a checkpoint). */
  readonly dir: string;
  readonly trainer: Trainer;
  readonly runOptions: RunOptions;
  /** Seconds trained before this process (0 for a new run). */
  readonly wallSecondsBefore: number;
  /** Metrics already in metrics.jsonl (for the curve). */
  readonly previous: readonly MetricsRecord[];
  readonly log: Logger;
  /** Show a progress bar (stderr is a TTY) instead of console log lines. */
  readonly tty: boolean;
  /** SIGINT / SIGTERM, caught since the command started: the first stops training after the current iteration. */
  readonly stop: StopSignal;
  /** The run's lock, checked before every write to the run directory. */
  readonly lock: RunLock;
}

/** How a training process ended. */
export interface DriveResult {
  readonly reason: 'totalSteps' | 'targetReturn' | 'signal';
  readonly signal?: NodeJS.Signals;
  readonly iteration: number;
  readonly envSteps: number;
  readonly wallSeconds: number;
  /** The last metrics line written (undefined if no iteration ran). */
  readonly last: MetricsRecord | undefined;
  /** Seconds of this process's rollouts and updates (sums of the iterations' `rolloutSeconds`, `updateSeconds`). */
  readonly rolloutSeconds: number;
  readonly updateSeconds: number;
}

/**
 * Trains until the trainer's stop rule or a signal, writing the run directory as it goes. It
 * always ends with a checkpoint, model/ and curve.svg for the last iteration (also after a
 * signal, which stops it after the current iteration).
 */
export async function driveTraining(ctx: DriveContext): Promise<DriveResult> {
  const { dir, trainer, log, runOptions, stop, lock } = ctx;
  const metricsPath = join(dir, RUN_FILES.metrics);
  const records: MetricsRecord[] = [...ctx.previous];
  const progress = createProgress(ctx.tty, log);
  const onAbort = (): void => void log.info({ signal: stop.received }, 'signal received: stopping after this iteration with a final checkpoint');
  stop.signal.addEventListener('abort', onAbort, { once: true });
  let wallSeconds = ctx.wallSecondsBefore;
  let lastCheckpoint = trainer.iteration;
  let rolloutSeconds = 0;
  let updateSeconds = 0;

  const checkpoint = async (): Promise<void> => {
    if (lastCheckpoint === trainer.iteration) return;
    lock.assertHeld();
    fsyncPath(metricsPath); // every line up to this checkpoint is durable before the checkpoint is
    await trainer.savePolicy(join(dir, RUN_FILES.model));
    const path = writeCheckpoint(join(dir, RUN_FILES.checkpoints), { iteration: trainer.iteration, envSteps: trainer.envSteps, wallSeconds }, trainer.getState(), runOptions.keepCheckpoints);
    lastCheckpoint = trainer.iteration;
    log.info({ iteration: trainer.iteration, envSteps: trainer.envSteps, checkpoint: path }, 'checkpoint');
  };
  let lastCurve = performance.now();
  const drawCurve = async (): Promise<void> => {
    lastCurve = performance.now();
    lock.assertHeld();
    const threshold = trainer.rewardThreshold;
    writeFileAtomic(join(dir, RUN_FILES.curve), await curveSvg(records, { title: trainer.config.env, ...(threshold !== undefined ? { threshold } : {}) }));
  };

  progress.start(trainer.envSteps, trainer.config.totalSteps);
  const loopStart = performance.now();
  let reason: DriveResult['reason'];
  try {
    const result = await trainer.runAsync({
      signal: stop.signal,
      onIteration: async (m) => {
        wallSeconds = ctx.wallSecondsBefore + (performance.now() - loopStart) / 1000;
        rolloutSeconds += m.rolloutSeconds;
        updateSeconds += m.updateSeconds;
        const rec: MetricsRecord = { ...m, wallSeconds: Number(wallSeconds.toFixed(4)) };
        lock.assertHeld();
        appendMetrics(metricsPath, rec);
        records.push(rec);
        if (records.length === ctx.previous.length + 1) {
          // first iteration of this process: how long start-up took, in wall and CPU time (the machine may be shared)
          const cpu = process.cpuUsage();
          log.info({ msSinceProcessStart: Math.round(performance.now()), cpuMsSinceProcessStart: Math.round((cpu.user + cpu.system) / 1000) }, 'first iteration done');
        }
        log.info(rec, 'iteration');
        progress.update(rec);
        if (rec.iteration % runOptions.checkpointEvery === 0) await checkpoint();
        if (performance.now() - lastCurve >= runOptions.curveSeconds * 1000) await drawCurve();
      },
    });
    reason = result.reason === 'aborted' ? 'signal' : result.reason;
    wallSeconds = ctx.wallSecondsBefore + (performance.now() - loopStart) / 1000;
    await checkpoint(); // also saves model/ (unless this iteration was checkpointed already, with model/)
    await drawCurve();
  } catch (err) {
    progress.stop();
    log.error({ err, iteration: trainer.iteration, envSteps: trainer.envSteps, lastCheckpoint }, `training failed; the last checkpoint (iteration ${lastCheckpoint}) is intact`);
    throw err;
  } finally {
    progress.stop();
    stop.signal.removeEventListener('abort', onAbort);
  }
  if (reason === 'signal') log.info({ signal: stop.received, iteration: trainer.iteration }, `stopped by ${stop.received}; continue with: rl resume ${dir}`);
  const last = records[records.length - 1];
  return { reason, ...(stop.received ? { signal: stop.received } : {}), iteration: trainer.iteration, envSteps: trainer.envSteps, wallSeconds, last, rolloutSeconds, updateSeconds };
}

/** Evaluation after training (config.evalEpisodes, the trainer's seed rule), a summary on stdout, and clean-up. */
export async function finishRun(dir: string, trainer: Trainer, config: TrainConfig, result: DriveResult, logger: RunLogger): Promise<void> {
  const lines = [
    `run directory: ${dir}`,
    `${result.reason === 'signal' ? `stopped by ${result.signal}` : result.reason === 'targetReturn' ? 'target return reached' : 'done'}: ${result.iteration} iterations, ${result.envSteps.toLocaleString('en-US')} env steps, ${result.wallSeconds.toFixed(1)} s`,
    `time in this process: rollout ${result.rolloutSeconds.toFixed(1)} s, update ${result.updateSeconds.toFixed(1)} s`,
  ];
  const rm = result.last?.returnMean;
  if (typeof rm === 'number' && Number.isFinite(rm)) lines.push(`recent mean return: ${rm.toFixed(1)}`);
  if (result.reason !== 'signal' && config.evalEpisodes > 0) {
    const raw = trainer.evaluate({ episodes: config.evalEpisodes, deterministic: true });
    const ev = summarize(raw.returns, raw.lengths);
    logger.log.info({ evaluation: ev }, 'evaluation after training');
    lines.push(`evaluation (${ev.episodes} episodes, deterministic): return ${ev.meanReturn.toFixed(1)} ± ${ev.stdReturn.toFixed(1)}, length ${ev.meanLength.toFixed(1)}`);
  }
  if (result.reason === 'signal') lines.push(`continue with: rl resume ${dir}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  trainer.dispose();
  logger.close();
}
