/**
 * Comment threads: every action is a command (schema-checked, authorized against the matrix in
 * shared/roles.ts, stored in one transaction with its audit event and a report event), then the
 * event is pushed to every client of the report that may see the thread (server/comments/events.ts).
 * Nobody reads, counts, exports or receives a thread they may not see; to them it does not exist.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  audienceKey,
  COMMENT_MAX,
  canSeeThread,
  IDEMPOTENCY_KEY_MAX,
  INBOX_LIST_MAX,
  type InboxItem,
  type InboxResponse,
  type PersonView,
  type ReadMarker,
  THREAD_KINDS,
  THREAD_VISIBILITIES,
  type ThreadKind,
  type ThreadListResponse,
  type ThreadView,
  type ThreadVisibility,
  type Viewer,
} from '../../shared/comments.js';
import { PROSE_PATTERN } from '../../shared/input.js';
import { computeNumbering } from '../../shared/numbering.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import type { Action } from '../../shared/roles.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { csvCell, memberFor } from '../http/group-routes.js';
import { reportToProseMirror } from '../reports.js';
import type {
  MemberRecord,
  ReportRecord,
  ThreadCommand,
  ThreadCommandResult,
} from '../storage/types.js';
import { ConflictError } from '../storage/types.js';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const text = {
  type: 'string',
  minLength: 1,
  maxLength: COMMENT_MAX,
  pattern: PROSE_PATTERN,
} as const;
const idempotencyKey = { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX } as const;
const mentions = { type: 'array', maxItems: 50, uniqueItems: true, items: ID } as const;
const reportParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: REPORT_ID_PATTERN } },
} as const;
const threadParams = { type: 'object', required: ['tid'], properties: { tid: ID } } as const;
const messageParams = { type: 'object', required: ['mid'], properties: { mid: ID } } as const;

const newId = (prefix: string) => `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;

export function viewerOf(member: MemberRecord): Viewer {
  return { userId: member.userId, role: member.role, represents: member.represents };
}

const audienceOf = (t: ThreadView) => ({ ...t, authorId: t.author.id });

/** How long the inbox reuses a report's paragraph numbers. */
const INBOX_NUMBERS_TTL_MS = 60_000;

/** Paragraph id → citation ("13 (a)") in the report's text as it is now. */
export async function paragraphNumbers(
  app: FastifyInstance,
  reportId: string,
): Promise<Map<string, string>> {
  return app.registry.withReport(reportId, (live) => {
    const numbering = computeNumbering(reportToProseMirror(live.ydoc()));
    return new Map([...numbering.paragraphs].map(([id, n]) => [id, n.citation]));
  });
}

const EXPORT_COLUMNS = [
  'threadId',
  'paragraph',
  'paragraphId',
  'kind',
  'visibility',
  'status',
  'quote',
  'proposal',
  'messageId',
  'author',
  'state',
  'time',
  'text',
  'deleted',
] as const;

export function threadsCsv(threads: ThreadView[], numbers: Map<string, string>): string {
  const rows = threads.flatMap((t) =>
    t.messages.map((m) => ({
      threadId: t.id,
      paragraph: numbers.get(t.paragraphId) ?? 'deleted',
      paragraphId: t.paragraphId,
      kind: t.kind,
      visibility: t.visibility,
      status: t.status,
      quote: t.quote,
      proposal: t.proposal,
      messageId: m.id,
      author: m.author.name,
      state: m.author.represents,
      time: m.createdAt,
      text: m.body,
      deleted: m.deleted ? 'yes' : '',
    })),
  );
  return `${[
    EXPORT_COLUMNS.join(','),
    ...rows.map((r) => EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(',')),
  ].join('\r\n')}\r\n`;
}

