import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@rl/policy/durable';
import { writeCheckpoint } from '@rl/trainer/checkpoint';
import { layerConfig, readConfigFile, type ConfigLayers } from './config.js';
import { givenEnvModule, loadEnvModuleFor } from './env-module.js';
import { CliError } from './errors.js';
import { acquireRunLock, type RunLock } from './lock.js';
import { createRunLogger, type RunLogger } from './log.js';
import { driveTraining, finishRun } from './drive.js';
import { publishModels } from './models.js';
import { checkOutDir, commitRunDir, defaultRunDir, removeRunLeftovers, RUN_DEFAULTS, RUN_FILES, stageRunDir, writeRunFile, type RunOptions } from './rundir.js';
import { deepMerge, type FieldFlag } from '@rl/trainer';
import { flagConfig } from './train-options.js';
import { checkRunSize, flagOf, initBackend, openSession, resolveTrainConfig, type TrainConfig } from './session.js';
import { catchStopSignals, StoppedDuringSetup, throwIfStopped, type StopSignal } from './signals.js';

/** Says where a bad field's value came from: a flag, the --config file, or configs/<env>. */
export function fieldSource(field: string, flagValues: Record<string, unknown>, layers: ConfigLayers, flags: readonly FieldFlag[]): string {
  const top = field.split('.')[0]!;
  const flag = flags.find((f) => f.path[0] === top);
  if (top in flagValues) return flag ? `--${flag.flag}` : top;
  if (layers.userFile) return `${layers.userFile} or the defaults`;
  if (layers.envFile) return `${layers.envFile} or the defaults`;
  return flag ? `--${flag.flag}` : 'defaults';
}

/**
 * `rl train`'s env module (`--env-module`, else the --config file's `envModule`), imported before
 * the config is validated, its path made absolute. With no env named (`--env`, the config file),
 * the env is the one the module registers.
 */
async function withEnvModule(flagValues: Record<string, unknown>, userFile: string | undefined): Promise<Record<string, unknown>> {
  const user = userFile ? readConfigFile(userFile) : {};
  const given = flagValues.envModule ?? user.envModule;
  if (typeof given !== 'string' || given.length === 0) return flagValues;
  const ref = givenEnvModule(given, 'envModule' in flagValues ? '--env-module' : `${userFile}: envModule`);
  const named = flagValues.env ?? user.env;
  const ids = await loadEnvModuleFor(ref, typeof named === 'string' ? named : undefined);
  if (named !== undefined) return { ...flagValues, envModule: ref.path };
  if (ids.length !== 1) throw new CliError(`${ref.source} ${ref.given} registers ${ids.join(', ')}: name the one to train with --env`);
  return { ...flagValues, env: ids[0], envModule: ref.path };
}

/** Resolves the layered config or throws a CliError listing every bad field, its value, where it came from and what is allowed. */
export async function buildTrainConfig(opts: Record<string, unknown>, flags: readonly FieldFlag[]): Promise<{ config: TrainConfig; layers: ConfigLayers }> {
  if (opts.config === '') throw new CliError('--config: an empty path; give a YAML or JSON config file', 2);
  const userFile = typeof opts.config === 'string' ? opts.config : undefined;
  const flagValues = await withEnvModule(flagConfig(opts, flags), userFile);
  const layers = layerConfig(flagValues, userFile, 'CartPole-v1', deepMerge);
  const config = resolveTrainConfig(layers.partial, (field) => fieldSource(field, flagValues, layers, flags));
  return { config, layers };
}

/**
 * The run directory's lock: `--out`'s, or a fresh `runs/<env>-<timestamp>` whose lock this
 * process wins (two runs started in the same second get `-2`, `-3`, …).
 */
function lockOut(opts: Record<string, unknown>, config: TrainConfig): { out: string; lock: RunLock } {
  if (typeof opts.out === 'string') return { out: opts.out, lock: acquireRunLock(opts.out, 'train') };
  for (let attempt = 0; ; attempt++) {
    const out = defaultRunDir(config.env);
    try {
      return { out, lock: acquireRunLock(out, 'train') };
    } catch (err) {
      if (!(err instanceof CliError) || attempt >= 20) throw err;
    }
  }
}

/**
 * `rl train`: validate everything (config, memory), take the run directory's lock, assemble
 * the run in a staging directory (backend, trainer, config, first checkpoint and model), rename
 * it into place, then train. A signal during set-up removes what was staged and exits 0 with
 * nothing written; a signal during training stops after the iteration with a final checkpoint.
 */
