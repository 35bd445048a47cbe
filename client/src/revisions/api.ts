/** The revisions API as the browser calls it (shapes in shared/revisions.ts, shared/compare.ts). */
import type { CompareResponse } from '../../../shared/compare.js';
import type {
  IssueRevisionRequest,
  IssueRevisionResponse,
  RevisionListResponse,
  RevisionResponse,
} from '../../../shared/revisions.js';
import { request } from '../api.js';

const enc = encodeURIComponent;

export function listRevisions(reportId: string): Promise<RevisionListResponse> {
  return request('GET', `/api/reports/${enc(reportId)}/revisions`);
}

export function issueRevision(
  reportId: string,
  body: IssueRevisionRequest,
): Promise<IssueRevisionResponse> {
  return request('POST', `/api/reports/${enc(reportId)}/revisions`, body);
}

export function getRevision(revisionId: string): Promise<RevisionResponse> {
  return request('GET', `/api/revisions/${enc(revisionId)}`);
}

/** `to`: a revision id, or 'live' for the text as it is now. */
export function compareRevisions(
  reportId: string,
  from: string,
  to: string,
): Promise<CompareResponse> {
  return request('GET', `/api/reports/${enc(reportId)}/compare?from=${enc(from)}&to=${enc(to)}`);
}

export function setKeepNumbers(
  reportId: string,
  keepNumbers: boolean,
): Promise<{ keepNumbers: boolean }> {
  return request('PUT', `/api/reports/${enc(reportId)}/numbering`, { keepNumbers });
}
