/**
 * Helpers for the consensus suites: the API calls (status, position, silence, reads) and a way to
 * put words into a paragraph of the server's live text (as if an editor had typed them).
 */
import type { ThreadView } from '../../shared/comments.js';
import type {
  ConsensusResponse,
  ParagraphHistoryResponse,
  PositionView,
  SilenceView,
  StatusView,
} from '../../shared/consensus.js';
import { lastTextRun, paragraphs, serverDoc } from './clients.js';
import { json } from './comments.js';
import type { TestServer, TestUser } from './server.js';

export function postStatus(
  server: TestServer,
  reportId: string,
  pid: string,
  body: unknown,
  as: TestUser | null = server.chair,
): Promise<Response> {
  return server.request('POST', `/api/reports/${reportId}/paragraphs/${pid}/status`, { as, body });
}

/** Sets a status and expects 200. */
export async function setStatus(
  server: TestServer,
  reportId: string,
  pid: string,
  status: string,
  as: TestUser = server.chair,
  note?: string,
): Promise<StatusView> {
  const res = await postStatus(server, reportId, pid, { status, ...(note ? { note } : {}) }, as);
  return (await json<{ status: StatusView }>(res, 200)).status;
}

export function postPosition(
  server: TestServer,
  reportId: string,
  pid: string,
  body: unknown,
  as: TestUser | null,
): Promise<Response> {
  return server.request('POST', `/api/reports/${reportId}/paragraphs/${pid}/position`, {
    as,
    body,
  });
}

export async function recordPosition(
  server: TestServer,
  reportId: string,
  pid: string,
  as: TestUser,
  position: string,
  explanation?: string,
): Promise<{ position: PositionView; thread: ThreadView | null }> {
  const body = { position, ...(explanation ? { explanation } : {}) };
  return json(await postPosition(server, reportId, pid, body, as), 200);
}

export function postSilence(
  server: TestServer,
  reportId: string,
  body: unknown,
  as: TestUser | null = server.chair,
): Promise<Response> {
  return server.request('POST', `/api/reports/${reportId}/silences`, { as, body });
}

/** Starts a silence on `paragraphIds` ending `inMs` from now (201 expected). */
export async function startSilence(
  server: TestServer,
  reportId: string,
  paragraphIds: string[],
  inMs: number,
  timeZone = 'America/New_York',
): Promise<SilenceView> {
  const deadline = new Date(Date.now() + inMs).toISOString();
  const res = await postSilence(server, reportId, { paragraphIds, deadline, timeZone });
  return (await json<{ silence: SilenceView }>(res, 201)).silence;
}

export async function consensusOf(
  server: TestServer,
  reportId: string,
  as: TestUser = server.chair,
): Promise<ConsensusResponse> {
  return json(await server.request('GET', `/api/reports/${reportId}/consensus`, { as }), 200);
}

export async function historyOf(
  server: TestServer,
  reportId: string,
  pid: string,
  as: TestUser = server.chair,
): Promise<ParagraphHistoryResponse> {
  return json(
    await server.request('GET', `/api/reports/${reportId}/paragraphs/${pid}/history`, { as }),
    200,
  );
}

/** The status the consensus view gives a paragraph (draft when never set). */
export async function statusOf(server: TestServer, reportId: string, pid: string) {
  const c = await consensusOf(server, reportId);
  return c.statuses.find((s) => s.paragraphId === pid)?.status ?? 'draft';
}

/** Appends `text` to a paragraph of the server's live document (stored like any edit). */
export async function appendToParagraph(
  server: TestServer,
  reportId: string,
  pid: string,
  text: string,
): Promise<void> {
  const doc = await serverDoc(server, reportId);
  const p = paragraphs(doc).find((e) => e.getAttribute('id') === pid);
  if (!p) throw new Error(`no paragraph ${pid}`);
  const t = lastTextRun(p);
  doc.transact(() => t.insert(t.length, text));
  // Let the append reach storage before the test goes on.
  await new Promise((r) => setTimeout(r, 20));
}
