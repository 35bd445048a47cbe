/**
 * The domain stores' SQL on SQLite's main connection (better-sqlite3, synchronous underneath).
 *
 * Two locks make every ordering explicit instead of relying on SQLite answering synchronously:
 * - `connection`: a transaction holds the main connection across its awaits; every other
 *   statement waits for it, so nothing runs inside someone else's transaction by accident.
 * - `write`: one writer at a time among the main connection's write transactions and the
 *   update batches (committed inline or by the writer thread, sqlite.ts). The main connection
 *   therefore never meets a lock held by our own writer thread, so it never sleeps in
 *   busy_timeout with the event loop stopped; only another process (the CLI) can make it wait.
 * Statements are prepared once and cached: preparing costs more than running most of ours.
 */
import type Database from 'better-sqlite3';
import { Mutex } from './mutex.js';
import type { Db, Dialect, Param, Sql, TxOptions } from './sql.js';
import { storageFailure } from './sql.js';

const SQLITE: Dialect = {
  engine: 'sqlite',
  insertionOrder: (alias) => `${alias}.rowid`,
};

/** Bound on cached statements, in case a caller ever builds SQL of varying shape. */
const MAX_STATEMENTS = 500;

export class SqliteDb implements Db {
  readonly dialect = SQLITE;
  readonly connection = new Mutex();
  readonly write = new Mutex();
  private readonly statements = new Map<string, Database.Statement>();
  /** On the connection, inside the open transaction. */
  private readonly inTx: Sql;

  constructor(readonly raw: Database.Database) {
    this.inTx = {
      dialect: SQLITE,
      one: (sql, params) => settle(() => this.prepared(sql).get(...(params ?? []))) as never,
      all: (sql, params) => settle(() => this.prepared(sql).all(...(params ?? []))) as never,
      run: (sql, params) => settle(() => this.prepared(sql).run(...(params ?? [])).changes),
    };
  }

  prepared(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      stmt = this.raw.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  one<T>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return this.outside(sql, (s) => s.get(...params) as T | undefined);
  }

  all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return this.outside(sql, (s) => s.all(...params) as T[]);
  }

  run(sql: string, params: readonly Param[] = []): Promise<number> {
    return this.outside(sql, (s) => s.run(...params).changes);
  }

  /** A statement outside any transaction: at once when nothing holds what it needs. */
  private async outside<T>(sql: string, fn: (s: Database.Statement) => T): Promise<T> {
    let stmt: Database.Statement;
    try {
      stmt = this.prepared(sql);
    } catch (err) {
      throw storageFailure('query', err);
    }
    const writes = !stmt.reader;
    if (writes) await this.write.acquire();
    // Free: run now (synchronously, so nothing can slip in). Held: queue behind the transaction.
    if (!this.connection.tryAcquire()) await this.connection.acquire();
    try {
      return fn(stmt);
    } catch (err) {
      throw storageFailure(writes ? 'write' : 'read', err);
    } finally {
      this.connection.release();
      if (writes) this.write.release();
    }
  }

  async tx<T>(what: string, fn: (q: Sql) => Promise<T>, options: TxOptions = {}): Promise<T> {
    const writes = !options.readOnly;
    if (writes) await this.write.acquire();
    await this.connection.acquire();
    try {
      // IMMEDIATE: the write lock is taken at BEGIN, so a read-then-write transaction never fails
      // half-way on a lock (BUSY_SNAPSHOT); a read-only one is a consistent snapshot.
      this.raw.exec(writes ? 'BEGIN IMMEDIATE' : 'BEGIN');
    } catch (err) {
      this.connection.release();
      if (writes) this.write.release();
      throw storageFailure(what, err);
    }
    try {
      const result = await fn(this.inTx);
      this.raw.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
      throw storageFailure(what, err);
    } finally {
      this.connection.release();
      if (writes) this.write.release();
    }
  }

  async ping(): Promise<void> {
    await this.one('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.write.idle();
    await this.connection.idle();
    this.raw.close();
  }
}

/** A synchronous result as a promise, a thrown error as a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
