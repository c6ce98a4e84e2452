import { join } from 'node:path';
import { withRunEnvModule } from './env-module.js';
import { CliError } from './errors.js';
import { openRunDir, readRunJson, RUN_FILES } from './rundir.js';

/** Options of `rl eval`. */
export interface EvalOptions {
  readonly episodes?: number;
  readonly deterministic?: boolean;
  readonly seed?: number;
  readonly backend?: string;
  readonly json?: boolean;
  /** A user's env module (default: the one the run's config.json records). */
  readonly envModule?: string;
}

/** `rl eval DIR`: runs the run's saved policy (where @rl/policy's `findPolicyDir` finds it: model/) on the run's env and prints mean ± std return and length. */
export async function evalCommand(dir: string, opts: EvalOptions): Promise<void> {
  openRunDir(dir);
  const configPath = join(dir, RUN_FILES.config);
  const raw = readRunJson(dir, RUN_FILES.config);
  const { findPolicyDir } = await import('@rl/policy');
  let modelDir: string;
  try {
    modelDir = findPolicyDir(dir).policyDir; // a training run publishes model/ atomically: it is never missing
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  // The trainer loads only once the cheap checks have passed.
  const { evaluateSaved, evaluationSeed, initBackend, resolveTrainConfig } = await import('./session.js');
  const config = resolveTrainConfig(await withRunEnvModule(dir, raw, opts.envModule), () => configPath, configPath);
  const backend = await initBackend((opts.backend ?? config.backend) as typeof config.backend);
  const episodes = opts.episodes ?? 100;
  const deterministic = opts.deterministic === true;
  const seed = opts.seed ?? evaluationSeed(config.seed); // the trainer's rule, as its evaluation after training
  const r = await evaluateSaved(modelDir, config, { episodes, deterministic, seed });
  const result = { env: config.env, ...r, deterministic, seed, backend: backend.backend, runDir: dir };
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `${config.env}, ${r.episodes} episodes (${deterministic ? 'deterministic' : 'sampled'} actions, seed ${seed}, ${backend.backend}):\n` +
        `  return ${r.meanReturn.toFixed(2)} ± ${r.stdReturn.toFixed(2)}  (min ${r.minReturn.toFixed(2)}, max ${r.maxReturn.toFixed(2)})\n` +
        `  length ${r.meanLength.toFixed(1)} ± ${r.stdLength.toFixed(1)}\n`,
    );
  }
}
