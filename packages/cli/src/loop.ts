import { join } from 'node:path';
import type { Logger } from 'pino';
import { fsyncPath, writeFileAtomic } from '@rl/policy/durable';
import { writeCheckpoint } from './checkpoint.js';
import { curveSvg } from './curve.js';
import { appendMetrics, type MetricsRecord } from './metrics.js';
import { createProgress } from './progress.js';
import { RUN_FILES, type RunOptions } from './rundir.js';
import type { Trainer } from './session.js';
import { catchStopSignals, yieldToEventLoop } from './signals.js';

/** What {@link runTraining} needs. */
export interface LoopContext {
  /** The run directory (already holds config.json, run.json, metrics.jsonl and a checkpoint). */
  readonly dir: string;
  readonly session: Trainer;
  /** Env id (curve title). */
  readonly env: string;
  /** Stop once this many env steps are done. */
  readonly totalSteps: number;
  /** Stop once the recent mean return reaches this (undefined: never). */
  readonly targetReturn: number | undefined;
  /** The env's reward threshold, drawn on the curve. */
  readonly rewardThreshold: number | undefined;
  readonly runOptions: RunOptions;
  /** Seconds trained before this process (0 for a new run). */
  readonly wallSecondsBefore: number;
  /** Metrics already in metrics.jsonl (for the curve). */
  readonly previous: readonly MetricsRecord[];
  readonly log: Logger;
  /** Show a progress bar (stderr is a TTY) instead of console log lines. */
  readonly tty: boolean;
}

/** How a training process ended. */
export interface LoopResult {
  readonly reason: 'totalSteps' | 'targetReturn' | 'signal';
  readonly signal?: NodeJS.Signals;
  readonly iteration: number;
  readonly envSteps: number;
  readonly wallSeconds: number;
  /** The last metrics line written (undefined if no iteration ran). */
  readonly last: MetricsRecord | undefined;
}

/**
 * The training loop of `rl train` and `rl resume`: one iteration, one metrics line (fsynced),
 * a checkpoint every `checkpointEvery` iterations (with model/ saved beside it), the curve
 * redrawn at most every `curveSeconds` (rendering costs tens of ms); on SIGINT/SIGTERM it stops after the current iteration. It
 * always ends with a checkpoint, model/ and curve.svg for the last iteration.
 */
export async function runTraining(ctx: LoopContext): Promise<LoopResult> {
  const { dir, session, log, runOptions } = ctx;
  const metricsPath = join(dir, RUN_FILES.metrics);
  const records: MetricsRecord[] = [...ctx.previous];
  const progress = createProgress(ctx.tty, log);
  const stop = catchStopSignals((sig) => log.info({ signal: sig }, 'signal received: stopping after this iteration with a final checkpoint'));
  let wallSeconds = ctx.wallSecondsBefore;
  let lastCheckpoint = session.iteration;
  let reason: LoopResult['reason'] = 'totalSteps';

  const checkpoint = async (): Promise<void> => {
    if (lastCheckpoint === session.iteration) return;
    fsyncPath(metricsPath); // every line up to this checkpoint is durable before the checkpoint is
    await session.policy.save(join(dir, RUN_FILES.model));
    const path = writeCheckpoint(join(dir, RUN_FILES.checkpoints), { iteration: session.iteration, envSteps: session.envSteps, wallSeconds }, session.getState(), runOptions.keepCheckpoints);
    lastCheckpoint = session.iteration;
    log.info({ iteration: session.iteration, envSteps: session.envSteps, checkpoint: path }, 'checkpoint');
  };
  let lastCurve = performance.now();
  const drawCurve = async (): Promise<void> => {
    lastCurve = performance.now();
    writeFileAtomic(join(dir, RUN_FILES.curve), await curveSvg(records, { title: ctx.env, ...(ctx.rewardThreshold !== undefined ? { threshold: ctx.rewardThreshold } : {}) }));
  };

  progress.start(session.envSteps, ctx.totalSteps);
  const loopStart = performance.now();
  try {
    while (session.envSteps < ctx.totalSteps) {
      if (stop.received) {
        reason = 'signal';
        break;
      }
      const m = session.step();
      wallSeconds = ctx.wallSecondsBefore + (performance.now() - loopStart) / 1000;
      const rec: MetricsRecord = { ...m, wallSeconds: Number(wallSeconds.toFixed(4)) };
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
      if (ctx.targetReturn !== undefined && typeof rec.returnMean === 'number' && rec.returnMean >= ctx.targetReturn) {
        reason = 'targetReturn';
        break;
      }
      await yieldToEventLoop();
    }
    if (stop.received && reason === 'totalSteps' && session.envSteps < ctx.totalSteps) reason = 'signal';
    wallSeconds = ctx.wallSecondsBefore + (performance.now() - loopStart) / 1000;
    await checkpoint(); // also saves model/ (unless this iteration was checkpointed already, with model/)
    await drawCurve();
  } catch (err) {
    progress.stop();
    log.error({ err, iteration: session.iteration, envSteps: session.envSteps, lastCheckpoint }, `training failed; the last checkpoint (iteration ${lastCheckpoint}) is intact`);
    throw err;
  } finally {
    progress.stop();
    stop.dispose();
  }
  const last = records[records.length - 1];
  log.info({ reason, iteration: session.iteration, envSteps: session.envSteps, wallSeconds, returnMean: last?.returnMean }, reason === 'signal' ? `stopped by ${stop.received}; continue with: rl resume ${dir}` : 'training finished');
  return { reason, ...(stop.received ? { signal: stop.received } : {}), iteration: session.iteration, envSteps: session.envSteps, wallSeconds, last };
}
