/** What the reports routes accept (create, rename, metadata): server/http/routes.ts and metadata-routes.ts. */
import { type Static, Type } from 'typebox';
import { REPORT_TITLE_MAX } from '../api.js';
import { LINE_PATTERN } from '../input.js';
import { TEMPLATE_IDS } from '../templates.js';
import { closed, GroupId } from './common.js';

const Title = Type.String({ minLength: 1, maxLength: REPORT_TITLE_MAX, pattern: LINE_PATTERN });

/** POST /api/reports */
export const CreateReportRequest = Type.Object(
  { title: Title, template: Type.Enum(TEMPLATE_IDS), groupId: GroupId },
  closed,
);
export type CreateReportRequest = Static<typeof CreateReportRequest>;

/** PATCH /api/reports/:id */
export const RenameReportRequest = Type.Object({ title: Title }, closed);
export type RenameReportRequest = Static<typeof RenameReportRequest>;
