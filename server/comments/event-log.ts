/**
 * The report event log, in SQL both engines run: one row per thread or consensus change, in
 * per-report seq order, pushed to clients and read back by those catching up (events.ts). The seq
 * comes from the report's counter row in report_event_seqs.
 */
import type { Sql } from '../storage/sql.js';
import type { StoredEvent } from '../storage/types.js';

/** The lock every command on a report's threads and consensus takes (sql.ts, TxOptions.lock). */
export const reportLock = (reportId: string) => `report:${reportId}`;

/**
 * The report's next event seq, from its counter row, incremented in this transaction: two writers
 * never get the same number (MAX(seq) + 1 would give both the same under READ COMMITTED).
 */
export async function nextEventSeq(q: Sql, reportId: string): Promise<number> {
  const counter = await q.one<{ seq: number }>(
    `INSERT INTO report_event_seqs (report_id, seq) VALUES (?, 1)
     ON CONFLICT (report_id) DO UPDATE SET seq = report_event_seqs.seq + 1
     RETURNING seq`,
    [reportId],
  );
  return counter!.seq;
}

/** Stores an event under a seq from nextEventSeq. `threadId` '' marks one that is not a thread's. */
export async function insertEvent(
  q: Sql,
  reportId: string,
  threadId: string,
  event: StoredEvent,
): Promise<void> {
  await q.run(
    'INSERT INTO report_events (report_id, seq, thread_id, audience, payload) VALUES (?, ?, ?, ?, ?)',
    [reportId, event.seq, threadId, event.audience, event.payload],
  );
}

/** The report's last event seq, read in `q`. */
export async function lastEventSeqIn(q: Sql, reportId: string): Promise<number> {
  const row = await q.one<{ seq: number }>(
    'SELECT seq FROM report_event_seqs WHERE report_id = ?',
    [reportId],
  );
  return row?.seq ?? 0;
}
