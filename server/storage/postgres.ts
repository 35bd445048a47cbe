/**
 * PostgreSQL storage (node-postgres): the domain stores' SQL on a pool (postgres-db.ts), and
 * the hot path, appends of document updates, with group commit.
 *
 * Appends are queued and written together at the next turn of the event loop as ONE statement
 * (data-modifying CTEs over unnest arrays: the updates, the client-id bindings, the reports'
 * updated_at), which PostgreSQL runs as one transaction: one round trip and one WAL flush for
 * the whole batch (synchronous_commit stays on, so a resolved append is on the server's disk).
 * One batch is in flight at a time; what arrives meanwhile is the next. A batch that fails rejects
 * every append in it and writes none of them, also when one seq is already taken (another
 * writer appended to the report).
 */
import { pending } from './migrate.js';
import { PostgresDb } from './postgres-db.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { lastOfReport } from './sql.js';
import { SqlStorage } from './sql-storage.js';
import { type Appended, type ClientBinding, StorageError } from './types.js';

interface PendingAppend {
  reportId: string;
  seq: number;
  data: Uint8Array;
  binding: ClientBinding | undefined;
  resolve(result: Appended): void;
  reject(err: Error): void;
}

const APPEND = `WITH updates AS (
    INSERT INTO report_updates (report_id, seq, data)
    SELECT * FROM unnest($1::text[], $2::int[], $3::bytea[])
  ), bindings AS (
    INSERT INTO client_bindings (report_id, client_id, user_id)
    SELECT * FROM unnest($4::text[], $5::bigint[], $6::text[])
    ON CONFLICT DO NOTHING
  )
  UPDATE reports SET updated_at = $7 WHERE id = ANY($8::text[])`;

export interface PostgresStorageOptions {
  url: string;
  /** Most connections the pool opens. */
  poolSize?: number;
  /** Errors of idle pooled connections (a restarted server); they never crash the process. */
  onIdleError?(err: Error): void;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Applies the pending migrations in one transaction, under an advisory lock (several processes may start at once). */
async function migrate(db: PostgresDb): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('concord:migrate', 0))");
    await client.query(
      'CREATE TABLE IF NOT EXISTS concord_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const { rows } = await client.query<{ v: number }>(
      'SELECT COALESCE(MAX(version), 0) AS v FROM concord_schema',
    );
    for (const m of pending('postgres', POSTGRES_MIGRATIONS, rows[0]!.v)) {
      await client.query(m.sql);
      await client.query(
        'INSERT INTO concord_schema (version, name, applied_at) VALUES ($1, $2, $3)',
        [m.version, m.name, new Date().toISOString()],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export class PostgresStorage extends SqlStorage {
  readonly kind = 'postgres';
  private readonly pg: PostgresDb;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private inFlight = false;
  private drainWaiters: Array<() => void> = [];
  private closed = false;

  /** Connects, brings the schema up to date, and returns the storage. */
  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const db = new PostgresDb({
      url: options.url,
      ...(options.poolSize ? { max: options.poolSize } : {}),
      ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
    });
    try {
      await migrate(db);
    } catch (err) {
      await db.close().catch(() => {});
      if (err instanceof StorageError) throw err;
      throw new StorageError(`PostgreSQL at ${redactUrl(options.url)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new PostgresStorage(db);
  }

  private constructor(db: PostgresDb) {
    super(db);
    this.pg = db;
  }

  /** The schema version recorded in concord_schema. */
  async schemaVersion(): Promise<number> {
    const row = await this.pg.one<{ v: number }>(
      'SELECT COALESCE(MAX(version), 0) AS v FROM concord_schema',
    );
    return row!.v;
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
      if (!this.flushScheduled && !this.inFlight) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight) return;
    const batch = this.queue;
    if (batch.length === 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
      return;
    }
    this.queue = [];
    this.inFlight = true;
    const bindReports: string[] = [];
    const bindClients: number[] = [];
    const bindUsers: string[] = [];
    for (const a of batch) {
      if (!a.binding) continue;
      for (const c of a.binding.clientIds) {
        bindReports.push(a.reportId);
        bindClients.push(c);
        bindUsers.push(a.binding.userId);
      }
    }
    this.pg.pool
      .query({
        name: 'concord_append',
        text: APPEND,
        values: [
          batch.map((a) => a.reportId),
          batch.map((a) => a.seq),
          batch.map((a) => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)),
          bindReports,
          bindClients,
          bindUsers,
          new Date().toISOString(),
          [...new Set(batch.map((a) => a.reportId))],
        ],
      })
      .then(
        () => {
          const last = lastOfReport(batch);
          for (let i = 0; i < batch.length; i++)
            batch[i]!.resolve({ seq: batch[i]!.seq, lastOfCommit: last[i]! });
        },
        (err: Error & { code?: string }) => {
          const why =
            err.code === '23505'
              ? 'a seq is already taken (another writer appended to the report)'
              : err.message;
          const error = new StorageError(`append of ${batch.length} update(s) failed: ${why}`, {
            cause: err,
          });
          for (const a of batch) a.reject(error);
        },
      )
      .finally(() => {
        this.inFlight = false;
        this.flush();
      });
  }

  /** Resolves when every append made so far has been answered. */
  private drain(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      if (!this.flushScheduled && !this.inFlight) this.flush();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    await this.pg.close();
  }
}
