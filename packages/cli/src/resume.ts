import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '@rl/policy/durable';
import { CheckpointError, moveAsideCheckpoint, readNewestIntactCheckpoint } from '@rl/trainer/checkpoint';
import { withRunEnvModule } from './env-module.js';
import { CliError } from './errors.js';
import { createRunLogger } from './log.js';
import { readEvaluations, truncateEvaluations } from './evaluations.js';
import { readMetrics, truncateMetrics } from './metrics.js';
import { acquireRunLock, type RunLock } from './lock.js';
import { openRunDir, readRunJson, removeRunLeftovers, RUN_FILES, type RunFile } from './rundir.js';
import { catchStopSignals, StoppedDuringSetup, throwIfStopped, type StopSignal } from './signals.js';

/** Options of `rl resume`. */
export interface ResumeOptions {
  /** New total env steps (not below the steps the run has done). */
  readonly totalSteps?: number;
  /** A user env module to import instead of the one config.json records (`--env-module`). */
  readonly envModule?: string;
}

/**
 * `rl resume DIR`: takes the run's lock, checks the whole run directory first (run.json,
 * config.json, the newest intact checkpoint, metrics.jsonl) and changes nothing if any of it is
 * missing or corrupt; then restores the trainer from that checkpoint. Only then does it change
 * the directory: the killed processes' leftovers go, newer checkpoints that failed to read are
 * moved aside (`checkpoints/.bad-ckpt-N`, never deleted) and said so, a saved policy that fails
 * verification is rebuilt from the checkpoint, metrics.jsonl is cut back to the checkpoint's
 * iteration, a new `--total-steps` is written to config.json (and printed); then it trains on.
 */
export async function resumeCommand(dir: string, opts: ResumeOptions): Promise<void> {
  const runFile = openRunDir(dir);
  const stop = catchStopSignals();
  let lock: RunLock | undefined;
  try {
    lock = acquireRunLock(dir, 'resume');
    await resumeLocked(dir, runFile, opts, stop, lock);
  } catch (err) {
    if (!(err instanceof StoppedDuringSetup)) throw err;
    process.stdout.write(`rl resume: stopped by ${err.signal} before training resumed; ${dir} is as it was\n`);
  } finally {
    lock?.release();
    stop.dispose();
  }
}

