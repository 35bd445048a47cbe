/** The two ways a storage call fails: a precondition that no longer holds, or a fault. */

/** Thrown by a transactional call whose precondition failed (nothing was written). */
export class ConflictError extends Error {
  constructor(
    readonly code:
      | 'email-taken'
      | 'invitation-used'
      | 'invitation-expired'
      | 'invitation-unknown'
      | 'setup-done'
      | 'not-found'
      | 'last-chair'
      | 'consensus-conflict'
      | 'revision-label'
      | 'revision-changed'
      | 'adopted',
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Thrown for a storage fault, so callers can tell it from bad input. */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}
