/** What {@link BackendUnavailableError} carries besides its message. */
export interface BackendUnavailableDetails {
  /** The backend that could not start (`webgpu`, `tensorflow-gpu`, …). */
  readonly backend?: string;
  /** The one command (or setting) that fixes it, e.g. `apt-get install libvulkan1`. */
  readonly fix?: string;
}

/**
 * Thrown when a requested backend cannot be loaded. The message says what is missing and how
 * to fix it; {@link BackendUnavailableError.fix} holds the fixing command on its own (`rl doctor`
 * prints it).
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  /** The backend that could not start, when known. */
  readonly backend: string | undefined;
  /** The one command or setting that fixes it, when there is one. */
  readonly fix: string | undefined;

  constructor(message: string, details: BackendUnavailableDetails = {}) {
    super(message);
    this.backend = details.backend;
    this.fix = details.fix;
  }
}
