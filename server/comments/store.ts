/**
 * Comment threads, in SQL both engines run (server/storage/sql.ts); the inbox and read markers
 * are in inbox-store.ts, the report events in event-log.ts. Every command is one transaction that holds
 * the report's lock, so two commands on one report never interleave on PostgreSQL either.
 */
import {
  audienceKey,
  type MessageView,
  type PersonView,
  type ReadMarker,
  type ThreadView,
} from '../../shared/comments.js';
import { writeAudit } from '../audit/store.js';
import type { Db, Sql } from '../storage/sql.js';
import {
  type AuditEvent,
  ConflictError,
  type MessageRef,
  type StoredEvent,
  type StoredInboxItem,
  type ThreadCommand,
  type ThreadCommandResult,
  type ThreadStore,
} from '../storage/types.js';
import { insertEvent, lastEventSeqIn, nextEventSeq, reportLock } from './event-log.js';
import { listInbox, listThreadReads, markInboxRead, markThreadRead } from './inbox-store.js';

interface ThreadRow {
  id: string;
  report_id: string;
  paragraph_id: string;
  kind: string;
  visibility: string;
  delegation: string | null;
  quote: string | null;
  proposal: string | null;
  status: string;
  author_id: string;
  author: string;
  created_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
  applied_by: string | null;
  applied_at: string | null;
  seq: number;
}

interface MessageRow {
  id: string;
  thread_id: string;
  author_id: string;
  author: string;
  body: string;
  mentions: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}

const THREAD_COLUMNS =
  't.id, t.report_id, t.paragraph_id, t.kind, t.visibility, t.delegation, t.quote, t.proposal, t.status, t.author_id, t.author, t.created_at, t.resolved_by, t.resolved_at, t.applied_by, t.applied_at, t.seq';
const MESSAGE_COLUMNS =
  'm.id, m.thread_id, m.author_id, m.author, m.body, m.mentions, m.created_at, m.edited_at, m.deleted_at';

function toMessageView(r: MessageRow): MessageView {
  const deleted = r.deleted_at !== null;
  return {
    id: r.id,
    author: JSON.parse(r.author) as PersonView,
    body: deleted ? '' : r.body,
    mentions: deleted ? [] : (JSON.parse(r.mentions) as string[]),
    createdAt: r.created_at,
    editedAt: r.edited_at,
    deleted,
  };
}

function toThreadView(r: ThreadRow, messages: MessageRow[]): ThreadView {
  return {
    id: r.id,
    reportId: r.report_id,
    paragraphId: r.paragraph_id,
    kind: r.kind as ThreadView['kind'],
    visibility: r.visibility as ThreadView['visibility'],
    delegation: r.delegation,
    quote: r.quote,
    proposal: r.proposal,
    status: r.status as ThreadView['status'],
    author: JSON.parse(r.author) as PersonView,
    createdAt: r.created_at,
    resolvedBy: r.resolved_by ? (JSON.parse(r.resolved_by) as PersonView) : null,
    resolvedAt: r.resolved_at,
    appliedBy: r.applied_by ? (JSON.parse(r.applied_by) as PersonView) : null,
    appliedAt: r.applied_at,
    messages: messages.map(toMessageView),
    seq: r.seq,
  };
}

async function readThread(q: Sql, id: string): Promise<ThreadView | null> {
  const row = await q.one<ThreadRow>(`SELECT ${THREAD_COLUMNS} FROM threads t WHERE t.id = ?`, [
    id,
  ]);
  if (!row) return null;
  const messages = await q.all<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM thread_messages m WHERE m.thread_id = ?
     ORDER BY m.created_at, ${q.dialect.insertionOrder('m')}`,
    [id],
  );
  return toThreadView(row, messages);
}

async function insertMessage(
  q: Sql,
  threadId: string,
  c: ThreadCommand & { type: 'open' | 'reply' },
): Promise<void> {
  const msg = c.message;
  await q.run(
    `INSERT INTO thread_messages (id, thread_id, author_id, author, body, mentions, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      msg.id,
      threadId,
      msg.author.id,
      JSON.stringify(msg.author),
      msg.body,
      JSON.stringify(msg.mentions),
      msg.at,
    ],
  );
  await q.run(
    'INSERT INTO thread_idempotency (user_id, key, thread_id, message_id) VALUES (?, ?, ?, ?)',
    [msg.author.id, c.idempotencyKey, threadId, msg.id],
  );
}

async function threadOfMessage(q: Sql, messageId: string): Promise<string> {
  const r = await q.one<{ thread_id: string }>(
    'SELECT thread_id FROM thread_messages WHERE id = ?',
    [messageId],
  );
  if (!r) throw new ConflictError('not-found', 'No such message.');
  return r.thread_id;
}

