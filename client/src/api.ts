/** The HTTP API as the browser calls it (shapes in shared/api.ts). */
import type {
  ApiError,
  CreateReportRequest,
  RenameReportRequest,
  ReportSummary,
} from '../../shared/api.js';

/** A failed API call; `message` is the server's own message, fit to show to the user. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
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

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiRequestError('Cannot reach the server. Check your connection.', 0);
  }
  const text = await response.text();
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
    throw new ApiRequestError(message, response.status);
  }
  return data as T;
}

/** Human-readable text for any error thrown by the calls below. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export async function listReports(): Promise<ReportSummary[]> {
  const data = await request<{ reports: ReportSummary[] }>('GET', '/api/reports');
  return data.reports;
}

export async function createReport(body: CreateReportRequest): Promise<ReportSummary> {
  const data = await request<{ report: ReportSummary }>('POST', '/api/reports', body);
  return data.report;
}

export async function renameReport(id: string, title: string): Promise<ReportSummary> {
  const body: RenameReportRequest = { title };
  const data = await request<{ report: ReportSummary }>(
    'PATCH',
    `/api/reports/${encodeURIComponent(id)}`,
    body,
  );
  return data.report;
}

/** One report's summary, or null when there is no such report. */
export async function getReport(id: string): Promise<ReportSummary | null> {
  try {
    const data = await request<{ report: ReportSummary }>(
      'GET',
      `/api/reports/${encodeURIComponent(id)}`,
    );
    return data.report;
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) return null;
    throw error;
  }
}

/** The signed-in account, as far as the client needs it (GET /api/me). */
export interface Me {
  user: { id: string; displayName: string };
}

/** The signed-in account, or null when nobody is signed in (or the server has no accounts). */
export async function getMe(): Promise<Me | null> {
  try {
    const me = await request<Me>('GET', '/api/me');
    return typeof me?.user?.displayName === 'string' ? me : null;
  } catch {
    return null;
  }
}
