/** The HTTP API as the browser calls it (shapes in shared/api.ts). */

import type { ApiError, Me, ReportSummary } from '../../shared/api.js';
import type { ImportFormat, ImportPreview } from '../../shared/import.js';
import type { DocumentMetadata, MetadataView } from '../../shared/metadata.js';
import type { Role } from '../../shared/roles.js';
import type {
  AcceptInvitationRequest,
  LoginRequest,
  PasswordChangeRequest,
  SetupRequest,
} from '../../shared/routes/auth.js';
import type { MemberRoleRequest } from '../../shared/routes/groups.js';
import type { CreateReportRequest, RenameReportRequest } from '../../shared/routes/reports.js';

export type { Me } from '../../shared/api.js';

/** A failed API call; `message` is the server's own message, fit to show to the user. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Seconds from a Retry-After header (429), when the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * Called when a request that needs a session is answered 401 (the session expired or was
 * revoked). Set by the shell, which sends the user to the login page.
 */
let onUnauthorized: ((message: string) => void) | null = null;

export function setUnauthorizedHandler(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

/** Tells the shell that the session ended (e.g. the sync socket closed with 4401). */
export function reportUnauthorized(message: string): void {
  onUnauthorized?.(message);
}

/** How long one API call may take, answer body included. */
const REQUEST_TIMEOUT_MS = 30_000;

interface RequestOptions {
  /** A 401 here is an answer for the caller (wrong password…), not an ended session. */
  expect401?: boolean;
  /** A body sent as it is (a file), with its content type, instead of JSON. */
  raw?: { body: Blob | string; type: string };
}

/** One JSON call to the API; a 401 outside `expect401` means the session ended. */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      // A request the network swallowed must not hang a page forever (the editor waits for its
      // first reads before it connects): give up and let the caller's retry path run.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        accept: 'application/json',
        ...(options.raw
          ? { 'content-type': options.raw.type }
          : body === undefined
            ? {}
            : { 'content-type': 'application/json' }),
      },
      ...(options.raw
        ? { body: options.raw.body }
        : body === undefined
          ? {}
          : { body: JSON.stringify(body) }),
    });
    text = await response.text();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new ApiRequestError(
        `The server did not answer within ${REQUEST_TIMEOUT_MS / 1000} s. Check your connection.`,
        0,
      );
    }
    throw new ApiRequestError('Cannot reach the server. Check your connection.', 0);
  }
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const message = isApiError(data)
      ? data.message
      : `The server answered ${response.status} ${response.statusText}.`;
    const retry = Number(response.headers.get('retry-after'));
    const error = new ApiRequestError(
      message,
      response.status,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
    if (response.status === 401 && !options.expect401) onUnauthorized?.(message);
    throw error;
  }
  return data as T;
}

/** Human-readable text for any error thrown by the calls below. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

const enc = encodeURIComponent;

// ---------- accounts ----------

/**
 * The signed-in account, or null when nobody is signed in (GET /api/session: 200 either way, so
 * a logged-out page logs no error). Other failures throw.
 */
export async function getMe(): Promise<Me | null> {
  return (await request<{ me: Me | null }>('GET', '/api/session')).me;
}

export function login(email: string, password: string): Promise<Me> {
  const body: LoginRequest = { email, password };
  return request<Me>('POST', '/api/login', body, { expect401: true });
}

export async function logout(): Promise<void> {
  await request<null>('POST', '/api/logout', undefined, { expect401: true });
}

export async function changePassword(current: string, next: string): Promise<void> {
  const body: PasswordChangeRequest = { current, next };
  await request<null>('POST', '/api/password', body);
}

/** Password length limits (GET /api/password-policy); the server checks them again. */
export async function getPasswordPolicy(): Promise<{ min: number; max: number }> {
  return request<{ min: number; max: number }>('GET', '/api/password-policy', undefined, {
    expect401: true,
  });
}

export function getSetupNeeded(): Promise<{ needed: boolean }> {
  return request<{ needed: boolean }>('GET', '/api/setup', undefined, { expect401: true });
}

export type { SetupRequest } from '../../shared/routes/auth.js';

export function setup(body: SetupRequest): Promise<Me> {
  return request<Me>('POST', '/api/setup', body, { expect401: true });
}

export interface Invitation {
  group: { id: string; name: string };
  role: Role;
  represents: string | null;
  state: 'open' | 'used' | 'expired';
  expiresAt: string;
}

export function getInvitation(token: string): Promise<Invitation> {
  return request<Invitation>('GET', `/api/invitations/${enc(token)}`, undefined, {
    expect401: true,
  });
}

