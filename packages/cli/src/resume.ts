import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@rl/policy/durable';
import { readLatestCheckpoint, removeTempCheckpoints } from '@rl/trainer/checkpoint';
import { CliError } from './errors.js';
import { createRunLogger } from './log.js';
import { readEvaluations, truncateEvaluations } from './evaluations.js';
import { readMetrics, truncateMetrics } from './metrics.js';
import { acquireRunLock } from './lock.js';
import { openRunDir, readRunJson, removeStaleModelDirs, RUN_FILES, type RunFile } from './rundir.js';

/**
 * `rl resume DIR`: checks the whole run directory first (run.json, config.json, the latest
 * checkpoint, metrics.jsonl) and changes nothing if any of it is missing or corrupt; then
 * restores the trainer from the checkpoint, cuts metrics.jsonl back to the checkpoint's
 * iteration and continues training.
 */
export async function resumeCommand(dir: string, opts: { totalSteps?: number }): Promise<void> {
  const runFile = openRunDir(dir);
  const release = acquireRunLock(dir, 'resume');
  try {
    await resumeLocked(dir, runFile, opts);
  } finally {
    release();
  }
}

async function resumeLocked(dir: string, runFile: RunFile, opts: { totalSteps?: number }): Promise<void> {
  const configPath = join(dir, RUN_FILES.config);
  const raw = readRunJson(dir, RUN_FILES.config);
  const ckpt = readLatestCheckpoint(join(dir, RUN_FILES.checkpoints));
  const metricsPath = join(dir, RUN_FILES.metrics);
  const existing = readMetrics(metricsPath, { tornTail: true });
  if (existing.length < ckpt.iteration) {
    throw new CliError(`${metricsPath}: holds ${existing.length} iterations but the latest checkpoint (${ckpt.dir}) is at iteration ${ckpt.iteration}; the file is corrupt`);
  }
  readEvaluations(join(dir, RUN_FILES.evaluations), { tornTail: true }); // a corrupt evaluations.jsonl is an error before anything changes
  // TensorFlow.js and the trainer load only once the cheap checks have passed.
  const { initBackend, openSession, resolveTrainConfig } = await import('./session.js');
  const { driveTraining, finishRun } = await import('./drive.js');
  const { publishModels } = await import('./models.js');
  const stored = resolveTrainConfig(raw, () => configPath, configPath);
  const config = opts.totalSteps !== undefined ? { ...stored, totalSteps: opts.totalSteps } : stored;
  const tty = process.stderr.isTTY === true;
  const logger = createRunLogger({ console: !tty });
  const backend = await initBackend(config.backend);
  const session = await openSession(config, logger.log);
  try {
    session.setState(ckpt.state as Parameters<typeof session.setState>[0]);
  } catch (err) {
    session.dispose();
    throw new CliError(`${join(ckpt.dir, 'checkpoint.json')}: does not fit this run's config (${(err as Error).message})`);
  }
  if (session.iteration !== ckpt.iteration) {
    session.dispose();
    throw new CliError(`${join(ckpt.dir, 'checkpoint.json')}: says iteration ${ckpt.iteration} but its trainer state is at iteration ${session.iteration}`);
  }

  // Everything checked: now the directory may change.
  removeTempCheckpoints(join(dir, RUN_FILES.checkpoints));
  removeStaleModelDirs(dir);
  // model/ and model-last/ are each replaced by two renames; a crash between them leaves none, so
  // write both again now from the checkpoint: model/ its best evaluated policy (the state holds
  // it), model-last/ its current one.
  await publishModels(dir, session);
  const previous = truncateMetrics(metricsPath, ckpt.iteration);
  const previousEvaluations = truncateEvaluations(join(dir, RUN_FILES.evaluations), ckpt.iteration);
  if (config.totalSteps !== stored.totalSteps) writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
  logger.attach(dir);
  const log = logger.log;
  log.info({ runDir: resolve(dir), checkpoint: ckpt.dir, iteration: ckpt.iteration, envSteps: ckpt.envSteps, droppedIterations: existing.length - ckpt.iteration, totalSteps: config.totalSteps, backend }, 'run resumed');
  const result = await driveTraining({ dir, trainer: session, runOptions: runFile, wallSecondsBefore: ckpt.wallSeconds, previous, previousEvaluations, log, tty });
  await finishRun(dir, session, config, result, logger);
}