/**
 * A deleted message also leaves the events already stored (a client catching up from an old
 * seq must not see what was deleted). The words stay in thread_messages.
 */
async function scrubEvents(q: Sql, threadId: string, messageId: string): Promise<void> {
  const rows = await q.all<{ report_id: string; seq: number; payload: string }>(
    'SELECT report_id, seq, payload FROM report_events WHERE thread_id = ?',
    [threadId],
  );
  for (const r of rows) {
    const event = JSON.parse(r.payload) as { thread: ThreadView };
    let changed = false;
    event.thread.messages = event.thread.messages.map((m) => {
      if (m.id !== messageId || m.deleted) return m;
      changed = true;
      return { ...m, body: '', mentions: [], deleted: true };
    });
    if (changed)
      await q.run('UPDATE report_events SET payload = ? WHERE report_id = ? AND seq = ?', [
        JSON.stringify(event),
        r.report_id,
        r.seq,
      ]);
  }
}

/**
 * One thread command inside the caller's transaction `q`, which must hold reportLock(reportId)
 * (consensus calls it to open a position's thread in its own transaction). The event written is
 * returned with the thread.
 */
export async function applyThreadCommandIn(
  q: Sql,
  reportId: string,
  c: ThreadCommand,
  audit: AuditEvent,
  notify: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }>,
): Promise<ThreadCommandResult & { event: StoredEvent | null }> {
  if (c.type === 'open' || c.type === 'reply') {
    const seen = await q.one<{ thread_id: string }>(
      'SELECT thread_id FROM thread_idempotency WHERE user_id = ? AND key = ?',
      [c.message.author.id, c.idempotencyKey],
    );
    if (seen)
      return { thread: (await readThread(q, seen.thread_id))!, created: false, event: null };
  }
  let threadId: string;
  let messageId: string | null = null;
  switch (c.type) {
    case 'open': {
      const t = c.thread;
      threadId = t.id;
      await q.run(
        `INSERT INTO threads (id, report_id, paragraph_id, kind, visibility, delegation, quote,
           proposal, status, author_id, author, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
        [
          t.id,
          reportId,
          t.paragraphId,
          t.kind,
          t.visibility,
          t.delegation,
          t.quote,
          t.proposal,
          c.message.author.id,
          JSON.stringify(c.message.author),
          c.message.at,
        ],
      );
      await insertMessage(q, threadId, c);
      messageId = c.message.id;
      break;
    }
    case 'reply':
      threadId = c.threadId;
      if (!(await q.one('SELECT 1 AS ok FROM threads WHERE id = ?', [threadId])))
        throw new ConflictError('not-found', 'No such thread.');
      await insertMessage(q, threadId, c);
      messageId = c.message.id;
      break;
    case 'edit': {
      threadId = await threadOfMessage(q, c.messageId);
      const before = (await q.one<{ body: string; deleted_at: string | null; mentions: string }>(
        'SELECT body, deleted_at, mentions FROM thread_messages WHERE id = ?',
        [c.messageId],
      ))!;
      if (before.deleted_at !== null)
        throw new ConflictError('not-found', 'This message was deleted.');
      await q.run(
        'INSERT INTO thread_message_revisions (message_id, body, replaced_at) VALUES (?, ?, ?)',
        [c.messageId, before.body, c.at],
      );
      await q.run('UPDATE thread_messages SET body = ?, edited_at = ? WHERE id = ?', [
        c.body,
        c.at,
        c.messageId,
      ]);
      if (c.mentions?.length) {
        // Added to those mentioned before: a notification sent is not taken back.
        const all = new Set([...(JSON.parse(before.mentions) as string[]), ...c.mentions]);
        await q.run('UPDATE thread_messages SET mentions = ? WHERE id = ?', [
          JSON.stringify([...all]),
          c.messageId,
        ]);
      }
      // Someone the edit newly names is notified; those notified before are not again.
      messageId = c.messageId;
      break;
    }
    case 'delete':
      threadId = await threadOfMessage(q, c.messageId);
      // The words stay in storage (nothing said is lost); every view shows the message as deleted.
      await q.run(
        'UPDATE thread_messages SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL',
        [c.at, c.by, c.messageId],
      );
      await scrubEvents(q, threadId, c.messageId);
      break;
    case 'resolve':
      threadId = c.threadId;
      await q.run(
        "UPDATE threads SET status = 'resolved', resolved_by = ?, resolved_at = ? WHERE id = ?",
        [JSON.stringify(c.by), c.at, threadId],
      );
      break;
    case 'reopen':
      threadId = c.threadId;
      await q.run(
        "UPDATE threads SET status = 'open', resolved_by = NULL, resolved_at = NULL WHERE id = ?",
        [threadId],
      );
      break;
    case 'applied':
      threadId = c.threadId;
      await q.run('UPDATE threads SET applied_by = ?, applied_at = ? WHERE id = ?', [
        JSON.stringify(c.by),
        c.at,
        threadId,
      ]);
      break;
  }
  const owner = await q.one<{ report_id: string }>('SELECT report_id FROM threads WHERE id = ?', [
    threadId,
  ]);
  if (!owner || owner.report_id !== reportId)
    throw new ConflictError('not-found', 'No such thread.');
  const seq = await nextEventSeq(q, reportId);
  await q.run('UPDATE threads SET seq = ? WHERE id = ?', [seq, threadId]);
  // The event carries the thread as it is after this command (its seq included).
  const thread = (await readThread(q, threadId))!;
  const event: StoredEvent = {
    seq,
    audience: audienceKey({ ...thread, authorId: thread.author.id }),
    payload: JSON.stringify({ seq, type: 'thread', thread }),
  };
  await insertEvent(q, reportId, threadId, event);
  if (messageId) {
    for (const n of notify)
      await q.run(
        `INSERT INTO inbox (user_id, message_id, thread_id, report_id, reason) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [n.userId, messageId, threadId, reportId, n.reason],
      );
  }
  await writeAudit(q, audit);
  return { thread, created: true, event };
}

export class SqlThreadStore implements ThreadStore {
  constructor(private readonly db: Db) {}

  async applyThreadCommand(
    reportId: string,
    c: ThreadCommand,
    audit: AuditEvent,
    notify: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }>,
  ): Promise<ThreadCommandResult> {
    const { thread, created } = await this.db.tx(
      'applyThreadCommand',
      (q) => applyThreadCommandIn(q, reportId, c, audit, notify),
      { lock: reportLock(reportId) },
    );
    return { thread, created };
  }

  getThread(id: string): Promise<ThreadView | null> {
    return this.db.tx('getThread', (q) => readThread(q, id), { readOnly: true });
  }

  async getMessage(id: string): Promise<MessageRef | null> {
    const r = await this.db.one<{
      id: string;
      thread_id: string;
      author_id: string;
      deleted_at: string | null;
    }>('SELECT id, thread_id, author_id, deleted_at FROM thread_messages WHERE id = ?', [id]);
    return r
      ? { id: r.id, threadId: r.thread_id, authorId: r.author_id, deleted: r.deleted_at !== null }
      : null;
  }

  listThreads(reportId: string): Promise<ThreadView[]> {
    return this.db.tx(
      'listThreads',
      async (q) => {
        const rows = await q.all<ThreadRow>(
          `SELECT ${THREAD_COLUMNS} FROM threads t WHERE t.report_id = ?
           ORDER BY t.created_at, ${q.dialect.insertionOrder('t')}`,
          [reportId],
        );
        const messages = await q.all<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM thread_messages m JOIN threads t ON t.id = m.thread_id
           WHERE t.report_id = ? ORDER BY m.created_at, ${q.dialect.insertionOrder('m')}`,
          [reportId],
        );
        const byThread = new Map<string, MessageRow[]>();
        for (const m of messages) {
          const list = byThread.get(m.thread_id) ?? [];
          list.push(m);
          byThread.set(m.thread_id, list);
        }
        return rows.map((r) => toThreadView(r, byThread.get(r.id) ?? []));
      },
      { readOnly: true },
    );
  }

  listEvents(reportId: string, afterSeq: number): Promise<StoredEvent[]> {
    return this.db.all<StoredEvent>(
      'SELECT seq, audience, payload FROM report_events WHERE report_id = ? AND seq > ? ORDER BY seq',
      [reportId, afterSeq],
    );
  }

  lastEventSeq(reportId: string): Promise<number> {
    return lastEventSeqIn(this.db, reportId);
  }

  listInbox(userId: string): Promise<StoredInboxItem[]> {
    return listInbox(this.db, userId);
  }

  markInboxRead(userId: string, messageIds: readonly string[]): Promise<number> {
    return markInboxRead(this.db, userId, messageIds);
  }

  markThreadRead(userId: string, threadId: string): Promise<void> {
    return markThreadRead(this.db, userId, threadId);
  }

  listThreadReads(userId: string, reportId: string): Promise<Map<string, ReadMarker>> {
    return listThreadReads(this.db, userId, reportId);
  }
}