export async function trainCommand(opts: Record<string, unknown>, flags: readonly FieldFlag[]): Promise<void> {
  const phases: Record<string, number> = { trainerLoaded: Math.round(performance.now()) };
  const { config, layers } = await buildTrainConfig(opts, flags);
  const runOptions: RunOptions = {
    checkpointEvery: (opts.checkpointEvery as number | undefined) ?? RUN_DEFAULTS.checkpointEvery,
    keepCheckpoints: (opts.keepCheckpoints as number | undefined) ?? RUN_DEFAULTS.keepCheckpoints,
    curveSeconds: (opts.curveSeconds as number | undefined) ?? RUN_DEFAULTS.curveSeconds,
  };
  const force = opts.force === true;
  if (opts.out === '') throw new CliError('--out: an empty path; give the run directory, e.g. --out runs/cartpole', 2);
  checkRunSize(config, flagOf); // before anything is written; the backend's own limit is checked once it runs
  const stop = catchStopSignals();
  let staged: string | undefined;
  const removeStaged = (): void => {
    if (staged) rmSync(staged, { recursive: true, force: true });
  };
  process.on('exit', removeStaged); // a second signal or a crash during set-up leaves no staging directory behind
  let out: string | undefined;
  let lock: RunLock | undefined;
  let ready: Awaited<ReturnType<typeof setUp>>;
  try {
    ({ out, lock } = lockOut(opts, config));
    ready = await setUp(out, lock, force, config, runOptions, stop, (dir) => (staged = dir), phases);
    staged = undefined;
  } catch (err) {
    removeStaged();
    process.off('exit', removeStaged);
    lock?.release();
    stop.dispose();
    if (err instanceof StoppedDuringSetup) {
      process.stdout.write(`rl train: stopped by ${err.signal} during set-up; nothing was written${out ? ` (${out} is as it was)` : ''}\n`);
      return;
    }
    throw err;
  }
  process.off('exit', removeStaged);
  stop.secondSignalNote = 'the last checkpoint is intact';
  const { session, logger, backend, tty } = ready;
  try {
    logger.attach(out);
    if (tty) process.stderr.write(`rl train: ${config.env}, ${config.totalSteps.toLocaleString('en-US')} env steps, backend ${backend.backend} → ${out}\n`);
    const log = logger.log;
    log.info({ runDir: resolve(out), config, configFiles: [layers.envFile, layers.userFile].filter(Boolean), backend, ...runOptions, msSinceProcessStart: phases }, 'run started');
    const result = await driveTraining({ dir: out, trainer: session, runOptions, wallSecondsBefore: 0, previous: [], previousEvaluations: [], log, tty, stop, lock });
    await finishRun(out, session, config, result, logger);
  } finally {
    lock.release();
    stop.dispose();
  }
}

/** Set-up under the lock: the staging directory first, then the backend and the trainer, then the run's first files, then the commit. */
async function setUp(out: string, lock: RunLock, force: boolean, config: TrainConfig, runOptions: RunOptions, stop: StopSignal, staging: (dir: string) => void, phases: Record<string, number>) {
  checkOutDir(out, force); // again: now no other rl can change it
  removeRunLeftovers(out); // what killed processes left beside it (and in it, when it is replaced)
  const staged = stageRunDir(out);
  staging(staged);
  await throwIfStopped(stop);
  const tty = process.stderr.isTTY === true;
  const logger = createRunLogger({ console: !tty });
  const backend = await initBackend(config.backend);
  phases.backendReady = Math.round(performance.now());
  await throwIfStopped(stop);
  const session = await openSession(config, logger.log);
  phases.trainerBuilt = Math.round(performance.now());
  try {
    await throwIfStopped(stop);
    // The run directory appears complete (config, run.json, empty metrics and evaluations, checkpoint 0, model/, model-last/) or not at all.
    writeFileAtomic(join(staged, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    writeRunFile(staged, runOptions);
    writeFileSync(join(staged, RUN_FILES.metrics), '');
    writeFileSync(join(staged, RUN_FILES.evaluations), '');
    writeFileSync(join(staged, RUN_FILES.log), '');
    await publishModels(staged, session); // model/ and model-last/: the initial policy
    writeCheckpoint(join(staged, RUN_FILES.checkpoints), { iteration: session.iteration, envSteps: session.envSteps, wallSeconds: 0 }, session.getState(), runOptions.keepCheckpoints);
    await throwIfStopped(stop);
    commitRunDir(staged, out, force, lock);
    phases.runDirWritten = Math.round(performance.now());
  } catch (err) {
    session.dispose();
    logger.close();
    throw err;
  }
  return { session, logger, backend, tty };
}
