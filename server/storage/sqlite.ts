/**
 * SQLite storage (better-sqlite3): WAL, synchronous=FULL by default, group commit.
 *
 * Appends are queued and written together in one transaction at the next turn of the event
 * loop, so N edits arriving together cost one fsync instead of N. A batch that fails to commit
 * rejects every append in it and writes none of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  audienceKey,
  inboxExcerpt,
  type MessageView,
  type PersonView,
  type ReadMarker,
  type ThreadView,
} from '../../shared/comments.js';
import type { ParagraphHistoryResponse, SilenceView } from '../../shared/consensus.js';
import type { SqliteSynchronous } from '../config.js';
import { type AppendRow, appendCommitter } from './sqlite-append.js';
import { CONSENSUS_MIGRATION, SqliteConsensus } from './sqlite-consensus.js';
import type { WriterAppend, WriterBatch, WriterInit, WriterResult } from './sqlite-writer.js';
import {
  type AuditEvent,
  type AuditRecord,
  type ClientBinding,
  ConflictError,
  type ConsensusCommand,
  type ConsensusCommandResult,
  type ConsensusRecord,
  type GroupRecord,
  type InvitationRecord,
  type MemberRecord,
  type MemberView,
  type MessageRef,
  type ReportRecord,
  type SessionRecord,
  type Snapshot,
  type Storage,
  StorageError,
  type StoredDocument,
  type StoredEvent,
  type StoredInboxItem,
  type ThreadCommand,
  type ThreadCommandResult,
  type UserRecord,
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
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     display_name TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE groups (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE memberships (
     group_id TEXT NOT NULL REFERENCES groups(id),
     user_id TEXT NOT NULL REFERENCES users(id),
     role TEXT NOT NULL,
     represents TEXT,
     created_at TEXT NOT NULL,
     PRIMARY KEY (group_id, user_id)
   );
   CREATE INDEX memberships_by_user ON memberships(user_id);
   ALTER TABLE reports ADD COLUMN group_id TEXT REFERENCES groups(id);
   CREATE INDEX reports_by_group ON reports(group_id);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_by_user ON sessions(user_id);
   CREATE TABLE invitations (
     token_hash TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups(id),
     role TEXT NOT NULL,
     represents TEXT,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     accepted_at INTEGER,
     accepted_by TEXT
   );
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     group_id TEXT,
     actor_id TEXT,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     detail TEXT,
     ip TEXT,
     request_id TEXT
   );
   CREATE INDEX audit_by_group ON audit_log(group_id, id);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TABLE client_bindings (
     report_id TEXT NOT NULL REFERENCES reports(id),
     client_id INTEGER NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (report_id, client_id)
   );`,
  `CREATE TABLE threads (
     id TEXT PRIMARY KEY,
     report_id TEXT NOT NULL REFERENCES reports(id),
     paragraph_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     visibility TEXT NOT NULL,
     delegation TEXT,
     quote TEXT,
     proposal TEXT,
     status TEXT NOT NULL,
     author_id TEXT NOT NULL,
     author TEXT NOT NULL,
     created_at TEXT NOT NULL,
     resolved_by TEXT,
     resolved_at TEXT,
     applied_by TEXT,
     applied_at TEXT,
     seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX threads_by_report ON threads(report_id, created_at);
   CREATE TABLE thread_messages (
     id TEXT PRIMARY KEY,
     thread_id TEXT NOT NULL REFERENCES threads(id),
     author_id TEXT NOT NULL,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     mentions TEXT NOT NULL,
     created_at TEXT NOT NULL,
     edited_at TEXT,
     deleted_at TEXT,
     deleted_by TEXT
   );
   CREATE INDEX thread_messages_by_thread ON thread_messages(thread_id, created_at);
   CREATE TABLE thread_message_revisions (
     message_id TEXT NOT NULL REFERENCES thread_messages(id),
     body TEXT NOT NULL,
     replaced_at TEXT NOT NULL
   );
   CREATE TABLE report_events (
     report_id TEXT NOT NULL REFERENCES reports(id),
     seq INTEGER NOT NULL,
     thread_id TEXT NOT NULL,
     audience TEXT NOT NULL,
     payload TEXT NOT NULL,
     PRIMARY KEY (report_id, seq)
   );
   CREATE INDEX report_events_by_thread ON report_events(thread_id);
   CREATE TABLE thread_idempotency (
     user_id TEXT NOT NULL,
     key TEXT NOT NULL,
     thread_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     PRIMARY KEY (user_id, key)
   );
   CREATE TABLE inbox (
     user_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     thread_id TEXT NOT NULL,
     report_id TEXT NOT NULL,
     reason TEXT NOT NULL,
     read INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, message_id, reason)
   );
   CREATE INDEX inbox_by_user ON inbox(user_id, thread_id);`,
  `CREATE TABLE thread_reads (
     user_id TEXT NOT NULL,
     thread_id TEXT NOT NULL REFERENCES threads(id),
     report_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     last_message_at TEXT NOT NULL,
     PRIMARY KEY (user_id, thread_id)
   );
   CREATE INDEX thread_reads_by_report ON thread_reads(user_id, report_id);`,
  CONSENSUS_MIGRATION,
];

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

interface PendingAppend {
  reportId: string;
  data: Uint8Array;
  binding: ClientBinding | undefined;
  resolve(seq: number): void;
  reject(err: Error): void;
}

interface ReportRow {
  id: string;
  group_id: string | null;
  title: string;
  template: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: ReportRow): ReportRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    title: row.title,
    template: row.template as ReportRecord['template'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: string;
}

function toUser(r: UserRow | undefined): UserRecord | null {
  return r
    ? {
        id: r.id,
        email: r.email,
        displayName: r.display_name,
        passwordHash: r.password_hash,
        createdAt: r.created_at,
      }
    : null;
}

function toGroup(
  r: { id: string; name: string; created_at: string } | undefined,
): GroupRecord | null {
  return r ? { id: r.id, name: r.name, createdAt: r.created_at } : null;
}

interface MemberRow {
  group_id: string;
  user_id: string;
  role: string;
  represents: string | null;
  created_at: string;
}

function toMember(r: MemberRow | undefined): MemberRecord | null {
  return r
    ? {
        groupId: r.group_id,
        userId: r.user_id,
        role: r.role as MemberRecord['role'],
        represents: r.represents,
        createdAt: r.created_at,
      }
    : null;
}

interface InvitationRow {
  token_hash: string;
  group_id: string;
  role: string;
  represents: string | null;
  created_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: string | null;
}

function toInvitation(r: InvitationRow | undefined): InvitationRecord | null {
  return r
    ? {
        tokenHash: r.token_hash,
        groupId: r.group_id,
        role: r.role as InvitationRecord['role'],
        represents: r.represents,
        createdBy: r.created_by,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        acceptedAt: r.accepted_at,
        acceptedBy: r.accepted_by,
      }
    : null;
}

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
}

/**
 * The bytes of a blob as a plain Uint8Array, without copying them (`new Uint8Array(buffer)` would
 * copy: a whole document, megabytes, on every cold load).
 */
