import { CliError } from './errors.js';

/**
 * `rl check-env ID`: makes the env and runs `checkEnv` on it; prints each finding (check,
 * problem, fix) or "no problems found". Exits 1 when there are errors, 0 when there are only
 * warnings (e.g. no getState/setState) or none.
 */
export async function checkEnvCommand(id: string, opts: { json?: boolean }): Promise<void> {
  const { checkEnv, make, registeredIds } = await import('@rl/env');
  if (!registeredIds().includes(id)) throw new CliError(`unknown env id "${id}"; registered: ${registeredIds().join(', ')}`);
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
