/**
 * Errors meant for users: one line saying what input is wrong and how. The CLI prints
 * `message` alone (no stack) for these; anything else is a bug and prints a stack.
 */
export class CaptuneError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaptuneError';
  }
}

/** A requested backend or device cannot run here. */
export class BackendUnavailableError extends CaptuneError {
  constructor(
    readonly backend: string,
    readonly device: string,
    readonly reason: string,
    readonly remedy: string,
  ) {
    super(`backend "${backend}" on device "${device}" is unavailable: ${reason}. ${remedy}`);
    this.name = 'BackendUnavailableError';
  }
}
