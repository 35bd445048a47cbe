/** Shapes of the HTTP API, shared by the server's schemas and the client's calls. */
import type { TemplateId } from './templates.js';

export const REPORT_TITLE_MAX = 300;

export interface ReportSummary {
  id: string;
  title: string;
  template: TemplateId;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

export interface CreateReportRequest {
  title: string;
  template: TemplateId;
}

export interface RenameReportRequest {
  title: string;
}

/** Every error the API returns has this shape (with the HTTP status). */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
}
