/**
 * The SQLite update writer: a worker thread with its own connection to the database file that
 * commits batches of document updates (group commit) while commits are slow. A durable commit
 * waits for fsync: about 0.25 ms on our VMs, and then the main thread commits itself (see
 * SqliteStorage.flush); on a busy disk fsync takes tens of milliseconds, and on the main thread
 * that wait would stop every socket of every report. Here it stops nothing but this thread, and
 * the main thread keeps broadcasting, validating and collecting the next batch meanwhile. A
 * broadcast still waits for the commit: the durability barrier is the same wherever a batch is
 * committed.
 *
 * Protocol (structured messages): the main thread sends `WriterBatch`, the worker answers each
 * with `WriterResult` carrying the same id, in order. `{ close: true }` closes the connection and
 * ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type AppendRow, appendCommitter } from './sqlite-append.js';

export interface WriterInit {
  file: string;
  synchronous: string;
  /** Tests: each commit holds the write lock this much longer (a slow disk). */
  slowCommitMs: number;
}

export type WriterAppend = AppendRow;

export interface WriterBatch {
  id: number;
  appends: WriterAppend[];
}

/** `ms`: how long the commit took in the thread (the main thread decides where the next go). */
export type WriterResult = { id: number; ms: number } | { id: number; error: string; ms: number };

function run(init: WriterInit): void {
  const port = parentPort;
  if (!port) throw new Error('sqlite-writer runs only as a worker thread');
  const db = new Database(init.file);
  // journal_mode is a property of the file (the main connection set WAL); synchronous and the
  // busy timeout are per connection. The main thread never commits while a batch is here (its
  // write lock, sqlite-db.ts), so only another process can make this thread wait.
  db.pragma(`synchronous = ${init.synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const commit = appendCommitter(db, init.slowCommitMs);
  port.on('message', (msg: WriterBatch | { close: true }) => {
    if ('close' in msg) {
      db.close();
      port.close();
      return;
    }
    let result: WriterResult;
    const started = performance.now();
    try {
      commit(msg.appends);
      result = { id: msg.id, ms: performance.now() - started };
    } catch (err) {
      result = { id: msg.id, error: (err as Error).message, ms: performance.now() - started };
    }
    port.postMessage(result);
  });
}

run(workerData as WriterInit);
