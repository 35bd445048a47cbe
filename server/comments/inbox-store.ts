/**
 * The inbox (mentions and replies, and how the group's silence procedures ended; per user,
 * across reports) and the per-thread read markers, in SQL both engines run. Whether the owner
 * may still see an item is decided by the caller, from the fields each item carries
 * (shared/comments.ts, canSeeThread; a silence outcome is the whole group's).
 */
import {
  inboxExcerpt,
  type PersonView,
  type ReadMarker,
  silenceOutcomeText,
} from '../../shared/comments.js';
import type { Db, Sql } from '../storage/sql.js';
import type { StoredInboxItem } from '../storage/types.js';

export async function listInbox(db: Db, userId: string): Promise<StoredInboxItem[]> {
  const rows = await db.all<{
    thread_id: string;
    report_id: string;
    message_id: string;
    reason: 'mention' | 'reply';
    read: number;
    group_id: string | null;
    visibility: StoredInboxItem['visibility'];
    delegation: string | null;
    author_id: string;
    report_title: string;
    paragraph_id: string;
    message_author: string;
    body: string;
    created_at: string;
  }>(
    `SELECT i.thread_id, i.report_id, i.message_id, i.reason, i.read, r.group_id,
            t.visibility, t.delegation, t.author_id, r.title AS report_title, t.paragraph_id,
            m.author AS message_author, m.body, m.created_at
     FROM inbox i JOIN threads t ON t.id = i.thread_id JOIN reports r ON r.id = i.report_id
     JOIN thread_messages m ON m.id = i.message_id
     WHERE i.user_id = ? AND m.deleted_at IS NULL
     ORDER BY m.created_at DESC, ${db.dialect.insertionOrder('m')} DESC, i.reason`,
    [userId],
  );
  const messages: StoredInboxItem[] = rows.map((r) => ({
    threadId: r.thread_id,
    reportId: r.report_id,
    reportTitle: r.report_title,
    paragraphId: r.paragraph_id,
    messageId: r.message_id,
    reason: r.reason,
    unread: r.read === 0,
    author: JSON.parse(r.message_author) as PersonView,
    excerpt: inboxExcerpt(r.body),
    createdAt: r.created_at,
    groupId: r.group_id,
    visibility: r.visibility,
    delegation: r.delegation,
    authorId: r.author_id,
  }));
  return [...messages, ...(await listSilenceNotices(db, userId))].sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
  );
}

/**
 * Tells every member of the report's group how a silence procedure ended, except `exceptUserId`
 * (who broke it knows). Called inside the transaction that ends it.
 */
export async function notifySilenceOutcome(
  q: Sql,
  reportId: string,
  silenceId: string,
  outcome: 'adopted' | 'broken',
  exceptUserId: string | null,
): Promise<void> {
  await q.run(
    `INSERT INTO silence_notices (user_id, silence_id, report_id, outcome, read)
     SELECT m.user_id, ?, ?, ?, 0 FROM memberships m JOIN reports r ON r.group_id = m.group_id
     WHERE r.id = ? AND m.user_id <> ?
     ON CONFLICT (user_id, silence_id) DO NOTHING`,
    [silenceId, reportId, outcome, reportId, exceptUserId ?? ''],
  );
}

async function listSilenceNotices(db: Db, userId: string): Promise<StoredInboxItem[]> {
  const rows = await db.all<{
    silence_id: string;
    report_id: string;
    outcome: 'adopted' | 'broken';
    read: number;
    group_id: string | null;
    report_title: string;
    paragraph_ids: string;
    started_by: string;
    broken_by: string | null;
    statement: string | null;
    settled_at: string;
  }>(
    `SELECT n.silence_id, n.report_id, n.outcome, n.read, r.group_id, r.title AS report_title,
            s.paragraph_ids, s.started_by, s.broken_by, s.statement, s.settled_at
     FROM silence_notices n JOIN silences s ON s.id = n.silence_id
     JOIN reports r ON r.id = n.report_id
     WHERE n.user_id = ?`,
    [userId],
  );
  return rows.map((r) => {
    const author = JSON.parse(
      r.outcome === 'broken' && r.broken_by ? r.broken_by : r.started_by,
    ) as PersonView;
    const paragraphIds = JSON.parse(r.paragraph_ids) as string[];
    return {
      threadId: null,
      reportId: r.report_id,
      reportTitle: r.report_title,
      paragraphId: paragraphIds[0] ?? '',
      messageId: r.silence_id,
      reason: r.outcome === 'broken' ? 'silence-broken' : 'silence-adopted',
      unread: r.read === 0,
      author,
      excerpt: inboxExcerpt(silenceOutcomeText(r.outcome, paragraphIds.length, r.statement)),
      createdAt: r.settled_at,
      groupId: r.group_id,
      visibility: 'group',
      delegation: null,
      authorId: author.id,
    };
  });
}

export function markInboxRead(
  db: Db,
  userId: string,
  messageIds: readonly string[],
): Promise<number> {
  return db.tx('markInboxRead', async (q) => {
    let changed = 0;
    for (const id of messageIds) {
      changed += await q.run(
        'UPDATE inbox SET read = 1 WHERE user_id = ? AND message_id = ? AND read = 0',
        [userId, id],
      );
      changed += await q.run(
        'UPDATE silence_notices SET read = 1 WHERE user_id = ? AND silence_id = ? AND read = 0',
        [userId, id],
      );
    }
    return changed;
  });
}

export function markThreadRead(db: Db, userId: string, threadId: string): Promise<void> {
  return db.tx('markThreadRead', async (q) => {
    await q.run('UPDATE inbox SET read = 1 WHERE user_id = ? AND thread_id = ?', [
      userId,
      threadId,
    ]);
    // The marker never goes back (a late, older read does not undo a newer one).
    await q.run(
      `INSERT INTO thread_reads (user_id, thread_id, report_id, seq, last_message_at)
       SELECT ?, t.id, t.report_id, t.seq,
              COALESCE((SELECT MAX(created_at) FROM thread_messages WHERE thread_id = t.id), '')
       FROM threads t WHERE t.id = ?
       ON CONFLICT (user_id, thread_id) DO UPDATE SET
         seq = CASE WHEN excluded.seq > thread_reads.seq THEN excluded.seq ELSE thread_reads.seq END,
         last_message_at = CASE WHEN excluded.last_message_at > thread_reads.last_message_at
           THEN excluded.last_message_at ELSE thread_reads.last_message_at END`,
      [userId, threadId],
    );
  });
}

export async function listThreadReads(
  db: Db,
  userId: string,
  reportId: string,
): Promise<Map<string, ReadMarker>> {
  const rows = await db.all<{ thread_id: string; seq: number; last_message_at: string }>(
    'SELECT thread_id, seq, last_message_at FROM thread_reads WHERE user_id = ? AND report_id = ?',
    [userId, reportId],
  );
  return new Map(rows.map((r) => [r.thread_id, { seq: r.seq, lastMessageAt: r.last_message_at }]));
}
