import { CliError } from './errors.js';

/**
 * `rl check-env ID`: makes the env and runs `checkEnv` on it; prints each finding (check,
 * problem, fix) or "no problems found". Exits 0 when clean, 1 when there are findings.
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
  if (opts.json) process.stdout.write(`${JSON.stringify({ env: id, ok: findings.length === 0, findings })}\n`);
  else if (findings.length === 0) process.stdout.write(`${id}: no problems found\n`);
  else {
    process.stdout.write(`${id}: ${findings.length} problem${findings.length === 1 ? '' : 's'} found\n`);
    for (const f of findings) process.stdout.write(`  - [${f.check}] ${f.problem}\n    fix: ${f.fix}\n`);
  }
  if (findings.length > 0) process.exitCode = 1;
}
