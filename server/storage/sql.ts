/**
 * What the domain stores (server/<domain>/store.ts) need from an engine: run a statement, run a
 * transaction. Statements are written once, in the SQL both engines speak, with `?` placeholders;
 * the few places where the dialects differ ask `Sql.dialect`. SQLite (sqlite-db.ts) and
 * PostgreSQL (postgres-db.ts) implement it.
 */
import { ConflictError, StorageError } from './errors.js';

export type Engine = 'sqlite' | 'postgres';

/** A statement parameter: what both drivers bind the same way. */
export type Param = string | number | null | Uint8Array;

/** The spelling of what the dialects write differently. */
export interface Dialect {
  readonly engine: Engine;
  /** `alias.col` that orders a table's rows by insertion (SQLite's rowid, PostgreSQL's ord). */
  insertionOrder(alias: string): string;
}

/** Runs statements on one connection (inside a transaction) or on the engine's pool. */
export interface Sql {
  readonly dialect: Dialect;
  one<T>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly Param[]): Promise<T[]>;
  /** A statement that writes; resolves with how many rows it changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface TxOptions {
  /**
   * Serialises this transaction with every other one naming the same key (PostgreSQL: an
   * advisory lock held until commit). SQLite serialises every write transaction anyway.
   * Read-then-write transactions name what they read (`report:<id>`, `group:<id>`, `accounts`).
   */
  lock?: string;
  /** A consistent read of several tables, writing nothing. */
  readOnly?: boolean;
}

export interface Db extends Sql {
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Errors
   * come out as StorageError naming `what`, except ConflictError (a failed precondition), which
   * passes through as is.
   */
  tx<T>(what: string, fn: (q: Sql) => Promise<T>, options?: TxOptions): Promise<T>;
  /** Resolves when the engine answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A unique or primary-key violation (two writers raced for the same key). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A failure as callers see it: ConflictError and StorageError as they are, anything else wrapped. */
export function storageFailure(what: string, err: unknown): Error {
  if (err instanceof ConflictError || err instanceof StorageError) return err;
  return new StorageError(`${what} failed: ${(err as Error).message}`, { cause: err });
}

/**
 * The bytes of a blob as a plain Uint8Array, without copying them (`new Uint8Array(buffer)` would
 * copy: a whole document, megabytes, on every cold load).
 */
export function view(blob: Buffer): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}

/** For each append of a batch: is it its report's last in the batch? (Appended.lastOfCommit) */
export function lastOfReport(batch: ReadonlyArray<{ reportId: string }>): boolean[] {
  const last = new Map<string, number>();
  for (const [i, a] of batch.entries()) last.set(a.reportId, i);
  return batch.map((a, i) => last.get(a.reportId) === i);
}
