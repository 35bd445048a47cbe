/**
 * The policy: the one place that answers "may this member do this?", reading the matrix in
 * shared/roles.ts. Routes and the sync endpoint ask here; nothing else decides.
 */
import { type Action, roleCan } from '../../shared/roles.js';
import type { MemberRecord } from '../storage/types.js';

export function can(member: MemberRecord | null, action: Action): boolean {
  return member !== null && roleCan(member.role, action);
}

/** An HTTP error with a status and a message for the user. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name =
      statusCode === 401
        ? 'Unauthorized'
        : statusCode === 403
          ? 'Forbidden'
          : statusCode === 404
            ? 'Not Found'
            : statusCode === 409
              ? 'Conflict'
              : statusCode === 429
                ? 'Too Many Requests'
                : 'Bad Request';
  }
}

/** Throws 403 unless `member` may take `action`. */
export function authorize(
  member: MemberRecord | null,
  action: Action,
): asserts member is MemberRecord {
  if (!can(member, action))
    throw new HttpError(403, 'Your role in this group does not allow this.');
}
