/**
 * What the accounts routes accept (login, password change, first-start setup, invitation
 * acceptance), defined once with TypeBox: server/http/auth-routes.ts validates with these
 * schemas and gets its request types from them; client/src/api.ts types what it sends with
 * the same definitions (type-only imports: nothing of TypeBox reaches the browser bundle).
 */
import { type Static, Type } from 'typebox';
import { LINE_PATTERN } from '../input.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

const closed = { additionalProperties: false } as const;

export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
/** A person's display name or a group's name: one line of text. */
export const Name = Type.String({ minLength: 1, maxLength: 120, pattern: LINE_PATTERN });
/** A password being chosen (one being checked is only bounded: see LoginRequest). */
export const NewPassword = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX });

/** POST /api/login */
export const LoginRequest = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: PASSWORD_MAX }),
  },
  closed,
);
export type LoginRequest = Static<typeof LoginRequest>;

/** POST /api/password */
export const PasswordChangeRequest = Type.Object(
  { current: Type.String({ maxLength: PASSWORD_MAX }), next: NewPassword },
  closed,
);
export type PasswordChangeRequest = Static<typeof PasswordChangeRequest>;

/** POST /api/setup (the one-time link printed at the first start) */
export const SetupRequest = Type.Object(
  {
    token: Type.String({ maxLength: 200 }),
    email: Email,
    displayName: Name,
    password: NewPassword,
    groupName: Name,
  },
  closed,
);
export type SetupRequest = Static<typeof SetupRequest>;

/** POST /api/invitations/:token/accept */
export const AcceptInvitationRequest = Type.Object(
  { email: Email, displayName: Name, password: NewPassword },
  closed,
);
export type AcceptInvitationRequest = Static<typeof AcceptInvitationRequest>;

/** The :token of /api/invitations/:token… */
export const InvitationParams = Type.Object({ token: Type.String() });

/** POST /api/operator/unlock (the operator CLI, over loopback: server/http/operator-routes.ts) */
export const OperatorUnlockRequest = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }) },
  closed,
);
export type OperatorUnlockRequest = Static<typeof OperatorUnlockRequest>;
