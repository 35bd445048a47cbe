/**
 * Pieces the route shapes of every domain share: the closed-object option, the report and group
 * ids of a path, a string that may be null. Defined once with TypeBox (see shared/routes/auth.ts).
 */
import { type Static, Type } from 'typebox';
import { REPORT_ID_PATTERN } from '../protocol.js';

/** Bodies and queries refuse properties they do not name (a 400, never silently dropped). */
export const closed = { additionalProperties: false } as const;

export const GROUP_ID_PATTERN = '^g_[A-Za-z0-9_-]{16}$';

export const ReportId = Type.String({ pattern: REPORT_ID_PATTERN });
export const GroupId = Type.String({ pattern: GROUP_ID_PATTERN });
/** A thread, message, paragraph, silence or user id as the server makes them. */
export const ObjectId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

/** The :id of /api/reports/:id… */
export const ReportParams = Type.Object({ id: ReportId });
export type ReportParams = Static<typeof ReportParams>;

/**
 * A string or null, as one JSON-schema `type: ['string', 'null']` (an anyOf would make Ajv's 400
 * list every branch that failed).
 */
export function NullableString(options: { maxLength?: number; pattern?: string }) {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
}
