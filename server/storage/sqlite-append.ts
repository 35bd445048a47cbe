/**
 * The transaction that stores a batch of document updates (group commit), shared by the two
 * places a batch can be committed: the main connection (inline) and the writer thread
 * (sqlite-writer.ts). Both run exactly this, so a batch means the same wherever it went.
 */
import type Database from 'better-sqlite3';

export interface AppendRow {
  reportId: string;
  /** Assigned by the report's owner; (report_id, seq) is the log's key. */
  seq: number;
  data: Uint8Array;
  clientIds: number[] | null;
  userId: string | null;
}

/**
 * Prepares the statements on `db`; the returned function commits one batch (all or nothing).
 * `slowMs` holds each transaction open that long before it commits: a slow disk, for tests.
 */
export function appendCommitter(db: Database.Database, slowMs = 0): (appends: AppendRow[]) => void {
  const insertUpdate = db.prepare(
    'INSERT INTO report_updates (report_id, seq, data) VALUES (?, ?, ?)',
  );
  const bind = db.prepare(
    'INSERT INTO client_bindings (report_id, client_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const touch = db.prepare('UPDATE reports SET updated_at = ? WHERE id = ?');
  const commit = db.transaction((appends: AppendRow[]) => {
    const touched = new Set<string>();
    for (const a of appends) {
      insertUpdate.run(a.reportId, a.seq, a.data);
      if (a.clientIds && a.userId) {
        for (const c of a.clientIds) bind.run(a.reportId, c, a.userId);
      }
      touched.add(a.reportId);
    }
    const now = new Date().toISOString();
    for (const id of touched) touch.run(now, id);
    if (slowMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, slowMs);
  });
  // IMMEDIATE: take the write lock at BEGIN, so the transaction never fails half-way on a lock.
  return (appends) => commit.immediate(appends);
}
