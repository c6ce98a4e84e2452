/**
 * An error the `rl` command reports as one clear message (no stack trace) and a non-zero exit
 * code. Everything a user can get wrong (flags, config files, run directories) throws this.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** Process exit code (default 1; 2 for usage errors, as commander uses). */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
