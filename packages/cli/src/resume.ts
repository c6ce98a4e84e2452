import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@rl/policy/durable';
import { readLatestCheckpoint, removeTempCheckpoints } from '@rl/trainer/checkpoint';
import { withRunEnvModule } from './env-module.js';
import { CliError } from './errors.js';
import { createRunLogger } from './log.js';
import { readMetrics, truncateMetrics } from './metrics.js';
import { acquireRunLock } from './lock.js';
import { openRunDir, readRunJson, removeStaleModelDirs, RUN_FILES, type RunFile } from './rundir.js';

/**
 * `rl resume DIR`: checks the whole run directory first (run.json, config.json, the latest
 * checkpoint, metrics.jsonl) and changes nothing if any of it is missing or corrupt; then
 * restores the trainer from the checkpoint, cuts metrics.jsonl back to the checkpoint's
 * iteration and continues training.
 */
export async function resumeCommand(dir: string, opts: { totalSteps?: number; envModule?: string }): Promise<void> {
  const runFile = openRunDir(dir);
  const release = acquireRunLock(dir, 'resume');
  try {
    await resumeLocked(dir, runFile, opts);
  } finally {
    release();
  }
}

async function resumeLocked(dir: string, runFile: RunFile, opts: { totalSteps?: number; envModule?: string }): Promise<void> {
  const configPath = join(dir, RUN_FILES.config);
  const raw = readRunJson(dir, RUN_FILES.config);
  const ckpt = readLatestCheckpoint(join(dir, RUN_FILES.checkpoints));
  const metricsPath = join(dir, RUN_FILES.metrics);
  const existing = readMetrics(metricsPath, { tornTail: true });
  if (existing.length < ckpt.iteration) {
    throw new CliError(`${metricsPath}: holds ${existing.length} iterations but the latest checkpoint (${ckpt.dir}) is at iteration ${ckpt.iteration}; the file is corrupt`);
  }
  // TensorFlow.js and the trainer load only once the cheap checks have passed.
  const { initBackend, openSession, resolveTrainConfig } = await import('./session.js');
  const { driveTraining, finishRun } = await import('./drive.js');
  // a user's env: its module first (--env-module, else the recorded one), then the config names a registered env
  const stored = resolveTrainConfig(await withRunEnvModule(dir, raw, opts.envModule), () => configPath, configPath);
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
  // model/ is replaced by two renames; a crash between them leaves none, so write it again now.
  await session.savePolicy(join(dir, RUN_FILES.model));
  const previous = truncateMetrics(metricsPath, ckpt.iteration);
  // config.json records a new total and the module where --env-module found it (else its path as it was written)
  if (config.totalSteps !== stored.totalSteps || opts.envModule !== undefined) {
    const recorded = opts.envModule === undefined && typeof raw.envModule === 'string' ? { envModule: raw.envModule } : {};
    writeFileAtomic(configPath, `${JSON.stringify({ ...config, ...recorded }, null, 2)}\n`);
  }
  logger.attach(dir);
  const log = logger.log;
  log.info({ runDir: resolve(dir), checkpoint: ckpt.dir, iteration: ckpt.iteration, envSteps: ckpt.envSteps, droppedIterations: existing.length - ckpt.iteration, totalSteps: config.totalSteps, backend }, 'run resumed');
  const result = await driveTraining({ dir, trainer: session, runOptions: runFile, wallSecondsBefore: ckpt.wallSeconds, previous, log, tty });
  await finishRun(dir, session, config, result, logger);
}
