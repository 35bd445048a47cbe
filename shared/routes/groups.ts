/** What the group routes accept (members, invitations, audit log): server/http/group-routes.ts. */
import { type Static, Type } from 'typebox';
import { MAYBE_BLANK_LINE_PATTERN } from '../input.js';
import { ROLES } from '../roles.js';
import { closed, GroupId, NullableString } from './common.js';

/** The :gid of /api/groups/:gid… */
export const GroupParams = Type.Object({ gid: GroupId });
export type GroupParams = Static<typeof GroupParams>;

/** The :gid and :uid of /api/groups/:gid/members/:uid… */
export const MemberParams = Type.Object({ gid: GroupId, uid: Type.String({ maxLength: 40 }) });
export type MemberParams = Static<typeof MemberParams>;

export const Role = Type.Enum(ROLES);

/** Whom a member represents; blank or null means none (representsFor in shared/roles.ts). */
const Represents = NullableString({ maxLength: 120, pattern: MAYBE_BLANK_LINE_PATTERN });

/** POST /api/groups/:gid/invitations and PATCH /api/groups/:gid/members/:uid */
export const MemberRoleRequest = Type.Object(
  { role: Role, represents: Type.Optional(Represents) },
  closed,
);
export type MemberRoleRequest = Static<typeof MemberRoleRequest>;

/** GET /api/groups/:gid/audit?format=&limit=&before= (query values are strings: no coercion). */
export const AuditQuery = Type.Object(
  {
    format: Type.Optional(Type.Enum(['json', 'csv'])),
    limit: Type.Optional(Type.String({ pattern: '^(100000|[1-9][0-9]{0,4})$' })),
    before: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
  },
  closed,
);
export type AuditQuery = Static<typeof AuditQuery>;
