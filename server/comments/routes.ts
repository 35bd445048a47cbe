/**
 * Comment threads: every action is a command (schema-checked, authorized against the matrix in
 * shared/roles.ts, stored in one transaction with its audit event and a report event), then the
 * event is pushed to every client of the report that may see the thread (server/comments/events.ts).
 * Nobody reads, counts, exports or receives a thread they may not see; to them it does not exist.
 * Who may reach what: access.ts; the inbox: inbox-routes.ts.
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  audienceKey,
  canSeeThread,
  type ReadMarker,
  type ThreadListResponse,
} from '../../shared/comments.js';
import {
  EditMessageRequest,
  MessageParams,
  NewThreadRequest,
  ReplyRequest,
  ThreadExportQuery,
  ThreadParams,
} from '../../shared/routes/comments.js';
import { ReportParams } from '../../shared/routes/common.js';
import { can, HttpError } from '../auth/policy.js';
import { threadsCsv } from '../export/csv.js';
import type { ReportRecord, ThreadCommand, ThreadCommandResult } from '../storage/types.js';
import { ConflictError } from '../storage/types.js';
import {
  audienceOf,
  messageAccess,
  need,
  person,
  reportAccess,
  threadAccess,
  viewerOf,
} from './access.js';
import { mentionsIn, type ThreadAudience } from './mentions.js';
import { paragraphNumbers } from './numbers.js';

const newId = (prefix: string) => `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;

export const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  const mentionsOf = (
    report: ReportRecord,
    body: string,
    ids: readonly string[],
    audience: ThreadAudience,
  ) => mentionsIn(storage, report, body, ids, audience);

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

  app.get('/api/reports/:id/threads', { schema: { params: ReportParams } }, async (req) => {
    const { member } = await reportAccess(app, req, req.params.id, 'read');
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
  });

  app.post(
    '/api/reports/:id/threads',
    { schema: { params: ReportParams, body: NewThreadRequest } },
    async (req, reply) => {
      const { report, member } = await reportAccess(app, req, req.params.id, 'comment');
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
      const mentioned = await mentionsOf(report, b.body, b.mentions ?? [], audience);
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

  app.post(
    '/api/threads/:tid/messages',
    { schema: { params: ThreadParams, body: ReplyRequest } },
    async (req, reply) => {
      const { thread, report, member } = await threadAccess(app, req, req.params.tid);
      need(member, 'comment');
      const mentioned = await mentionsOf(
        report,
        req.body.body,
        req.body.mentions ?? [],
        audienceOf(thread),
      );
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

  app.patch(
    '/api/messages/:mid',
    { schema: { params: MessageParams, body: EditMessageRequest } },
    async (req) => {
      const { message, thread, report, member } = await messageAccess(app, req, req.params.mid);
      need(member, 'comment');
      if (message.authorId !== member.userId)
        throw new HttpError(403, 'Only its author can edit a message.');
      const mentioned = await mentionsOf(report, req.body.body, [], audienceOf(thread));
      const result = await run(
        req,
        report,
        {
          type: 'edit',
          messageId: message.id,
          body: req.body.body,
          at: new Date().toISOString(),
          mentions: mentioned,
        },
        message.id,
        mentioned
          .filter((u) => u !== member.userId)
          .map((userId) => ({ userId, reason: 'mention' as const })),
      );
      return { thread: result.thread };
    },
  );

  app.delete('/api/messages/:mid', { schema: { params: MessageParams } }, async (req) => {
    const { message, report, member } = await messageAccess(app, req, req.params.mid);
    need(member, message.authorId === member.userId ? 'comment' : 'deleteOthersMessages');
    const result = await run(
      req,
      report,
      { type: 'delete', messageId: message.id, by: member.userId, at: new Date().toISOString() },
      message.id,
    );
    return { thread: result.thread };
  });

  for (const action of ['resolve', 'reopen'] as const) {
    app.post(`/api/threads/:tid/${action}`, { schema: { params: ThreadParams } }, async (req) => {
      const { thread, report, member } = await threadAccess(app, req, req.params.tid);
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
    });
  }

  app.post('/api/threads/:tid/applied', { schema: { params: ThreadParams } }, async (req) => {
    const { thread, report, member } = await threadAccess(app, req, req.params.tid);
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
      result = await run(req, report, { type: 'resolve', threadId: thread.id, by, at }, thread.id);
    return { thread: result.thread };
  });

  app.post('/api/threads/:tid/read', { schema: { params: ThreadParams } }, async (req, reply) => {
    const { thread, member } = await threadAccess(app, req, req.params.tid);
    await storage.markThreadRead(member.userId, thread.id);
    return reply.code(204).send();
  });

  app.get(
    '/api/reports/:id/threads/export',
    { schema: { params: ReportParams, querystring: ThreadExportQuery } },
    async (req, reply) => {
      const { report, member } = await reportAccess(app, req, req.params.id, 'export');
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
};
