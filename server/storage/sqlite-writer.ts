/**
 * The SQLite update writer: a worker thread with its own connection to the database file that
 * commits batches of document updates (group commit). A durable commit waits for fsync (about
 * 1 ms on our VMs, far more on a busy disk); on the main thread that wait stopped every socket of
 * every report. Here it stops nothing but this thread, and the main thread keeps relaying,
 * validating and collecting the next batch meanwhile. Relay still waits for the commit: the
 * durability barrier is unchanged.
 *
 * Protocol (structured messages): the main thread sends `WriterBatch`, the worker answers each
 * with `WriterResult` carrying the same id, in order. `{ close: true }` closes the connection and
 * ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface WriterInit {
  file: string;
  synchronous: string;
}

export interface WriterAppend {
  reportId: string;
  data: Uint8Array;
  clientIds: number[] | null;
  userId: string | null;
}

export interface WriterBatch {
  id: number;
  appends: WriterAppend[];
}

export type WriterResult = { id: number; seqs: number[] } | { id: number; error: string };

function run(init: WriterInit): void {
  const port = parentPort;
  if (!port) throw new Error('sqlite-writer runs only as a worker thread');
  const db = new Database(init.file);
  // journal_mode is a property of the file (the main connection set WAL); synchronous and the
  // busy timeout are per connection.
  db.pragma(`synchronous = ${init.synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const insertUpdate = db.prepare('INSERT INTO report_updates (report_id, data) VALUES (?, ?)');
  const bind = db.prepare(
    'INSERT INTO client_bindings (report_id, client_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const touch = db.prepare('UPDATE reports SET updated_at = ? WHERE id = ?');
  const commit = db.transaction((appends: WriterAppend[]) => {
    const seqs: number[] = [];
    const touched = new Set<string>();
    for (const a of appends) {
      seqs.push(Number(insertUpdate.run(a.reportId, a.data).lastInsertRowid));
      if (a.clientIds && a.userId) {
        for (const c of a.clientIds) bind.run(a.reportId, c, a.userId);
      }
      touched.add(a.reportId);
    }
    const now = new Date().toISOString();
    for (const id of touched) touch.run(now, id);
    return seqs;
  });
  port.on('message', (msg: WriterBatch | { close: true }) => {
    if ('close' in msg) {
      db.close();
      port.close();
      return;
    }
    let result: WriterResult;
    try {
      result = { id: msg.id, seqs: commit(msg.appends) };
    } catch (err) {
      result = { id: msg.id, error: (err as Error).message };
    }
    port.postMessage(result);
  });
}

run(workerData as WriterInit);
