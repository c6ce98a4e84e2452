import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@rl/policy/durable';
import { writeCheckpoint } from '@rl/trainer/checkpoint';
import { layerConfig, readConfigFile, type ConfigLayers } from './config.js';
import { givenEnvModule, loadEnvModuleFor } from './env-module.js';
import { CliError } from './errors.js';
import { acquireRunLock, assertUnlocked } from './lock.js';
import { createRunLogger, type RunLogger } from './log.js';
import { driveTraining, finishRun } from './drive.js';
import { checkOutDir, commitRunDir, defaultRunDir, RUN_DEFAULTS, RUN_FILES, stageRunDir, writeRunFile, type RunOptions } from './rundir.js';
import { deepMerge, type FieldFlag } from '@rl/trainer';
import { flagConfig } from './train-options.js';
import { initBackend, openSession, resolveTrainConfig, type TrainConfig } from './session.js';

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
  const userFile = typeof opts.config === 'string' ? opts.config : undefined;
  const flagValues = await withEnvModule(flagConfig(opts, flags), userFile);
  const layers = layerConfig(flagValues, userFile, 'CartPole-v1', deepMerge);
  const config = resolveTrainConfig(layers.partial, (field) => fieldSource(field, flagValues, layers, flags));
  return { config, layers };
}

/** `rl train`: validate everything, then assemble the run directory, then train. */
export async function trainCommand(opts: Record<string, unknown>, flags: readonly FieldFlag[]): Promise<void> {
  const phases: Record<string, number> = { trainerLoaded: Math.round(performance.now()) };
  const { config, layers } = await buildTrainConfig(opts, flags);
  const runOptions: RunOptions = {
    checkpointEvery: (opts.checkpointEvery as number | undefined) ?? RUN_DEFAULTS.checkpointEvery,
    keepCheckpoints: (opts.keepCheckpoints as number | undefined) ?? RUN_DEFAULTS.keepCheckpoints,
    curveSeconds: (opts.curveSeconds as number | undefined) ?? RUN_DEFAULTS.curveSeconds,
  };
  const force = opts.force === true;
  const out = typeof opts.out === 'string' ? opts.out : defaultRunDir(config.env);
  checkOutDir(out, force);
  if (force) assertUnlocked(out); // --force never replaces a run that is training right now
  const tty = process.stderr.isTTY === true;
  const logger = createRunLogger({ console: !tty });
  const backend = await initBackend(config.backend);
  phases.backendReady = Math.round(performance.now());
  const session = await openSession(config, logger.log);
  phases.trainerBuilt = Math.round(performance.now());

  // The run directory appears complete (config, run.json, empty metrics, checkpoint 0, model) or not at all.
  const staged = stageRunDir(out);
  let release: () => void;
  try {
    acquireRunLock(staged, 'train');
    writeFileAtomic(join(staged, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    writeRunFile(staged, runOptions);
    writeFileSync(join(staged, RUN_FILES.metrics), '');
    writeFileSync(join(staged, RUN_FILES.log), '');
    await session.savePolicy(join(staged, RUN_FILES.model));
    writeCheckpoint(join(staged, RUN_FILES.checkpoints), { iteration: session.iteration, envSteps: session.envSteps, wallSeconds: 0 }, session.getState(), runOptions.keepCheckpoints);
    commitRunDir(staged, out, force);
    release = acquireRunLock(out, 'train'); // the lock moved with the directory; take it over at its new path
    phases.runDirWritten = Math.round(performance.now());
  } catch (err) {
    rmSync(staged, { recursive: true, force: true });
    throw err;
  }

  logger.attach(out);
  if (tty) process.stderr.write(`rl train: ${config.env}, ${config.totalSteps.toLocaleString('en-US')} env steps, backend ${backend.backend} → ${out}\n`);
  const log = logger.log;
  log.info({ runDir: resolve(out), config, configFiles: [layers.envFile, layers.userFile].filter(Boolean), backend, ...runOptions, msSinceProcessStart: phases }, 'run started');
  const result = await driveTraining({ dir: out, trainer: session, runOptions, wallSecondsBefore: 0, previous: [], log, tty });
  await finishRun(out, session, config, result, logger);
  release();
}
