import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { givenEnvModule, loadEnvModuleFor, runEnvModule, userEnvHint, type EnvModuleRef } from './env-module.js';
import { CliError } from './errors.js';
import { readRunJson, RUN_FILES } from './rundir.js';

/** The env to check: an id (with `--env-module`, the user's module that registers it), or a run directory's env and the module it records. */
function target(arg: string, envModule: string | undefined): { id: string; ref: EnvModuleRef | undefined } {
  if (!existsSync(arg) || !statSync(arg).isDirectory()) return { id: arg, ref: envModule === undefined ? undefined : givenEnvModule(envModule) };
  const config = readRunJson(arg, RUN_FILES.config);
  if (typeof config.env !== 'string') throw new CliError(`${join(arg, RUN_FILES.config)}: field "env" must be an env id, got ${JSON.stringify(config.env)}`);
  return { id: config.env, ref: runEnvModule(arg, config, envModule) };
}

/**
 * `rl check-env ID|RUN`: makes the env (a registered id, one of `--env-module FILE`, or a run
 * directory's env with the module it records) and runs `checkEnv` on it; prints each finding
 * (check, problem, fix) or "no problems found". Exits 1 when there are errors, 0 when there are
 * only warnings (e.g. no getState/setState) or none.
 */
export async function checkEnvCommand(arg: string, opts: { json?: boolean; envModule?: string }): Promise<void> {
  const { id, ref } = target(arg, opts.envModule);
  if (ref) await loadEnvModuleFor(ref, id);
  const { checkEnv, make, registeredIds } = await import('@rl/env');
  if (!registeredIds().includes(id)) throw new CliError(`unknown env id "${id}"; registered: ${registeredIds().join(', ')}${userEnvHint(id)}`);
  const env = make(id);
  let findings;
  try {
    findings = checkEnv(env);
  } finally {
    env.close();
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (opts.json) process.stdout.write(`${JSON.stringify({ env: id, ok: errors === 0, findings })}\n`);
  else if (findings.length === 0) process.stdout.write(`${id}: no problems found\n`);
  else {
    const warnings = findings.length - errors;
    const count = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
    process.stdout.write(`${id}: ${[errors ? count(errors, 'problem') : '', warnings ? count(warnings, 'warning') : ''].filter(Boolean).join(', ')} found\n`);
    for (const f of findings) process.stdout.write(`  - ${f.severity === 'warning' ? 'warning ' : ''}[${f.check}] ${f.problem}\n    fix: ${f.fix}\n`);
  }
  if (errors > 0) process.exitCode = 1;
}
