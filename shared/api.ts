/** Shapes of the HTTP API's answers; what the routes accept is in shared/routes/<domain>.ts. */
import type { Role } from './roles.js';
import type { TemplateId } from './templates.js';

export const REPORT_TITLE_MAX = 300;

export interface ReportSummary {
  id: string;
  /** The group that owns the report. */
  groupId: string | null;
  title: string;
  template: TemplateId;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** GET /api/me (also the answer to login, setup and invitation acceptance). */
export interface Me {
  user: { id: string; email: string; displayName: string; color: string };
  groups: Array<{ id: string; name: string; role: Role; represents: string | null }>;
}

/** Every error the API returns has this shape (with the HTTP status). */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
}
