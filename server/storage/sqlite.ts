/**
 * SQLite storage (better-sqlite3): WAL, synchronous=FULL by default, group commit. The domain
 * stores' SQL runs on the main connection (sqlite-db.ts); this file is the engine and its hot
 * path, the appends of document updates.
 *
 * Appends are queued and written together in one transaction at the next turn of the event
 * loop, so N edits arriving together cost one fsync instead of N. A batch that fails to commit
 * rejects every append in it and writes none of them. One batch is committed at a time, under
 * the same write lock as the main connection's transactions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SqliteSynchronous } from '../config.js';
import { pending } from './migrate.js';
import { lastOfReport } from './sql.js';
import { SqlStorage } from './sql-storage.js';
import { type AppendRow, appendCommitter } from './sqlite-append.js';
import { SqliteDb } from './sqlite-db.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import type { WriterAppend, WriterBatch, WriterInit, WriterResult } from './sqlite-writer.js';
import { type Appended, type ClientBinding, StorageError } from './types.js';

interface PendingAppend {
  reportId: string;
  seq: number;
  data: Uint8Array;
  binding: ClientBinding | undefined;
  resolve(result: Appended): void;
  reject(err: Error): void;
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
  /** Tests: the writer thread holds each commit open this much longer (a slow disk). */
  slowWriterMs?: number;
}

/** Weight of the latest commit in the smoothed commit time ('auto'). */
const COMMIT_TIME_WEIGHT = 0.3;

export const SQLITE_FILE = 'concord.sqlite';

/** Opens (creating) the database file and brings its schema up to date. */
function openFile(file: string, synchronous: SqliteSynchronous): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    // Only another process (the CLI) can hold the write lock while we want it: our own writer
    // thread and transactions take turns under SqliteDb.write instead of waiting in here.
    db.pragma('busy_timeout = 5000');
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const m of pending('sqlite', SQLITE_MIGRATIONS, current)) {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export class SqliteStorage extends SqlStorage {
  readonly kind = 'sqlite';
  readonly file: string;
  private readonly sqlite: SqliteDb;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  /** A flush waits for the write lock (a transaction on the main connection holds it). */
  private awaitingLock = false;
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
  private appendInline: ((appends: AppendRow[]) => void) | null = null;
  private batchSeq = 0;
  private drainWaiters: Array<() => void> = [];
  private readonly synchronous: SqliteSynchronous;
  private readonly slowWriterMs: number;
  private closed = false;

  constructor(options: SqliteStorageOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, SQLITE_FILE);
    const synchronous = options.synchronous ?? 'FULL';
    const sqlite = new SqliteDb(openFile(file, synchronous));
    super(sqlite);
    this.sqlite = sqlite;
    this.file = file;
    this.synchronous = synchronous;
    this.commits = options.commits ?? 'auto';
    this.inlineCommitMaxMs = options.inlineCommitMaxMs ?? 2;
    this.quietMs = options.quietMs ?? 20;
    this.slowWriterMs = options.slowWriterMs ?? 0;
  }

  /** The schema version of the file (PRAGMA user_version). */
  get schemaVersion(): number {
    return this.sqlite.raw.pragma('user_version', { simple: true }) as number;
  }

  appendUpdate(
    reportId: string,
    seq: number,
    update: Uint8Array,
    binding?: ClientBinding,
  ): Promise<Appended> {
    if (this.closed) return Promise.reject(new StorageError('appendUpdate: storage is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ reportId, seq, data: update, binding, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commits the queued appends as one transaction (group commit): whatever arrived since the last
   * batch. One batch at a time, under the write lock; whatever arrives meanwhile is the next.
   *
   * Where: a durable commit costs about 0.25 ms of fsync here. When updates are few (a room where
   * one person types), the main thread is the cheapest place: nothing else is waiting while it
   * commits, and a hand-off to another thread and back costs two wake-ups per batch, more CPU
   * than the commit itself, and adds delay before the broadcast. When updates come one after another (a
   * busy room), a commit on the main thread would hold up the next ones, so the writer thread
   * (sqlite-writer.ts) commits while the main thread keeps reading, applying and gathering the
   * next batch. And a slow disk (fsync taking milliseconds) always sends batches to the thread.
   * 'auto' decides per batch: inline when the previous commit ended at least quietMs ago and
   * recent commits (smoothed) were quick; the thread otherwise.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight || this.awaitingLock) return;
    if (this.queue.length === 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
      return;
    }
    if (this.sqlite.write.tryAcquire()) {
      this.commitQueued();
      return;
    }
    // A transaction on the main connection holds the write lock: the batch goes right after it.
    this.awaitingLock = true;
    void this.sqlite.write.acquire().then(() => {
      this.awaitingLock = false;
      this.commitQueued();
    });
  }

  /** Commits the queue as one batch; called holding the write lock, which the commit releases. */
  private commitQueued(): void {
    const batch = this.queue;
    this.queue = [];
    if (this.commitsInline && this.sqlite.connection.tryAcquire()) {
      this.commitHere(batch);
      return;
    }
    const id = ++this.batchSeq;
    this.inFlight = { id, batch };
    const appends: WriterAppend[] = batch.map((a) => ({
      reportId: a.reportId,
      seq: a.seq,
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

  /** Answers every append of a committed batch (in order) or rejects them all. */
  private settle(batch: PendingAppend[], failure: unknown | null): void {
    if (failure === null) {
      const last = lastOfReport(batch);
      for (let i = 0; i < batch.length; i++)
        batch[i]!.resolve({ seq: batch[i]!.seq, lastOfCommit: last[i]! });
      return;
    }
    const message = failure instanceof Error ? failure.message : String(failure);
    const error = new StorageError(`append of ${batch.length} update(s) failed: ${message}`, {
      cause: failure,
    });
    for (const a of batch) a.reject(error);
  }

  /** Commits a batch on the main connection, now (holding the write and connection locks). */
  private commitHere(batch: PendingAppend[]): void {
    const started = performance.now();
    let failure: unknown = null;
    try {
      this.appendInline ??= appendCommitter(this.sqlite.raw);
      this.appendInline(batch.map(toRow));
    } catch (err) {
      failure = err;
    }
    this.observeCommit(performance.now() - started);
    this.sqlite.connection.release();
    this.sqlite.write.release();
    this.settle(batch, failure);
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
    const init: WriterInit = {
      file: this.file,
      synchronous: this.synchronous,
      slowCommitMs: this.slowWriterMs,
    };
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
    this.sqlite.write.release();
    this.settle(flight.batch, 'error' in result ? result.error : null);
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
      this.sqlite.write.release();
      this.settle(flight.batch, err);
    }
    this.flush();
  }

  /** Resolves when every append made so far has been answered. */
  private drain(): Promise<void> {
    if (!this.inFlight && !this.awaitingLock && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      if (!this.flushScheduled && !this.inFlight && !this.awaitingLock) this.flush();
    });
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
    await this.sqlite.close();
  }
}

function toRow(a: PendingAppend): AppendRow {
  return {
    reportId: a.reportId,
    seq: a.seq,
    data: a.data,
    clientIds: a.binding ? [...a.binding.clientIds] : null,
    userId: a.binding?.userId ?? null,
  };
}
