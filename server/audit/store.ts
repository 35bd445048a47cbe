/**
 * The audit log, in SQL both engines run. Append-only: each engine's triggers refuse UPDATE and
 * DELETE on audit_log (sqlite-migrations.ts, postgres-migrations.ts), with one exception: an
 * aggregate row (one per `bucket`, e.g. an account's refused logins in one window) may only have
 * its `count` raised and its `last_at` moved on. What an unauthenticated client can make the
 * server store is then bounded by buckets, not by requests.
 */
import type { Db, Sql } from '../storage/sql.js';
import type { AuditEvent, AuditRecord, AuditStore } from '../storage/types.js';

interface AuditRow {
  id: number;
  at: string;
  group_id: string | null;
  actor_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
  request_id: string | null;
  count: number | null;
  last_at: string | null;
}

function toAudit(r: AuditRow): AuditRecord {
  return {
    id: r.id,
    at: r.at,
    groupId: r.group_id,
    actorId: r.actor_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: withCount(r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null, r),
    ip: r.ip,
    requestId: r.request_id,
  };
}

/** An aggregate row reads with its count and last time in its detail. */
function withCount(
  detail: Record<string, unknown> | null,
  r: AuditRow,
): Record<string, unknown> | null {
  if (r.count === null) return detail;
  return { ...detail, attempts: Number(r.count), lastAt: r.last_at };
}

const COLUMNS =
  'id, at, group_id, actor_id, actor, action, target, detail, ip, request_id, count, last_at';

/** Writes one audit row in `q` (a command's transaction, or alone). */
export async function writeAudit(q: Sql, e: AuditEvent): Promise<void> {
  await q.run(
    `INSERT INTO audit_log (at, group_id, actor_id, actor, action, target, detail, ip, request_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      e.at,
      e.groupId,
      e.actorId,
      e.actor,
      e.action,
      e.target,
      e.detail ? JSON.stringify(e.detail) : null,
      e.ip,
      e.requestId,
    ],
  );
}

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: Db) {}

  appendAudit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  /**
   * Counts one more event in `bucket`'s row: written the first time (the event as given, count
   * 1), afterwards only its count and last time change.
   */
  async countAudit(bucket: string, event: AuditEvent): Promise<void> {
    await this.db.run(
      `INSERT INTO audit_log
         (at, group_id, actor_id, actor, action, target, detail, ip, request_id, bucket, count, last_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT (bucket) DO UPDATE SET count = audit_log.count + 1, last_at =
         CASE WHEN excluded.last_at > audit_log.last_at THEN excluded.last_at ELSE audit_log.last_at END`,
      [
        event.at,
        event.groupId,
        event.actorId,
        event.actor,
        event.action,
        event.target,
        event.detail ? JSON.stringify(event.detail) : null,
        event.ip,
        event.requestId,
        bucket,
        event.at,
      ],
    );
  }

  async listAudit(
    groupId: string,
    options: { limit: number; beforeId?: number },
  ): Promise<AuditRecord[]> {
    // The group's own events, and the account events (logins, password changes) of its members.
    const rows = await this.db.all<AuditRow>(
      `SELECT ${COLUMNS}
       FROM audit_log WHERE id < ? AND (
         group_id = ? OR (group_id IS NULL AND (
           actor_id IN (SELECT user_id FROM memberships WHERE group_id = ?)
           OR target IN (SELECT user_id FROM memberships WHERE group_id = ?)
           OR target IN (SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.group_id = ?))))
       ORDER BY id DESC LIMIT ?`,
      [
        options.beforeId ?? Number.MAX_SAFE_INTEGER,
        groupId,
        groupId,
        groupId,
        groupId,
        options.limit,
      ],
    );
    return rows.map(toAudit);
  }
}