function view(blob: Buffer): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
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
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    ip: r.ip,
    requestId: r.request_id,
  };
}

/**
 * Where batches of document updates are committed: on the main connection ('inline'), in the
 * writer thread ('thread'), or inline while commits are quick and in the thread while they are
 * slow ('auto', the default).
 */
export type CommitPlace = 'auto' | 'inline' | 'thread';

export interface SqliteStorageOptions {
  /** Folder of the database file; created if missing. */
  dataDir: string;
  synchronous?: SqliteSynchronous;
  commits?: CommitPlace;
  /** 'auto': commits slower than this (ms, smoothed) go to the writer thread. Default 2. */
  inlineCommitMaxMs?: number;
  /** 'auto': a batch within this long (ms) of the previous commit goes to the thread. Default 20. */
  quietMs?: number;
}

/** Weight of the latest commit in the smoothed commit time ('auto'). */
const COMMIT_TIME_WEIGHT = 0.3;

export const SQLITE_FILE = 'concord.sqlite';

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  readonly file: string;
  private readonly db: Database.Database;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  /** The update writer thread (sqlite-writer.ts), started on the first append. */
  private writer: Worker | null = null;
  private inFlight: { id: number; batch: PendingAppend[] } | null = null;
  private readonly commits: CommitPlace;
  private readonly inlineCommitMaxMs: number;
  /** Smoothed duration of recent update commits, wherever they ran (ms). */
  private commitMs = 0;
  private readonly quietMs: number;
  /** A background start of the writer thread is scheduled (warmWriter). */
  private writerWarming = false;
  /** When the last update commit ended (performance.now()). */
  private lastCommitEnd = Number.NEGATIVE_INFINITY;
  private appendInline: ((appends: AppendRow[]) => number[]) | null = null;
  private batchSeq = 0;
  private drainWaiters: Array<() => void> = [];
  private readonly synchronous: SqliteSynchronous;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private readonly stmt;
  private readonly consensus: SqliteConsensus;

  constructor(options: SqliteStorageOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.file = path.join(options.dataDir, SQLITE_FILE);
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.synchronous = options.synchronous ?? 'FULL';
    this.commits = options.commits ?? 'auto';
    this.inlineCommitMaxMs = options.inlineCommitMaxMs ?? 2;
    this.quietMs = options.quietMs ?? 20;
    this.db.pragma(`synchronous = ${this.synchronous}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.consensus = new SqliteConsensus({
      db: this.db,
      writeAudit: (e) => this.writeAudit(e),
      openThread: (reportId, { command, audit }) => {
        // The thread command path as is: called inside our transaction, better-sqlite3 runs it in
        // a savepoint, synchronously. A failure there rolls back the savepoint only, so the row
        // is checked and a missing one aborts the whole transaction.
        this.applyThreadCommand(reportId, command, audit, []).catch(() => {});
        const thread = this.readThread(command.thread.id);
        const event = this.one<StoredEvent>(
          'SELECT seq, audience, payload FROM report_events WHERE report_id = ? AND seq = ?',
          reportId,
          thread?.seq ?? -1,
        );
        if (!thread || !event) throw new Error('opening the position thread failed');
        return { thread, event };
      },
    });
    this.stmt = {
      insertReport: this.db.prepare(
        'INSERT INTO reports (id, group_id, title, template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      getReport: this.db.prepare('SELECT * FROM reports WHERE id = ?'),
      listReports: this.db.prepare('SELECT * FROM reports ORDER BY updated_at DESC, id'),
      rename: this.db.prepare('UPDATE reports SET title = ?, updated_at = ? WHERE id = ?'),
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
      bindings: this.db.prepare(
        'SELECT client_id, user_id FROM client_bindings WHERE report_id = ?',
      ),
      audit: this.db.prepare(
        `INSERT INTO audit_log (at, group_id, actor_id, actor, action, target, detail, ip, request_id)
         VALUES (@at, @groupId, @actorId, @actor, @action, @target, @detail, @ip, @requestId)`,
      ),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
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
      this.db
        .transaction(() => {
          this.stmt.insertReport.run(
            record.id,
            record.groupId,
            record.title,
            record.template,
            record.createdAt,
            record.updatedAt,
          );
          this.stmt.insertUpdate.run(record.id, initialUpdate);
        })
        .immediate();
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
                update: view(snap.snapshot),
                stateVector: view(snap.state_vector),
              }
            : null,
          updates: rows.map((r) => view(r.data)),
          lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
          clientBindings: new Map(
            (this.stmt.bindings.all(id) as Array<{ client_id: number; user_id: string }>).map(
              (b) => [b.client_id, b.user_id],
            ),
          ),
        };
      })(),
    );
  }

  appendUpdate(reportId: string, update: Uint8Array, binding?: ClientBinding): Promise<number> {
    if (this.closed) return Promise.reject(new StorageError('appendUpdate: storage is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ reportId, data: update, binding, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commits the queued appends as one transaction (group commit): whatever arrived since the last
   * batch. One batch at a time; whatever arrives meanwhile is the next.
   *
   * Where: a durable commit costs about 0.25 ms of fsync here. When updates are few (a room where
   * one person types), the main thread is the cheapest place: nothing else is waiting while it
   * commits, and a hand-off to another thread and back costs two wake-ups per batch, more CPU
   * than the commit itself, and adds delay before relay. When updates come one after another (a
   * busy room), a commit on the main thread would hold up the next ones, so the writer thread
   * (sqlite-writer.ts) commits while the main thread keeps reading, applying and gathering the
   * next batch. And a slow disk (fsync taking milliseconds) always sends batches to the thread.
   * 'auto' decides per batch: inline when the previous commit ended at least quietMs ago and
   * recent commits (smoothed) were quick; the thread otherwise.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight) return;
    const batch = this.queue;
    if (batch.length === 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
      return;
    }
    this.queue = [];
    if (this.commitsInline) {
      this.commitHere(batch);
      return;
    }
    const id = ++this.batchSeq;
    this.inFlight = { id, batch };
    const appends: WriterAppend[] = batch.map((a) => ({
      reportId: a.reportId,
      // A compact copy: a view into a larger socket buffer would clone the whole buffer.
      data: a.data.slice(),
      clientIds: a.binding ? [...a.binding.clientIds] : null,
      userId: a.binding?.userId ?? null,
    }));
    try {
      const writer = this.startWriter();
      // Keep the process alive while a commit is owed an answer; idle, the thread holds nothing.
      writer.ref();
      writer.postMessage(
        { id, appends } satisfies WriterBatch,
        appends.map((a) => a.data.buffer as ArrayBuffer),
      );
    } catch (err) {
      this.writerFailed(this.writer, err as Error);
    }
  }

  /** Will the next batch be committed on the main connection? */
  get commitsInline(): boolean {
    if (this.commits !== 'auto') return this.commits === 'inline';
    return (
      this.commitMs <= this.inlineCommitMaxMs &&
      performance.now() - this.lastCommitEnd >= this.quietMs
    );
  }

  private observeCommit(ms: number): void {
    this.commitMs = this.commitMs * (1 - COMMIT_TIME_WEIGHT) + ms * COMMIT_TIME_WEIGHT;
    this.lastCommitEnd = performance.now();
  }

  /** Commits a batch on the main connection, now. */
  private commitHere(batch: PendingAppend[]): void {
    this.appendInline ??= appendCommitter(this.db);
    const started = performance.now();
    let seqs: number[] | null = null;
    let failure: unknown = null;
    try {
      seqs = this.appendInline(
        batch.map((a) => ({
          reportId: a.reportId,
          data: a.data,
          clientIds: a.binding ? [...a.binding.clientIds] : null,
          userId: a.binding?.userId ?? null,
        })),
      );
    } catch (err) {
      failure = err;
    }
    this.observeCommit(performance.now() - started);
    if (seqs) {
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(seqs[i]!);
    } else {
      const error = new StorageError(
        `append of ${batch.length} update(s) failed: ${(failure as Error).message}`,
        { cause: failure },
      );
      for (const a of batch) a.reject(error);
    }
    // Nothing can have been queued meanwhile (one thread): this tells drain() waiters.
    this.flush();
    this.warmWriter();
  }

  /**
   * In 'auto', the writer thread is started in the background after the first inline commit, so
   * that the first batch that needs it (a burst, a slow fsync) does not wait for a thread to start
   * and load SQLite: tens of milliseconds on a busy machine (seen in tests/bench fanout:500, where
   * the first switch came mid-run). A storage that never commits an update never starts it.
   */
  private warmWriter(): void {
    if (this.commits !== 'auto' || this.writer || this.writerWarming) return;
    this.writerWarming = true;
    setImmediate(() => {
      this.writerWarming = false;
      if (!this.closed && !this.writer) this.startWriter();
    });
  }

  private startWriter(): Worker {
    if (this.writer) return this.writer;
    const init: WriterInit = { file: this.file, synchronous: this.synchronous };
    // From source (tests, tsx) the worker must load tsx itself: loader hooks do not reach
    // worker threads on Node 20. The build runs the compiled .js directly.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './sqlite-writer.ts' : './sqlite-writer.js', import.meta.url);
    const worker = fromSource
      ? new Worker(
          `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`,
          { eval: true, workerData: init },
        )
      : new Worker(url, { workerData: init });
    worker.unref();
    worker.on('message', (result: WriterResult) => this.writerAnswered(result));
    worker.on('error', (err) => this.writerFailed(worker, err));
    worker.on('exit', (code) => {
      if (this.writer === worker) this.writerFailed(worker, new Error(`writer exited (${code})`));
    });
    this.writer = worker;
    return worker;
  }

  private writerAnswered(result: WriterResult): void {
    const flight = this.inFlight;
    if (!flight || flight.id !== result.id) return;
    this.inFlight = null;
    this.writer?.unref();
    this.observeCommit(result.ms);
    if ('error' in result) {
      const error = new StorageError(
        `append of ${flight.batch.length} update(s) failed: ${result.error}`,
      );
      for (const a of flight.batch) a.reject(error);
    } else {
      for (let i = 0; i < flight.batch.length; i++) flight.batch[i]!.resolve(result.seqs[i]!);
    }
    this.flush();
  }

  /**
   * The writer thread died: its batch may or may not have committed, and nobody can tell the
   * clients it did, so it is refused (the clients keep the text and send it again; Yjs applies a
   * repeated update once). The next batch starts a new thread.
   */
  private writerFailed(worker: Worker | null, err: Error): void {
    if (worker !== this.writer) return;
    this.writer = null;
    void worker?.terminate();
    const flight = this.inFlight;
    this.inFlight = null;
    if (flight) {
      const error = new StorageError(
        `append of ${flight.batch.length} update(s) failed: ${err.message}`,
        {
          cause: err,
        },
      );
      for (const a of flight.batch) a.reject(error);
    }
    this.flush();
  }

  /** Resolves when every append made so far has been answered. */
  private drain(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      if (!this.flushScheduled && !this.inFlight) this.flush();
    });
  }

  compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    return this.guard('compact', () => {
      this.db
        .transaction(() => {
          this.stmt.upsertSnapshot.run(reportId, snapshot.update, snapshot.stateVector, throughSeq);
          this.stmt.dropUpdates.run(reportId, throughSeq);
        })
        .immediate();
    });
  }

  // --- accounts, groups, sessions, invitations, audit ---

  private writeAudit(e: AuditEvent): void {
    this.stmt.audit.run({ ...e, detail: e.detail ? JSON.stringify(e.detail) : null });
  }

  private tx<T>(what: string, fn: () => T): Promise<T> {
    return this.guardKeepingConflicts(what, () => this.db.transaction(fn).immediate());
  }

  /** Like guard, but a ConflictError (a failed precondition, not a fault) passes through as is. */
  private guardKeepingConflicts<T>(what: string, fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError(`${what}: storage is closed`));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof ConflictError) return Promise.reject(err);
      return Promise.reject(
        new StorageError(`${what} failed: ${(err as Error).message}`, { cause: err }),
      );
    }
  }

  /**
   * A prepared statement for `sql`, compiled once: preparing costs more than running most of our
   * queries (a sync upgrade runs four). Bounded, in case a caller ever builds SQL with a varying
   * shape (an IN list of varying length).
   */
  private prepared(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= 500) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.prepared(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.prepared(sql).all(...params) as T[];
  }

  private insertUser(u: UserRecord): void {
    if (this.one('SELECT 1 FROM users WHERE email = ?', u.email)) {
      throw new ConflictError('email-taken', 'An account with this email already exists.');
    }
    this.db
      .prepare(
        'INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(u.id, u.email, u.displayName, u.passwordHash, u.createdAt);
  }

  private insertMember(m: MemberRecord): void {
    this.db
      .prepare(
        `INSERT INTO memberships (group_id, user_id, role, represents, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(group_id, user_id) DO UPDATE SET role = excluded.role, represents = excluded.represents`,
      )
      .run(m.groupId, m.userId, m.role, m.represents, m.createdAt);
  }

  countUsers(): Promise<number> {
    return this.guard(
      'countUsers',
      () => this.one<{ n: number }>('SELECT count(*) AS n FROM users')!.n,
    );
  }

  getUserByEmail(email: string): Promise<UserRecord | null> {
    return this.guard('getUserByEmail', () =>
      toUser(this.one('SELECT * FROM users WHERE email = ?', email.toLowerCase())),
    );
  }

  getUser(id: string): Promise<UserRecord | null> {
    return this.guard('getUser', () => toUser(this.one('SELECT * FROM users WHERE id = ?', id)));
  }

  createUser(user: UserRecord, membership: MemberRecord | null, audit: AuditEvent): Promise<void> {
    return this.tx('createUser', () => {
      this.insertUser(user);
      if (membership) this.insertMember(membership);
      this.writeAudit(audit);
    });
  }

  setPassword(
    userId: string,
    passwordHash: string,
    keepSession: string | null,
    audit: AuditEvent,
  ): Promise<void> {
    return this.tx('setPassword', () => {
      this.prepared('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
      this.db
        .prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?')
        .run(userId, keepSession);
      this.writeAudit(audit);
    });
  }

  createGroup(group: GroupRecord, audit: AuditEvent): Promise<void> {
    return this.tx('createGroup', () => {
      this.db
        .prepare('INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)')
        .run(group.id, group.name, group.createdAt);
      this.writeAudit(audit);
    });
  }

  getGroup(id: string): Promise<GroupRecord | null> {
    return this.guard('getGroup', () => toGroup(this.one('SELECT * FROM groups WHERE id = ?', id)));
  }

  listGroups(): Promise<GroupRecord[]> {
    return this.guard('listGroups', () =>
      this.all<{ id: string; name: string; created_at: string }>(
        'SELECT * FROM groups ORDER BY name',
      ).map((r) => toGroup(r)!),
    );
  }

  setupFirstChair(user: UserRecord, group: GroupRecord, audit: AuditEvent): Promise<void> {
    return this.tx('setupFirstChair', () => {
      if (this.one('SELECT 1 FROM users LIMIT 1')) {
        throw new ConflictError(
          'setup-done',
          'Concord is already set up; ask a chair for an invitation.',
        );
      }
      this.insertUser(user);
      this.db
        .prepare('INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)')
        .run(group.id, group.name, group.createdAt);
      this.insertMember({
        groupId: group.id,
        userId: user.id,
        role: 'chair',
        represents: null,
        createdAt: user.createdAt,
      });
      this.prepared('UPDATE reports SET group_id = ? WHERE group_id IS NULL').run(group.id);
      this.writeAudit(audit);
    });
  }

  getMembership(groupId: string, userId: string): Promise<MemberRecord | null> {
    return this.guard('getMembership', () =>
      toMember(
        this.one('SELECT * FROM memberships WHERE group_id = ? AND user_id = ?', groupId, userId),
      ),
    );
  }

  listMemberships(userId: string): Promise<Array<{ group: GroupRecord; member: MemberRecord }>> {
    return this.guard('listMemberships', () =>
      this.all<MemberRow & { name: string; group_created_at: string }>(
        `SELECT m.*, g.name, g.created_at AS group_created_at FROM memberships m
         JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.name`,
        userId,
      ).map((r) => ({
        group: { id: r.group_id, name: r.name, createdAt: r.group_created_at },
        member: toMember(r)!,
      })),
    );
  }

  listMembers(groupId: string): Promise<MemberView[]> {
    return this.guard('listMembers', () =>
      this.all<MemberRow & { email: string; display_name: string }>(
        `SELECT m.*, u.email, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.group_id = ? ORDER BY u.display_name`,
        groupId,
      ).map((r) => ({ ...toMember(r)!, email: r.email, displayName: r.display_name })),
    );
  }

  addMember(member: MemberRecord, audit: AuditEvent): Promise<void> {
    return this.tx('addMember', () => {
      const before = toMember(
        this.one(
          'SELECT * FROM memberships WHERE group_id = ? AND user_id = ?',
          member.groupId,
          member.userId,
        ),
      );
      if (before?.role === 'chair' && member.role !== 'chair')
        this.assertNotLastChair(member.groupId, member.userId);
      this.insertMember(member);
      this.writeAudit(audit);
    });
  }

  private assertNotLastChair(groupId: string, userId: string): void {
    const chairs = this.all<{ user_id: string }>(
      "SELECT user_id FROM memberships WHERE group_id = ? AND role = 'chair'",
      groupId,
    );
    if (chairs.length === 1 && chairs[0]!.user_id === userId) {
      throw new ConflictError('last-chair', 'A group must keep at least one chair.');
    }
  }

  updateMember(
    groupId: string,
    userId: string,
    change: { role: MemberRecord['role']; represents: string | null },
    audit: AuditEvent,
  ): Promise<MemberRecord> {
    return this.tx('updateMember', () => {
      const before = toMember(
        this.one('SELECT * FROM memberships WHERE group_id = ? AND user_id = ?', groupId, userId),
      );
      if (!before) throw new ConflictError('not-found', 'No such member.');
      if (before.role === 'chair' && change.role !== 'chair')
        this.assertNotLastChair(groupId, userId);
      this.db
        .prepare(
          'UPDATE memberships SET role = ?, represents = ? WHERE group_id = ? AND user_id = ?',
        )
        .run(change.role, change.represents, groupId, userId);
      this.writeAudit(audit);
      return before;
    });
  }

  removeMember(groupId: string, userId: string, audit: AuditEvent): Promise<MemberRecord> {
    return this.tx('removeMember', () => {
      const before = toMember(
        this.one('SELECT * FROM memberships WHERE group_id = ? AND user_id = ?', groupId, userId),
      );
      if (!before) throw new ConflictError('not-found', 'No such member.');
      if (before.role === 'chair') this.assertNotLastChair(groupId, userId);
      this.db
        .prepare('DELETE FROM memberships WHERE group_id = ? AND user_id = ?')
        .run(groupId, userId);
      this.writeAudit(audit);
      return before;
    });
  }

  createInvitation(inv: InvitationRecord, audit: AuditEvent): Promise<void> {
    return this.tx('createInvitation', () => {
      this.db
        .prepare(
          `INSERT INTO invitations (token_hash, group_id, role, represents, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          inv.tokenHash,
          inv.groupId,
          inv.role,
          inv.represents,
          inv.createdBy,
          inv.createdAt,
          inv.expiresAt,
        );
      this.writeAudit(audit);
    });
  }

  getInvitation(tokenHash: string): Promise<InvitationRecord | null> {
    return this.guard('getInvitation', () =>
      toInvitation(this.one('SELECT * FROM invitations WHERE token_hash = ?', tokenHash)),
    );
  }

  acceptInvitation(
    tokenHash: string,
    user: UserRecord,
    now: number,
    audit: AuditEvent,
  ): Promise<MemberRecord> {
    return this.tx('acceptInvitation', () => {
      const inv = toInvitation(
        this.one('SELECT * FROM invitations WHERE token_hash = ?', tokenHash),
      );
      if (!inv) throw new ConflictError('invitation-unknown', 'This invitation link is not valid.');
      if (inv.acceptedAt !== null)
        throw new ConflictError('invitation-used', 'This invitation has already been used.');
      if (inv.expiresAt <= now)
        throw new ConflictError('invitation-expired', 'This invitation has expired.');
      this.insertUser(user);
      const member: MemberRecord = {
        groupId: inv.groupId,
        userId: user.id,
        role: inv.role,
        represents: inv.represents,
        createdAt: new Date(now).toISOString(),
      };
      this.insertMember(member);
      this.db
        .prepare(
          'UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE token_hash = ? AND accepted_at IS NULL',
        )
        .run(now, user.id, tokenHash);
      this.writeAudit(audit);
      return member;
    });
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.guard('createSession', () => {
      this.db
        .prepare(
          'INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
        )
        .run(session.tokenHash, session.userId, session.createdAt, session.lastSeenAt);
    });
  }

  getSession(tokenHash: string): Promise<SessionRecord | null> {
    return this.guard('getSession', () => {
      const r = this.one<{
        token_hash: string;
        user_id: string;
        created_at: number;
        last_seen_at: number;
      }>('SELECT * FROM sessions WHERE token_hash = ?', tokenHash);
      return r
        ? {
            tokenHash: r.token_hash,
            userId: r.user_id,
            createdAt: r.created_at,
            lastSeenAt: r.last_seen_at,
          }
        : null;
    });
  }

  touchSession(tokenHash: string, at: number): Promise<void> {
    return this.guard('touchSession', () => {
      this.db
        .prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?')
        .run(at, tokenHash);
    });
  }

  deleteSession(tokenHash: string): Promise<void> {
    return this.guard('deleteSession', () => {
      this.prepared('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
    });
  }

  deleteSessionsOf(userId: string, except: string | null): Promise<void> {
    return this.guard('deleteSessionsOf', () => {
      this.db
        .prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?')
        .run(userId, except);
    });
  }

  appendAudit(event: AuditEvent): Promise<void> {
    return this.guard('appendAudit', () => this.writeAudit(event));
  }

  listAudit(
    groupId: string,
    options: { limit: number; beforeId?: number },
  ): Promise<AuditRecord[]> {
    // The group's own events, and the account events (logins, password changes) of its members.
    return this.guard('listAudit', () =>
      this.all<AuditRow>(
        `SELECT * FROM audit_log WHERE id < @before AND (
           group_id = @g OR (group_id IS NULL AND (
             actor_id IN (SELECT user_id FROM memberships WHERE group_id = @g)
             OR target IN (SELECT user_id FROM memberships WHERE group_id = @g)
             OR target IN (SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.group_id = @g))))
         ORDER BY id DESC LIMIT @limit`,
        { g: groupId, before: options.beforeId ?? Number.MAX_SAFE_INTEGER, limit: options.limit },
      ).map(toAudit),
    );
  }

  listReportsForUser(userId: string): Promise<ReportRecord[]> {
    return this.guard('listReportsForUser', () =>
      this.all<ReportRow>(
        `SELECT r.* FROM reports r JOIN memberships m ON m.group_id = r.group_id
         WHERE m.user_id = ? ORDER BY r.updated_at DESC, r.id`,
        userId,
      ).map(toRecord),
    );
  }

  // --- comment threads ---

  private readThread(id: string): ThreadView | null {
    const row = this.one<ThreadRow>('SELECT * FROM threads WHERE id = ?', id);
    if (!row) return null;
    return toThreadView(
      row,
      this.all<MessageRow>(
        'SELECT * FROM thread_messages WHERE thread_id = ? ORDER BY created_at, rowid',
        id,
      ),
    );
  }

  private insertMessage(threadId: string, m: ThreadCommand & { type: 'open' | 'reply' }): void {
    const msg = m.message;
    this.db
      .prepare(
        `INSERT INTO thread_messages (id, thread_id, author_id, author, body, mentions, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        msg.id,
        threadId,
        msg.author.id,
        JSON.stringify(msg.author),
        msg.body,
        JSON.stringify(msg.mentions),
        msg.at,
      );
    this.db
      .prepare(
        'INSERT INTO thread_idempotency (user_id, key, thread_id, message_id) VALUES (?, ?, ?, ?)',
      )
      .run(msg.author.id, m.idempotencyKey, threadId, msg.id);
  }

  private threadOfMessage(messageId: string): string {
    const r = this.one<{ thread_id: string }>(
      'SELECT thread_id FROM thread_messages WHERE id = ?',
      messageId,
    );
    if (!r) throw new ConflictError('not-found', 'No such message.');
    return r.thread_id;
  }

  /**
   * A deleted message also leaves the events already stored (a client catching up from an old
   * seq must not see what was deleted). The words stay in thread_messages.
   */
  private scrubEvents(threadId: string, messageId: string): void {
    const rows = this.all<{ report_id: string; seq: number; payload: string }>(
      'SELECT report_id, seq, payload FROM report_events WHERE thread_id = ?',
      threadId,
    );
    const update = this.prepared(
      'UPDATE report_events SET payload = ? WHERE report_id = ? AND seq = ?',
    );
    for (const r of rows) {
      const event = JSON.parse(r.payload) as { thread: ThreadView };
      let changed = false;
      event.thread.messages = event.thread.messages.map((m) => {
        if (m.id !== messageId || m.deleted) return m;
        changed = true;
        return { ...m, body: '', mentions: [], deleted: true };
      });
      if (changed) update.run(JSON.stringify(event), r.report_id, r.seq);
    }
  }

  applyThreadCommand(
    reportId: string,
    c: ThreadCommand,
    audit: AuditEvent,
    notify: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }>,
  ): Promise<ThreadCommandResult> {
    return this.tx('applyThreadCommand', () => {
      if (c.type === 'open' || c.type === 'reply') {
        const seen = this.one<{ thread_id: string }>(
          'SELECT thread_id FROM thread_idempotency WHERE user_id = ? AND key = ?',
          c.message.author.id,
          c.idempotencyKey,
        );
        if (seen) return { thread: this.readThread(seen.thread_id)!, created: false };
      }
      let threadId: string;
      let messageId: string | null = null;
      switch (c.type) {
        case 'open': {
          const t = c.thread;
          threadId = t.id;
          this.db
            .prepare(
              `INSERT INTO threads (id, report_id, paragraph_id, kind, visibility, delegation, quote,
                 proposal, status, author_id, author, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
            )
            .run(
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
            );
          this.insertMessage(threadId, c);
          messageId = c.message.id;
          break;
        }
        case 'reply':
          threadId = c.threadId;
          if (!this.one('SELECT 1 FROM threads WHERE id = ?', threadId))
            throw new ConflictError('not-found', 'No such thread.');
          this.insertMessage(threadId, c);
          messageId = c.message.id;
          break;
        case 'edit': {
          threadId = this.threadOfMessage(c.messageId);
          const before = this.one<{ body: string; deleted_at: string | null }>(
            'SELECT body, deleted_at FROM thread_messages WHERE id = ?',
            c.messageId,
          )!;
          if (before.deleted_at !== null)
            throw new ConflictError('not-found', 'This message was deleted.');
          this.db
            .prepare(
              'INSERT INTO thread_message_revisions (message_id, body, replaced_at) VALUES (?, ?, ?)',
            )
            .run(c.messageId, before.body, c.at);
          this.db
            .prepare('UPDATE thread_messages SET body = ?, edited_at = ? WHERE id = ?')
            .run(c.body, c.at, c.messageId);
          break;
        }
        case 'delete':
          threadId = this.threadOfMessage(c.messageId);
          // The words stay in storage (nothing said is lost); every view shows the message as deleted.
          this.db
            .prepare(
              'UPDATE thread_messages SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL',
            )
            .run(c.at, c.by, c.messageId);
          this.scrubEvents(threadId, c.messageId);
          break;
        case 'resolve':
          threadId = c.threadId;
          this.db
            .prepare(
              "UPDATE threads SET status = 'resolved', resolved_by = ?, resolved_at = ? WHERE id = ?",
            )
            .run(JSON.stringify(c.by), c.at, threadId);
          break;
        case 'reopen':
          threadId = c.threadId;
          this.db
            .prepare(
              "UPDATE threads SET status = 'open', resolved_by = NULL, resolved_at = NULL WHERE id = ?",
            )
            .run(threadId);
          break;
        case 'applied':
          threadId = c.threadId;
          this.db
            .prepare('UPDATE threads SET applied_by = ?, applied_at = ? WHERE id = ?')
            .run(JSON.stringify(c.by), c.at, threadId);
          break;
      }
      const seq = this.one<{ n: number }>(
        'SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM report_events WHERE report_id = ?',
        reportId,
      )!.n;
      this.prepared('UPDATE threads SET seq = ? WHERE id = ?').run(seq, threadId);
      const thread = this.readThread(threadId);
      if (!thread || thread.reportId !== reportId)
        throw new ConflictError('not-found', 'No such thread.');
      this.db
        .prepare(
          'INSERT INTO report_events (report_id, seq, thread_id, audience, payload) VALUES (?, ?, ?, ?, ?)',
        )
        .run(
          reportId,
          seq,
          threadId,
          audienceKey({ ...thread, authorId: thread.author.id }),
          JSON.stringify({ seq, type: 'thread', thread }),
        );
      if (messageId) {
        const add = this.prepared(
          `INSERT INTO inbox (user_id, message_id, thread_id, report_id, reason) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        );
        for (const n of notify) add.run(n.userId, messageId, threadId, reportId, n.reason);
      }
      this.writeAudit(audit);
      return { thread, created: true };
    });
  }

  getThread(id: string): Promise<ThreadView | null> {
    return this.guard('getThread', () => this.readThread(id));
  }

  getMessage(id: string): Promise<MessageRef | null> {
    return this.guard('getMessage', () => {
      const r = this.one<{ id: string; thread_id: string; author_id: string; deleted_at: string }>(
        'SELECT id, thread_id, author_id, deleted_at FROM thread_messages WHERE id = ?',
        id,
      );
      return r
        ? { id: r.id, threadId: r.thread_id, authorId: r.author_id, deleted: r.deleted_at !== null }
        : null;
    });
  }

  listThreads(reportId: string): Promise<ThreadView[]> {
    return this.guard('listThreads', () => {
      const rows = this.all<ThreadRow>(
        'SELECT * FROM threads WHERE report_id = ? ORDER BY created_at, rowid',
        reportId,
      );
      const messages = this.all<MessageRow>(
        `SELECT m.* FROM thread_messages m JOIN threads t ON t.id = m.thread_id
         WHERE t.report_id = ? ORDER BY m.created_at, m.rowid`,
        reportId,
      );
      const byThread = new Map<string, MessageRow[]>();
      for (const m of messages) {
        const list = byThread.get(m.thread_id) ?? [];
        list.push(m);
        byThread.set(m.thread_id, list);
      }
      return rows.map((r) => toThreadView(r, byThread.get(r.id) ?? []));
    });
  }

  listEvents(reportId: string, afterSeq: number): Promise<StoredEvent[]> {
    return this.guard('listEvents', () =>
      this.all<StoredEvent>(
        'SELECT seq, audience, payload FROM report_events WHERE report_id = ? AND seq > ? ORDER BY seq',
        reportId,
        afterSeq,
      ),
    );
  }

  lastEventSeq(reportId: string): Promise<number> {
    return this.guard(
      'lastEventSeq',
      () =>
        this.one<{ n: number }>(
          'SELECT COALESCE(MAX(seq), 0) AS n FROM report_events WHERE report_id = ?',
          reportId,
        )!.n,
    );
  }

  listInbox(userId: string): Promise<StoredInboxItem[]> {
    return this.guard('listInbox', () =>
      this.all<{
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
         ORDER BY m.created_at DESC, m.rowid DESC, i.reason`,
        userId,
      ).map((r) => ({
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
      })),
    );
  }

  markInboxRead(userId: string, messageIds: readonly string[]): Promise<number> {
    return this.guard('markInboxRead', () => {
      const mark = this.prepared(
        'UPDATE inbox SET read = 1 WHERE user_id = ? AND message_id = ? AND read = 0',
      );
      let changed = 0;
      this.db
        .transaction(() => {
          for (const id of messageIds) changed += mark.run(userId, id).changes;
        })
        .immediate();
      return changed;
    });
  }

  markThreadRead(userId: string, threadId: string): Promise<void> {
    return this.guard('markThreadRead', () => {
      this.db
        .transaction(() => {
          this.db
            .prepare('UPDATE inbox SET read = 1 WHERE user_id = ? AND thread_id = ?')
            .run(userId, threadId);
          // The marker never goes back (a late, older read does not undo a newer one).
          this.db
            .prepare(
              `INSERT INTO thread_reads (user_id, thread_id, report_id, seq, last_message_at)
             SELECT ?, t.id, t.report_id, t.seq,
                    COALESCE((SELECT MAX(created_at) FROM thread_messages WHERE thread_id = t.id), '')
             FROM threads t WHERE t.id = ?
             ON CONFLICT (user_id, thread_id) DO UPDATE SET
               seq = MAX(seq, excluded.seq),
               last_message_at = MAX(last_message_at, excluded.last_message_at)`,
            )
            .run(userId, threadId);
        })
        .immediate();
    });
  }

  listThreadReads(userId: string, reportId: string): Promise<Map<string, ReadMarker>> {
    return this.guard('listThreadReads', () => {
      const rows = this.all<{ thread_id: string; seq: number; last_message_at: string }>(
        'SELECT thread_id, seq, last_message_at FROM thread_reads WHERE user_id = ? AND report_id = ?',
        userId,
        reportId,
      );
      return new Map(
        rows.map((r) => [r.thread_id, { seq: r.seq, lastMessageAt: r.last_message_at }]),
      );
    });
  }

  // --- consensus (server/storage/sqlite-consensus.ts) ---

  applyConsensusCommand(
    reportId: string,
    command: ConsensusCommand,
    audit: AuditEvent,
  ): Promise<ConsensusCommandResult> {
    // IMMEDIATE: takes the write lock first (waiting up to busy_timeout), so the update writer
    // thread committing meanwhile cannot make this read-then-write transaction fail (BUSY_SNAPSHOT).
    return this.guardKeepingConflicts('applyConsensusCommand', () =>
      this.db.transaction(() => this.consensus.apply(reportId, command, audit)).immediate(),
    );
  }

  getConsensus(reportId: string): Promise<ConsensusRecord> {
    return this.guard('getConsensus', () =>
      this.db.transaction(() => this.consensus.read(reportId))(),
    );
  }

  getParagraphHistory(reportId: string, paragraphId: string): Promise<ParagraphHistoryResponse> {
    return this.guard('getParagraphHistory', () => this.consensus.history(reportId, paragraphId));
  }

  getSilence(id: string): Promise<SilenceView | null> {
    return this.guard('getSilence', () => this.consensus.silence(id));
  }

  listRunningSilences(): Promise<SilenceView[]> {
    return this.guard('listRunningSilences', () => this.consensus.running());
  }

  lockedParagraphIds(reportId: string): Promise<Set<string>> {
    return this.guard('lockedParagraphIds', () => this.consensus.locked(reportId));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    const writer = this.writer;
    this.writer = null;
    if (writer) {
      const exited = new Promise((resolve) => writer.once('exit', resolve));
      writer.ref();
      writer.postMessage({ close: true });
      await exited;
    }
    this.db.close();
  }
}
