import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvModuleFor, runEnvModule } from './env-module.js';
import { CliError } from './errors.js';
import { readRunJson, RUN_FILES } from './rundir.js';

/**
 * A served policy and the env module of its run (`--env-module`, else the one the run's
 * config.json or the policy's metadata records): the module is imported and the policy's spaces
 * checked against the env it registers. The policy alone is enough to serve, so a recorded
 * module that is gone or does not fit is a warning; a module given with the flag must fit.
 */
async function checkEnvModule(policyDir: string, runDir: string | undefined, flag: unknown): Promise<void> {
  const { readPolicyFile } = await import('@rl/policy');
  let file: ReturnType<typeof readPolicyFile>;
  try {
    file = readPolicyFile(policyDir);
  } catch {
    return; // loading the policy reports what is wrong with it
  }
  const runConfig = runDir !== undefined && existsSync(join(runDir, RUN_FILES.config)) ? readRunJson(runDir, RUN_FILES.config) : undefined;
  const config = runConfig ?? ((file.metadata.config ?? {}) as Record<string, unknown>);
  const ref = runEnvModule(runConfig ? runDir! : policyDir, config, flag);
  if (!ref) return;
  const envId = typeof file.metadata.envId === 'string' ? file.metadata.envId : typeof config.env === 'string' ? config.env : undefined;
  try {
    await loadEnvModuleFor(ref, envId);
    if (envId === undefined) return;
    const { make, spacesEqual } = await import('@rl/env');
    const env = make(envId);
    try {
      if (!spacesEqual(env.observationSpace, file.observationSpace) || !spacesEqual(env.actionSpace, file.actionSpace)) {
        throw new CliError(
          `${policyDir}: the policy's spaces (observation ${file.observationSpace}, action ${file.actionSpace}) are not those of ${envId} as ${ref.given} registers it (observation ${env.observationSpace}, action ${env.actionSpace})`,
        );
      }
    } finally {
      env.close();
    }
  } catch (err) {
    if (!ref.recorded || !(err instanceof CliError)) throw err;
    process.stderr.write(`rl serve: warning: ${err.message}; serving the policy all the same (it needs no env)\n`);
  }
}

/**
 * `rl serve DIR`: the policy of a run (or a saved policy directory) as an HTTP service
 * (`@rl/serve`'s `runServeCommand`: POST /act micro-batched, TF Serving's REST API under
 * /v1/models/, /healthz, /metadata, /metrics) until SIGTERM / SIGINT, which drain the
 * requests in flight and exit 0. `opts` are the flags of @rl/serve's `serveFlags()`, already
 * parsed (every default is @rl/serve's), and `envModule` (`--env-module`).
 */
export async function serveCommand(dir: string, opts: Record<string, unknown>): Promise<void> {
  const { findPolicyDir } = await import('@rl/policy');
  let location: ReturnType<typeof findPolicyDir>;
  try {
    location = findPolicyDir(dir);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const policyDir = location.policyDir;
  await checkEnvModule(policyDir, location.runDir, opts.envModule);
  const { runServeCommand, serveFlags } = await import('@rl/serve');
  const given = Object.fromEntries(serveFlags().flatMap((f) => (opts[f.name] === undefined ? [] : [[f.name, opts[f.name]]])));
  await runServeCommand({
    ...given,
    dir,
    onListening: (a, server) => {
      const name = server.options.modelName;
      process.stdout.write(
        `rl serve: ${policyDir} on ${a.url} as model "${name}" (POST /act, POST /v1/models/${name}:predict, GET /healthz /metadata /metrics; Ctrl-C stops)\n`,
      );
    },
  });
}