export async function threadRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  /** The report and the caller's membership, checked for `action`; 404 for strangers. */
  async function reportAccess(req: FastifyRequest, reportId: string, action: Action) {
    requireLogin(req);
    const report = await storage.getReport(reportId);
    if (!report?.groupId) throw new HttpError(404, 'No such report.');
    const member = await memberFor(app, req, report.groupId, action).catch((err: unknown) => {
      if (err instanceof HttpError && err.statusCode === 404)
        throw new HttpError(404, 'No such report.');
      throw err;
    });
    return { report, member };
  }

  /** A thread the caller may see (404 otherwise, also for threads of other delegations). */
  async function threadAccess(req: FastifyRequest, threadId: string) {
    requireLogin(req);
    const thread = await storage.getThread(threadId);
    if (!thread) throw new HttpError(404, 'No such thread.');
    const report = await storage.getReport(thread.reportId);
    const member = report?.groupId
      ? await storage.getMembership(report.groupId, req.auth!.user.id)
      : null;
    if (
      !report ||
      !member ||
      !can(member, 'read') ||
      !canSeeThread(viewerOf(member), audienceOf(thread))
    )
      throw new HttpError(404, 'No such thread.');
    return { thread, report, member };
  }

  function person(req: FastifyRequest, member: MemberRecord): PersonView {
    return {
      id: member.userId,
      name: req.auth!.user.displayName,
      role: member.role,
      represents: member.represents,
    };
  }

  function need(member: MemberRecord, action: Action): void {
    if (!can(member, action))
      throw new HttpError(403, 'Your role in this group does not allow this.');
  }

  /** Mentioned users must be members who may see the thread. */
  async function checkMentions(
    report: ReportRecord,
    ids: readonly string[],
    audience: { visibility: ThreadVisibility; delegation: string | null; authorId: string },
  ): Promise<void> {
    for (const id of ids) {
      const m = await storage.getMembership(report.groupId!, id);
      if (!m || !canSeeThread(viewerOf(m), audience))
        throw new HttpError(400, `Cannot mention ${id}: not a member who can see this thread.`);
    }
  }

  /** Stores the command (one transaction) and, once committed, pushes its event. */
  async function run(
    req: FastifyRequest,
    report: ReportRecord,
    command: ThreadCommand,
    target: string,
    notify: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }> = [],
  ): Promise<ThreadCommandResult> {
    const result = await storage
      .applyThreadCommand(
        report.id,
        command,
        app.auditEvent(req, {
          action: `thread.${command.type}`,
          groupId: report.groupId,
          target,
          detail: { report: report.id },
        }),
        notify,
      )
      .catch((err: unknown) => {
        if (err instanceof ConflictError) throw new HttpError(404, err.message);
        throw err;
      });
    if (result.created) {
      const t = result.thread;
      app.reportEvents.publish(report.id, {
        seq: t.seq,
        audience: audienceKey(audienceOf(t)),
        payload: JSON.stringify({ seq: t.seq, type: 'thread', thread: t }),
      });
    }
    return result;
  }

  app.get<{ Params: { id: string } }>(
    '/api/reports/:id/threads',
    { schema: { params: reportParams } },
    async (req) => {
      const { member } = await reportAccess(req, req.params.id, 'read');
      // The seq first: every change after it reaches a client that subscribes from it.
      const seq = await storage.lastEventSeq(req.params.id);
      const viewer = viewerOf(member);
      const threads = (await storage.listThreads(req.params.id)).filter((t) =>
        canSeeThread(viewer, audienceOf(t)),
      );
      const marks = await storage.listThreadReads(member.userId, req.params.id);
      const reads: Record<string, ReadMarker> = {};
      for (const t of threads) {
        const mark = marks.get(t.id);
        if (mark) reads[t.id] = mark;
      }
      const body: ThreadListResponse = { threads, seq, reads };
      return body;
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      paragraphId: string;
      kind: ThreadKind;
      visibility?: ThreadVisibility;
      body: string;
      quote?: string;
      proposal?: string;
      mentions?: string[];
      idempotencyKey: string;
    };
  }>(
    '/api/reports/:id/threads',
    {
      schema: {
        params: reportParams,
        body: {
          type: 'object',
          required: ['paragraphId', 'kind', 'body', 'idempotencyKey'],
          additionalProperties: false,
          properties: {
            paragraphId: { type: 'string', minLength: 1, maxLength: 64 },
            kind: { type: 'string', enum: [...THREAD_KINDS] },
            visibility: { type: 'string', enum: [...THREAD_VISIBILITIES] },
            body: text,
            quote: text,
            proposal: text,
            mentions,
            idempotencyKey,
          },
        },
      },
    },
    async (req, reply) => {
      const { report, member } = await reportAccess(req, req.params.id, 'comment');
      const b = req.body;
      const visibility = b.visibility ?? 'group';
      if (b.kind === 'proposal' && b.proposal === undefined)
        throw new HttpError(400, 'A proposal needs its proposed text (proposal).');
      if (b.kind === 'comment' && b.proposal !== undefined)
        throw new HttpError(400, 'Only a proposal carries proposed text.');
      if (visibility === 'delegation' && (!can(member, 'delegationThreads') || !member.represents))
        throw new HttpError(
          403,
          'Only an expert representing a State can open a delegation thread.',
        );
      const delegation = visibility === 'delegation' ? member.represents : null;
      const numbers = await paragraphNumbers(app, report.id);
      if (!numbers.has(b.paragraphId))
        throw new HttpError(400, `No paragraph ${b.paragraphId} in this report.`);
      const audience = { visibility, delegation, authorId: member.userId };
      const mentioned = b.mentions ?? [];
      await checkMentions(report, mentioned, audience);
      const threadId = newId('t');
      const result = await run(
        req,
        report,
        {
          type: 'open',
          idempotencyKey: b.idempotencyKey,
          thread: {
            id: threadId,
            paragraphId: b.paragraphId,
            kind: b.kind,
            visibility,
            delegation,
            quote: b.quote ?? null,
            proposal: b.proposal ?? null,
          },
          message: {
            id: newId('m'),
            author: person(req, member),
            body: b.body,
            mentions: mentioned,
            at: new Date().toISOString(),
          },
        },
        threadId,
        mentioned
          .filter((u) => u !== member.userId)
          .map((userId) => ({ userId, reason: 'mention' as const })),
      );
      return reply.code(result.created ? 201 : 200).send({ thread: result.thread });
    },
  );

  app.post<{
    Params: { tid: string };
    Body: { body: string; mentions?: string[]; idempotencyKey: string };
  }>(
    '/api/threads/:tid/messages',
    {
      schema: {
        params: threadParams,
        body: {
          type: 'object',
          required: ['body', 'idempotencyKey'],
          additionalProperties: false,
          properties: { body: text, mentions, idempotencyKey },
        },
      },
    },
    async (req, reply) => {
      const { thread, report, member } = await threadAccess(req, req.params.tid);
      need(member, 'comment');
      const mentioned = req.body.mentions ?? [];
      await checkMentions(report, mentioned, audienceOf(thread));
      const notify: Array<{ userId: string; reason: 'mention' | 'reply' }> = mentioned
        .filter((u) => u !== member.userId)
        .map((userId) => ({ userId, reason: 'mention' }));
      if (thread.author.id !== member.userId)
        notify.push({ userId: thread.author.id, reason: 'reply' });
      const result = await run(
        req,
        report,
        {
          type: 'reply',
          idempotencyKey: req.body.idempotencyKey,
          threadId: thread.id,
          message: {
            id: newId('m'),
            author: person(req, member),
            body: req.body.body,
            mentions: mentioned,
            at: new Date().toISOString(),
          },
        },
        thread.id,
        notify,
      );
      return reply.code(result.created ? 201 : 200).send({ thread: result.thread });
    },
  );

  /** A message the caller may see, with its thread. */
  async function messageAccess(req: FastifyRequest, messageId: string) {
    requireLogin(req);
    const message = await storage.getMessage(messageId);
    if (!message) throw new HttpError(404, 'No such message.');
    const access = await threadAccess(req, message.threadId).catch((err: unknown) => {
      if (err instanceof HttpError && err.statusCode === 404)
        throw new HttpError(404, 'No such message.');
      throw err;
    });
    if (message.deleted) throw new HttpError(409, 'This message was deleted.');
    return { message, ...access };
  }

  app.patch<{ Params: { mid: string }; Body: { body: string } }>(
    '/api/messages/:mid',
    {
      schema: {
        params: messageParams,
        body: {
          type: 'object',
          required: ['body'],
          additionalProperties: false,
          properties: { body: text },
        },
      },
    },
    async (req) => {
      const { message, report, member } = await messageAccess(req, req.params.mid);
      need(member, 'comment');
      if (message.authorId !== member.userId)
        throw new HttpError(403, 'Only its author can edit a message.');
      const result = await run(
        req,
        report,
        { type: 'edit', messageId: message.id, body: req.body.body, at: new Date().toISOString() },
        message.id,
      );
      return { thread: result.thread };
    },
  );

  app.delete<{ Params: { mid: string } }>(
    '/api/messages/:mid',
    { schema: { params: messageParams } },
    async (req) => {
      const { message, report, member } = await messageAccess(req, req.params.mid);
      need(member, message.authorId === member.userId ? 'comment' : 'deleteOthersMessages');
      const result = await run(
        req,
        report,
        { type: 'delete', messageId: message.id, by: member.userId, at: new Date().toISOString() },
        message.id,
      );
      return { thread: result.thread };
    },
  );

  for (const action of ['resolve', 'reopen'] as const) {
    app.post<{ Params: { tid: string } }>(
      `/api/threads/:tid/${action}`,
      { schema: { params: threadParams } },
      async (req) => {
        const { thread, report, member } = await threadAccess(req, req.params.tid);
        need(member, thread.author.id === member.userId ? 'comment' : 'resolveAnyThread');
        const at = new Date().toISOString();
        const result = await run(
          req,
          report,
          action === 'resolve'
            ? { type: 'resolve', threadId: thread.id, by: person(req, member), at }
            : { type: 'reopen', threadId: thread.id, at },
          thread.id,
        );
        return { thread: result.thread };
      },
    );
  }

  app.post<{ Params: { tid: string } }>(
    '/api/threads/:tid/applied',
    { schema: { params: threadParams } },
    async (req) => {
      const { thread, report, member } = await threadAccess(req, req.params.tid);
      need(member, 'applyProposal');
      if (thread.kind !== 'proposal') throw new HttpError(409, 'Only a proposal can be applied.');
      const by = person(req, member);
      const at = new Date().toISOString();
      let result = await run(
        req,
        report,
        { type: 'applied', threadId: thread.id, by, at },
        thread.id,
      );
      // An applied proposal has done its work: its thread is resolved with it.
      if (result.thread.status === 'open')
        result = await run(
          req,
          report,
          { type: 'resolve', threadId: thread.id, by, at },
          thread.id,
        );
      return { thread: result.thread };
    },
  );

  app.post<{ Params: { tid: string } }>(
    '/api/threads/:tid/read',
    { schema: { params: threadParams } },
    async (req, reply) => {
      const { thread, member } = await threadAccess(req, req.params.tid);
      await storage.markThreadRead(member.userId, thread.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: { format?: 'csv' | 'json' } }>(
    '/api/reports/:id/threads/export',
    {
      schema: {
        params: reportParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['csv', 'json'] } },
        },
      },
    },
    async (req, reply) => {
      const { report, member } = await reportAccess(req, req.params.id, 'export');
      const viewer = viewerOf(member);
      const threads = (await storage.listThreads(report.id)).filter((t) =>
        canSeeThread(viewer, audienceOf(t)),
      );
      const numbers = await paragraphNumbers(app, report.id);
      const name = `threads-${report.id}`;
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(threadsCsv(threads, numbers));
      }
      reply.header('content-disposition', `attachment; filename="${name}.json"`);
      return {
        reportId: report.id,
        title: report.title,
        exportedAt: new Date().toISOString(),
        threads: threads.map((t) => ({ ...t, paragraph: numbers.get(t.paragraphId) ?? 'deleted' })),
      };
    },
  );

  /**
   * The caller's inbox items they may see now: the thread's audience is checked against their
   * CURRENT membership (a role or State change hides what they could see before).
   */
  /**
   * Paragraph numbers of the reports inbox items point into, kept a minute: every browser polls
   * its inbox, and numbering a report reads its whole text.
   */
  const inboxNumbers = new Map<string, { at: number; numbers: Promise<Map<string, string>> }>();
  function numbersFor(reportId: string): Promise<Map<string, string>> {
    const now = Date.now();
    const cached = inboxNumbers.get(reportId);
    if (cached && now - cached.at < INBOX_NUMBERS_TTL_MS) return cached.numbers;
    for (const [id, c] of inboxNumbers)
      if (now - c.at >= INBOX_NUMBERS_TTL_MS) inboxNumbers.delete(id);
    const numbers = paragraphNumbers(app, reportId).catch(() => new Map<string, string>());
    inboxNumbers.set(reportId, { at: now, numbers });
    return numbers;
  }

  async function visibleInbox(userId: string): Promise<InboxItem[]> {
    const members = new Map<string, MemberRecord | null>();
    const items: InboxItem[] = [];
    for (const i of await storage.listInbox(userId)) {
      if (!i.groupId) continue;
      if (!members.has(i.groupId))
        members.set(i.groupId, await storage.getMembership(i.groupId, userId));
      const m = members.get(i.groupId);
      if (!m || !can(m, 'read') || !canSeeThread(viewerOf(m), i)) continue;
      items.push({
        threadId: i.threadId,
        reportId: i.reportId,
        reportTitle: i.reportTitle,
        paragraphId: i.paragraphId,
        paragraph: null,
        messageId: i.messageId,
        reason: i.reason,
        unread: i.unread,
        author: i.author,
        excerpt: i.excerpt,
        createdAt: i.createdAt,
      });
    }
    const shown = items.slice(0, INBOX_LIST_MAX);
    for (const reportId of new Set(shown.map((i) => i.reportId))) {
      const numbers = await numbersFor(reportId);
      for (const item of shown)
        if (item.reportId === reportId) item.paragraph = numbers.get(item.paragraphId) ?? null;
    }
    return items;
  }

  /**
   * Browsers poll this (see client/src/inbox): the answer carries a strong ETag over its exact
   * bytes, and a request whose If-None-Match matches gets an empty 304. The list is computed
   * anew each time (so a role change or a read on another device shows at the next poll); the
   * ETag only saves sending it again.
   */
  app.get('/api/inbox', async (req, reply) => {
    const auth = requireLogin(req);
    const items = await visibleInbox(auth.user.id);
    const body: InboxResponse = {
      items: items.slice(0, INBOX_LIST_MAX),
      unread: items.filter((i) => i.unread).length,
    };
    const payload = JSON.stringify(body);
    const etag = `"${crypto.createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
    reply.header('etag', etag).header('cache-control', 'private, no-cache');
    const match = req.headers['if-none-match'];
    if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))
      return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(payload);
  });

  /** Marks one item read (by its message: both reasons). 404 for a message not in my inbox. */
  app.post<{ Params: { mid: string } }>(
    '/api/inbox/:mid/read',
    { schema: { params: messageParams } },
    async (req, reply) => {
      const auth = requireLogin(req);
      const items = await visibleInbox(auth.user.id);
      if (!items.some((i) => i.messageId === req.params.mid))
        throw new HttpError(404, 'No such inbox item.');
      await storage.markInboxRead(auth.user.id, [req.params.mid]);
      return reply.code(204).send();
    },
  );

  /** Marks every item I may see read (items of threads hidden from me now are left alone). */
  app.post('/api/inbox/read-all', async (req, reply) => {
    const auth = requireLogin(req);
    const unread = (await visibleInbox(auth.user.id)).filter((i) => i.unread);
    await storage.markInboxRead(
      auth.user.id,
      unread.map((i) => i.messageId),
    );
    return reply.code(204).send();
  });
}
