import type { ErrorCode } from '../shared/domain.js';

/** A domain error with a code a UI can act on and a message a person can read. */
export class GuardianError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GuardianError';
  }
}

export const conflict = (message: string, details?: Record<string, unknown>) => new GuardianError('conflict', message, details);
export const forbidden = (message: string, details?: Record<string, unknown>) => new GuardianError('forbidden', message, details);
export const notFound = (message: string) => new GuardianError('not_found', message);
export const invalidInput = (message: string, details?: Record<string, unknown>) =>
  new GuardianError('invalid_input', message, details);

/**
 * Exit codes of the CLI contract (DESIGN §13: 0 done, 1 failure, 2 usage, 3 conflict, 4 forbidden), and 5
 * update required (this client is older than the team's minimum version: update it, then run the command again).
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof GuardianError) {
    switch (err.code) {
      case 'invalid_input':
        return 2;
      case 'conflict':
        return 3;
      case 'forbidden':
        return 4;
      case 'update_required':
        return 5;
      default:
        return 1;
    }
  }
  return 1;
}
