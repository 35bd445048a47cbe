/**
 * SQLite storage (better-sqlite3): WAL, synchronous=FULL by default, group commit.
 *
 * Appends are queued and written together in one transaction at the next turn of the event
 * loop, so N edits arriving together cost one fsync instead of N. A batch that fails to commit
 * rejects every append in it and writes none of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteSynchronous } from '../config.js';
import {
  type ReportRecord,
  type Snapshot,
  type Storage,
  StorageError,
  type StoredDocument,
} from './types.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE reports (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     template TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE report_snapshots (
     report_id TEXT PRIMARY KEY REFERENCES reports(id),
     snapshot BLOB NOT NULL,
     state_vector BLOB NOT NULL,
     through_seq INTEGER NOT NULL
   );
   CREATE TABLE report_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     report_id TEXT NOT NULL REFERENCES reports(id),
     data BLOB NOT NULL
   );
   CREATE INDEX report_updates_by_report ON report_updates(report_id, seq);`,
];

interface PendingAppend {
  reportId: string;
  data: Uint8Array;
  resolve(seq: number): void;
  reject(err: Error): void;
}

interface ReportRow {
  id: string;
  title: string;
  template: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: ReportRow): ReportRecord {
  return {
    id: row.id,
    title: row.title,
    template: row.template as ReportRecord['template'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface SqliteStorageOptions {
  /** Folder of the database file; created if missing. */
  dataDir: string;
  synchronous?: SqliteSynchronous;
}

export const SQLITE_FILE = 'concord.sqlite';

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  readonly file: string;
  private readonly db: Database.Database;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly stmt;

  constructor(options: SqliteStorageOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.file = path.join(options.dataDir, SQLITE_FILE);
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.stmt = {
      insertReport: this.db.prepare(
        'INSERT INTO reports (id, title, template, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      ),
      getReport: this.db.prepare('SELECT * FROM reports WHERE id = ?'),
      listReports: this.db.prepare('SELECT * FROM reports ORDER BY updated_at DESC, id'),
      rename: this.db.prepare('UPDATE reports SET title = ?, updated_at = ? WHERE id = ?'),
      touch: this.db.prepare('UPDATE reports SET updated_at = ? WHERE id = ?'),
      insertUpdate: this.db.prepare('INSERT INTO report_updates (report_id, data) VALUES (?, ?)'),
      snapshot: this.db.prepare(
        'SELECT snapshot, state_vector, through_seq FROM report_snapshots WHERE report_id = ?',
      ),
      updatesAfter: this.db.prepare(
        'SELECT seq, data FROM report_updates WHERE report_id = ? AND seq > ? ORDER BY seq',
      ),
      upsertSnapshot: this.db.prepare(
        `INSERT INTO report_snapshots (report_id, snapshot, state_vector, through_seq) VALUES (?, ?, ?, ?)
         ON CONFLICT(report_id) DO UPDATE SET snapshot = excluded.snapshot,
           state_vector = excluded.state_vector, through_seq = excluded.through_seq
         WHERE excluded.through_seq >= report_snapshots.through_seq`,
      ),
      dropUpdates: this.db.prepare('DELETE FROM report_updates WHERE report_id = ? AND seq <= ?'),
      ping: this.db.prepare('SELECT 1 AS ok'),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private guard<T>(what: string, fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError(`${what}: storage is closed`));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(
        new StorageError(`${what} failed: ${(err as Error).message}`, { cause: err }),
      );
    }
  }

  ping(): Promise<void> {
    return this.guard('ping', () => {
      this.stmt.ping.get();
    });
  }

  createReport(record: ReportRecord, initialUpdate: Uint8Array): Promise<void> {
    return this.guard('createReport', () => {
      this.db.transaction(() => {
        this.stmt.insertReport.run(
          record.id,
          record.title,
          record.template,
          record.createdAt,
          record.updatedAt,
        );
        this.stmt.insertUpdate.run(record.id, initialUpdate);
      })();
    });
  }

  getReport(id: string): Promise<ReportRecord | null> {
    return this.guard('getReport', () => {
      const row = this.stmt.getReport.get(id) as ReportRow | undefined;
      return row ? toRecord(row) : null;
    });
  }

  listReports(): Promise<ReportRecord[]> {
    return this.guard('listReports', () =>
      (this.stmt.listReports.all() as ReportRow[]).map(toRecord),
    );
  }

  renameReport(id: string, title: string, at: string): Promise<ReportRecord | null> {
    return this.guard('renameReport', () => {
      const info = this.stmt.rename.run(title, at, id);
      if (info.changes === 0) return null;
      return toRecord(this.stmt.getReport.get(id) as ReportRow);
    });
  }

  loadDocument(id: string): Promise<StoredDocument | null> {
    return this.guard('loadDocument', () =>
      this.db.transaction((): StoredDocument | null => {
        if (!this.stmt.getReport.get(id)) return null;
        const snap = this.stmt.snapshot.get(id) as
          | { snapshot: Buffer; state_vector: Buffer; through_seq: number }
          | undefined;
        const after = snap?.through_seq ?? 0;
        const rows = this.stmt.updatesAfter.all(id, after) as Array<{ seq: number; data: Buffer }>;
        return {
          snapshot: snap
            ? {
                update: new Uint8Array(snap.snapshot),
                stateVector: new Uint8Array(snap.state_vector),
              }
            : null,
          updates: rows.map((r) => new Uint8Array(r.data)),
          lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
        };
      })(),
    );
  }

  appendUpdate(reportId: string, update: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new StorageError('appendUpdate: storage is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ reportId, data: update, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes every queued append in one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let seqs: number[];
    try {
      seqs = this.db.transaction(() => {
        const out: number[] = [];
        const touched = new Set<string>();
        for (const a of batch) {
          out.push(Number(this.stmt.insertUpdate.run(a.reportId, a.data).lastInsertRowid));
          touched.add(a.reportId);
        }
        const now = new Date().toISOString();
        for (const id of touched) this.stmt.touch.run(now, id);
        return out;
      })();
    } catch (err) {
      const error = new StorageError(
        `append of ${batch.length} update(s) failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
      for (const a of batch) a.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(seqs[i]!);
  }

  compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    return this.guard('compact', () => {
      this.db.transaction(() => {
        this.stmt.upsertSnapshot.run(reportId, snapshot.update, snapshot.stateVector, throughSeq);
        this.stmt.dropUpdates.run(reportId, throughSeq);
      })();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
