/**
 * How `rl train` and `rl resume` drive the trainer: `Trainer.runAsync` with hooks for what a
 * run directory needs — one metrics line per iteration, one evaluations line per evaluation
 * during training (model/ rewritten when it is a new best), a checkpoint (with model-last/)
 * every `checkpointEvery` iterations, the curve redrawn at most every `curveSeconds`, the
 * progress bar — and SIGINT/SIGTERM as its AbortSignal. The loop, the stop rule, the
 * evaluations and the choice of the best policy are the trainer's own. Then the evaluation
 * after training and the summary.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { fsyncPath, writeFileAtomic } from '@rl/policy/durable';
import { writeCheckpoint } from '@rl/trainer/checkpoint';
import type { TrainingEvaluation } from '@rl/trainer';
import { curveSvg } from './curve.js';
import { appendEvaluation } from './evaluations.js';
import type { RunLogger } from './log.js';
import { appendMetrics, type MetricsRecord } from './metrics.js';
import { createProgress } from './progress.js';
import { describeModel, modelRecords, publishModels } from './models.js';
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
  /** Evaluations already in evaluations.jsonl (for the curve). */
  readonly previousEvaluations: readonly TrainingEvaluation[];
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
  readonly reason: 'totalSteps' | 'targetReturn' | 'stopOnEval' | 'signal';
  readonly signal?: NodeJS.Signals;
  readonly iteration: number;
  readonly envSteps: number;
  readonly wallSeconds: number;
  /** The last metrics line written (undefined if no iteration ran). */
  readonly last: MetricsRecord | undefined;
  /** Seconds of this process's rollouts and updates (sums of the iterations' `rolloutSeconds`, `updateSeconds`). */
  readonly rolloutSeconds: number;
  readonly updateSeconds: number;
  /** Evaluations during training in this process. */
  readonly evaluations: number;
}

/**
 * Trains until the trainer's stop rule or a signal, writing the run directory as it goes. It
 * always ends with a checkpoint, model-last/ and curve.svg for the last iteration (also after a
 * signal, which stops it after the current iteration); model/ is rewritten at each new best
 * evaluation (while there is none, with the checkpoints, as the last policy).
 */
export async function driveTraining(ctx: DriveContext): Promise<DriveResult> {
  const { dir, trainer, log, runOptions, stop, lock } = ctx;
  const metricsPath = join(dir, RUN_FILES.metrics);
  const evaluationsPath = join(dir, RUN_FILES.evaluations);
  const records: MetricsRecord[] = [...ctx.previous];
  const evaluations: TrainingEvaluation[] = [...ctx.previousEvaluations];
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
    fsyncPath(evaluationsPath);
    // model-last/ always; model/ too while no policy was evaluated (it is the last one then)
    await publishModels(dir, trainer, { modelLast: true, model: trainer.best === undefined });
    const path = writeCheckpoint(join(dir, RUN_FILES.checkpoints), { iteration: trainer.iteration, envSteps: trainer.envSteps, wallSeconds }, trainer.getState(), runOptions.keepCheckpoints);
    lastCheckpoint = trainer.iteration;
    log.info({ iteration: trainer.iteration, envSteps: trainer.envSteps, checkpoint: path }, 'checkpoint');
  };
  let lastCurve = performance.now();
  const drawCurve = async (): Promise<void> => {
    lastCurve = performance.now();
    lock.assertHeld();
    const threshold = trainer.rewardThreshold;
    writeFileAtomic(join(dir, RUN_FILES.curve), await curveSvg(records, { title: trainer.config.env, evaluations, ...(threshold !== undefined ? { threshold } : {}) }));
  };

  progress.start(trainer.envSteps, trainer.config.totalSteps);
  const loopStart = performance.now();
  let reason: DriveResult['reason'];
  try {
    const result = await trainer.runAsync({
      signal: stop.signal,
      // before the iteration's metrics line and checkpoint: a checkpoint never holds a best that model/ lacks
      onEvaluation: async (e) => {
        appendEvaluation(evaluationsPath, e);
        evaluations.push(e);
        if (e.best) await publishModels(dir, trainer, { model: true });
      },
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
    await checkpoint(); // also saves model-last/ (unless this iteration was checkpointed already, with it)
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
  const evaluated = evaluations.length - ctx.previousEvaluations.length;
  return { reason, ...(stop.received ? { signal: stop.received } : {}), iteration: trainer.iteration, envSteps: trainer.envSteps, wallSeconds, last, rolloutSeconds, updateSeconds, evaluations: evaluated };
}

const STOPPED: Record<Exclude<DriveResult['reason'], 'signal'>, string> = { totalSteps: 'done', targetReturn: 'target return reached', stopOnEval: 'evaluation return reached --stop-on-eval' };

/**
 * Evaluation after training (config.evalEpisodes episodes of model/ — the best evaluated
 * policy, or the last — on `evaluationSeed(seed)`, the episodes `rl eval` runs by default), a
 * summary on stdout (where model/ and model-last/ come from), and clean-up.
 */
export async function finishRun(dir: string, trainer: Trainer, config: TrainConfig, result: DriveResult, logger: RunLogger): Promise<void> {
  const lines = [
    `run directory: ${dir}`,
    `${result.reason === 'signal' ? `stopped by ${result.signal}` : STOPPED[result.reason]}: ${result.iteration} iterations, ${result.envSteps.toLocaleString('en-US')} env steps, ${result.wallSeconds.toFixed(1)} s`,
    `time in this process: rollout ${result.rolloutSeconds.toFixed(1)} s, update ${result.updateSeconds.toFixed(1)} s`,
  ];
  const rm = result.last?.returnMean;
  if (typeof rm === 'number' && Number.isFinite(rm)) lines.push(`recent mean return: ${rm.toFixed(1)}`);
  const models = modelRecords(trainer);
  if (models.model.selection === 'best') {
    lines.push(describeModel('model/', models.model, `the best of ${config.evalEpisodes}-episode evaluations every ${config.evalEvery.toLocaleString('en-US')} env steps`));
    lines.push(describeModel('model-last/', models.modelLast, 'the last policy'));
  } else {
    lines.push(describeModel('model/ and model-last/', models.modelLast, 'the last policy'));
  }
  if (result.reason !== 'signal' && config.evalEpisodes > 0) {
    const raw = trainer.evaluate({ policy: 'best', episodes: config.evalEpisodes, deterministic: config.evalDeterministic });
    const ev = summarize(raw.returns, raw.lengths);
    logger.log.info({ evaluation: ev, model: models.model }, 'evaluation after training');
    lines.push(`evaluation of model/ (${ev.episodes} episodes, ${config.evalDeterministic ? 'deterministic' : 'sampled actions'}): return ${ev.meanReturn.toFixed(1)} ± ${ev.stdReturn.toFixed(1)}, length ${ev.meanLength.toFixed(1)}`);
  }
  if (result.reason === 'signal') lines.push(`continue with: rl resume ${dir}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  trainer.dispose();
  logger.close();
}
