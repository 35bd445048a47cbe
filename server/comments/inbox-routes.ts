/**
 * The inbox: mentions of me and replies to my threads, polled by every browser (client/src/inbox).
 * Each item is checked against the caller's CURRENT membership (a role or State change hides what
 * they could see before).
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  canSeeThread,
  INBOX_LIST_MAX,
  type InboxItem,
  type InboxResponse,
} from '../../shared/comments.js';
import { MessageParams } from '../../shared/routes/comments.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import type { MemberRecord } from '../storage/types.js';
import { viewerOf } from './access.js';
import { cachedParagraphNumbers } from './numbers.js';

export const inboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;
  const numbersFor = cachedParagraphNumbers(app);

  /** The caller's inbox items they may see now. */
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
  app.post('/api/inbox/:mid/read', { schema: { params: MessageParams } }, async (req, reply) => {
    const auth = requireLogin(req);
    const items = await visibleInbox(auth.user.id);
    if (!items.some((i) => i.messageId === req.params.mid))
      throw new HttpError(404, 'No such inbox item.');
    await storage.markInboxRead(auth.user.id, [req.params.mid]);
    return reply.code(204).send();
  });

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
};