async function resumeLocked(dir: string, runFile: RunFile, opts: ResumeOptions, stop: StopSignal, lock: RunLock): Promise<void> {
  const configPath = join(dir, RUN_FILES.config);
  const raw = readRunJson(dir, RUN_FILES.config);
  let found: ReturnType<typeof readNewestIntactCheckpoint>;
  try {
    found = readNewestIntactCheckpoint(join(dir, RUN_FILES.checkpoints));
  } catch (err) {
    if (err instanceof CheckpointError) throw new CliError(err.message);
    throw err;
  }
  const ckpt = found.checkpoint;
  const metricsPath = join(dir, RUN_FILES.metrics);
  const existing = readMetrics(metricsPath, { tornTail: true });
  if (existing.length < ckpt.iteration) {
    throw new CliError(`${metricsPath}: holds ${existing.length} iterations but the checkpoint ${ckpt.dir} is at iteration ${ckpt.iteration}; the file is corrupt`);
  }
  if (opts.totalSteps !== undefined && opts.totalSteps < ckpt.envSteps) {
    throw new CliError(`--total-steps ${opts.totalSteps.toLocaleString('en-US')} is below the ${ckpt.envSteps.toLocaleString('en-US')} env steps this run has done (checkpoint ${basename(ckpt.dir)}); give at least ${ckpt.envSteps.toLocaleString('en-US')}, or leave it out to keep ${String((raw as { totalSteps?: unknown }).totalSteps)}`, 2);
  }
  readEvaluations(join(dir, RUN_FILES.evaluations), { tornTail: true }); // a corrupt evaluations.jsonl is an error before anything changes
  // TensorFlow.js and the trainer load only once the cheap checks have passed.
  const { checkRunSize, initBackend, openSession, resolveTrainConfig } = await import('./session.js');
  const { driveTraining, finishRun } = await import('./drive.js');
  const { repairPolicies } = await import('./repair.js');
  const { publishModels } = await import('./models.js');
  // a user's env: its module first (--env-module, else the recorded one), then the config names a registered env
  const stored = resolveTrainConfig(await withRunEnvModule(dir, raw, opts.envModule), () => configPath, configPath);
  const config = opts.totalSteps !== undefined ? { ...stored, totalSteps: opts.totalSteps } : stored;
  const inConfig = (field: string): string => (field === 'totalSteps' ? '--total-steps' : `${field} (in ${configPath})`);
  checkRunSize(config, inConfig);
  await throwIfStopped(stop);
  const tty = process.stderr.isTTY === true;
  const logger = createRunLogger({ console: !tty });
  const backend = await initBackend(config.backend);
  await throwIfStopped(stop);
  const session = await openSession(config, logger.log, inConfig);
  try {
    try {
      session.setState(ckpt.state as Parameters<typeof session.setState>[0]);
    } catch (err) {
      throw new CliError(`${join(ckpt.dir, 'checkpoint.json')}: does not fit this run's config (${(err as Error).message})`);
    }
    if (session.iteration !== ckpt.iteration) {
      throw new CliError(`${join(ckpt.dir, 'checkpoint.json')}: says iteration ${ckpt.iteration} but its trainer state is at iteration ${session.iteration}`);
    }
    await throwIfStopped(stop);
  } catch (err) {
    session.dispose();
    logger.close();
    throw err;
  }

  // Everything checked: now the directory may change.
  stop.secondSignalNote = 'the last checkpoint is intact';
  lock.assertHeld();
  const removed = removeRunLeftovers(dir);
  const notes: string[] = [];
  for (const bad of found.skipped) {
    const to = moveAsideCheckpoint(bad.dir);
    notes.push(`${bad.error.message}; moved ${bad.dir} aside to ${to} (kept, not deleted)`);
  }
  if (found.skipped.length > 0) notes.push(`resuming from ${ckpt.dir} (iteration ${ckpt.iteration}, ${ckpt.envSteps.toLocaleString('en-US')} env steps), the newest intact checkpoint`);
  notes.push(...(await repairPolicies(dir, session, ckpt)));
  for (const n of notes) process.stderr.write(`rl resume: ${n}\n`);
  // then model/ and model-last/ as the checkpoint holds them (model/ its best evaluated policy, model-last/ its current one), so that they and run.json's models agree with the state training goes on from
  await publishModels(dir, session);
  const previous = truncateMetrics(metricsPath, ckpt.iteration);
  const previousEvaluations = truncateEvaluations(join(dir, RUN_FILES.evaluations), ckpt.iteration);
  // config.json records a new total and the module where --env-module found it (else its path as it was written)
  if (config.totalSteps !== stored.totalSteps || opts.envModule !== undefined) {
    const recorded = opts.envModule === undefined && typeof raw.envModule === 'string' ? { envModule: raw.envModule } : {};
    writeFileAtomic(configPath, `${JSON.stringify({ ...config, ...recorded }, null, 2)}\n`);
    if (config.totalSteps !== stored.totalSteps) process.stdout.write(`rl resume: totalSteps ${stored.totalSteps.toLocaleString('en-US')} → ${config.totalSteps.toLocaleString('en-US')} (--total-steps); ${configPath} updated\n`);
  }
  logger.attach(dir);
  const log = logger.log;
  log.info(
    { runDir: resolve(dir), checkpoint: ckpt.dir, iteration: ckpt.iteration, envSteps: ckpt.envSteps, droppedIterations: existing.length - ckpt.iteration, totalSteps: config.totalSteps, backend, removedLeftovers: removed, notes },
    'run resumed',
  );
  const result = await driveTraining({ dir, trainer: session, runOptions: runFile, wallSecondsBefore: ckpt.wallSeconds, previous, previousEvaluations, log, tty, stop, lock });
  await finishRun(dir, session, config, result, logger);
}