export function acceptInvitation(token: string, body: AcceptInvitationRequest): Promise<Me> {
  return request<Me>('POST', `/api/invitations/${enc(token)}/accept`, body, { expect401: true });
}

// ---------- groups ----------

export interface Member {
  userId: string;
  displayName: string;
  role: Role;
  represents: string | null;
  /** Only for those who manage members. */
  email?: string;
}

export interface GroupDetails {
  group: { id: string; name: string; createdAt: string };
  me: { role: Role; represents: string | null };
  members: Member[];
}

export function getGroup(groupId: string): Promise<GroupDetails> {
  return request<GroupDetails>('GET', `/api/groups/${enc(groupId)}`);
}

export interface CreatedInvitation {
  url: string;
  token: string;
  role: Role;
  represents: string | null;
  expiresAt: string;
}

export function createInvitation(
  groupId: string,
  role: Role,
  represents: string | null,
): Promise<CreatedInvitation> {
  const body: MemberRoleRequest = { role, represents };
  return request<CreatedInvitation>('POST', `/api/groups/${enc(groupId)}/invitations`, body);
}

export async function updateMember(
  groupId: string,
  userId: string,
  role: Role,
  represents: string | null,
): Promise<{ userId: string; role: Role; represents: string | null }> {
  const body: MemberRoleRequest = { role, represents };
  const data = await request<{
    member: { userId: string; role: Role; represents: string | null };
  }>('PATCH', `/api/groups/${enc(groupId)}/members/${enc(userId)}`, body);
  return data.member;
}

export async function removeMember(groupId: string, userId: string): Promise<void> {
  await request<null>('DELETE', `/api/groups/${enc(groupId)}/members/${enc(userId)}`);
}

/** Where the browser downloads a group's audit log (a plain link: the cookie goes along). */
export function auditHref(groupId: string, format: 'csv' | 'json'): string {
  return `/api/groups/${enc(groupId)}/audit?format=${format}`;
}

// ---------- reports ----------

export async function listReports(): Promise<ReportSummary[]> {
  const data = await request<{ reports: ReportSummary[] }>('GET', '/api/reports');
  return data.reports;
}

export async function createReport(body: CreateReportRequest): Promise<ReportSummary> {
  const data = await request<{ report: ReportSummary }>('POST', '/api/reports', body);
  return data.report;
}

/**
 * Sends a file (or pasted text) to be imported into a new report of `groupId`: `preview` only
 * reads it and says what it would create; otherwise the report is created (server/import/).
 */
export async function importDocument(
  groupId: string,
  format: ImportFormat,
  file: Blob | string,
  opts: { preview: boolean; title?: string },
): Promise<{ preview: ImportPreview; report: ReportSummary | null }> {
  const query = `format=${format}${opts.title ? `&title=${enc(opts.title)}` : ''}`;
  const path = `/api/groups/${enc(groupId)}/import${opts.preview ? '/preview' : ''}?${query}`;
  const raw = {
    body: file,
    type: typeof file === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
  };
  if (opts.preview) {
    const preview = await request<ImportPreview>('POST', path, undefined, { raw });
    return { preview, report: null };
  }
  return request<{ preview: ImportPreview; report: ReportSummary }>('POST', path, undefined, {
    raw,
  });
}

export async function renameReport(id: string, title: string): Promise<ReportSummary> {
  const body: RenameReportRequest = { title };
  const data = await request<{ report: ReportSummary }>('PATCH', `/api/reports/${enc(id)}`, body);
  return data.report;
}

/** The document's metadata (GET /api/reports/:id/metadata). */
export async function getMetadata(id: string): Promise<MetadataView> {
  return (await request<{ metadata: MetadataView }>('GET', `/api/reports/${enc(id)}/metadata`))
    .metadata;
}

/** Replaces the document's metadata (chair and secretariat); the server checks every field. */
export async function putMetadata(id: string, metadata: DocumentMetadata): Promise<MetadataView> {
  const data = await request<{ metadata: MetadataView }>(
    'PUT',
    `/api/reports/${enc(id)}/metadata`,
    metadata,
  );
  return data.metadata;
}

/** A report and the caller's role in its group (GET /api/reports/:id). */
export interface ReportAccess {
  report: ReportSummary;
  role: Role;
  represents: string | null;
  /** The length limit the word count measures against (CONCORD_WORD_LIMIT). */
  wordLimit?: number;
}

/** One report with the caller's role, or null when there is no such report (404). */
export async function getReport(id: string): Promise<ReportAccess | null> {
  try {
    return await request<ReportAccess>('GET', `/api/reports/${enc(id)}`);
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) return null;
    throw error;
  }
}
