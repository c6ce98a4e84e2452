/**
 * Entry point of the `rl` command (run by bin/rl.mjs). Loads the trainer only for commands
 * whose flags come from its config schema; every command loads its own heavy modules.
 */
import { CliError } from './errors.js';
import { buildProgram } from './program.js';
import { loadServeFlags } from './serve-flags.js';
import type { TrainerFlagSource } from './train-options.js';

async function trainerFlags(argv: readonly string[]): Promise<TrainerFlagSource | undefined> {
  const wantsTrain = argv[0] === 'train' || (argv[0] === 'help' && argv[1] === 'train');
  if (!wantsTrain) return undefined;
  const { trainFlagSource } = await import('./train-options.js');
  return trainFlagSource(argv);
}

/** Prints an error as the user should see it and returns the exit code. */
export function reportError(err: unknown, command: string): number {
  const prefix = command ? `rl ${command}` : 'rl';
  if (err instanceof CliError) {
    process.stderr.write(`${prefix}: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (['BackendUnavailableError', 'ConfigError', 'CheckpointError', 'DistributedConfigError', 'EnvModuleError', 'PolicyIntegrityError', 'RunSizeError', 'ServeLimitError'].includes(e.name)) {
    process.stderr.write(`${prefix}: ${e.message}\n`);
    return 1;
  }
  process.stderr.write(`${prefix}: ${process.env.RL_DEBUG ? (e.stack ?? e.message) : e.message}\n`);
  if (!process.env.RL_DEBUG) process.stderr.write('(set RL_DEBUG=1 for the stack trace)\n');
  return 1;
}

const argv = process.argv.slice(2);
let code = 0;
try {
  const program = buildProgram(await trainerFlags(argv), await loadServeFlags(argv));
  await program.parseAsync(process.argv);
  code = typeof process.exitCode === 'number' ? process.exitCode : 0;
} catch (err) {
  code = reportError(err, argv[0] && !argv[0].startsWith('-') ? argv[0] : '');
}
// Training leaves the wasm backend and timers alive; the command is done, so leave now.
process.exit(code);
