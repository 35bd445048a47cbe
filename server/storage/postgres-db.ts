/**
 * The domain stores' SQL on PostgreSQL (node-postgres pool). Statements are written with `?`
 * placeholders (sql.ts) and numbered here once per distinct text; each runs as a named prepared
 * statement, so a connection parses and plans it once. Transactions run on one pooled connection;
 * `lock` takes a transaction-scoped advisory lock, so read-then-write transactions on the same
 * report or group run one after another across connections and processes (READ COMMITTED alone
 * would let two of them read the same state).
 */
import pg from 'pg';
import type { Db, Dialect, Param, Sql, TxOptions } from './sql.js';
import { storageFailure } from './sql.js';

const POSTGRES: Dialect = {
  engine: 'postgres',
  insertionOrder: (alias) => `${alias}.ord`,
};

const INT8_OID = 20;
const PING_TIMEOUT_MS = 2000;

/** bigint columns (counts, identities) as numbers: ours stay far below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

interface Prepared {
  name: string;
  text: string;
}

export interface PostgresDbOptions {
  url: string;
  /** Most connections the pool opens. */
  max?: number;
  /** Told about errors of idle connections (a restarted server): they must not crash us. */
  onIdleError?(err: Error): void;
}

export class PostgresDb implements Db {
  readonly dialect = POSTGRES;
  readonly pool: pg.Pool;
  private readonly statements = new Map<string, Prepared>();

  constructor(options: PostgresDbOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 10,
      types,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    this.pool.on('error', (err) => options.onIdleError?.(err));
  }

  /** `sql` with `?` numbered as $1, $2, … (our statements have no `?` inside literals). */
  prepare(sql: string): Prepared {
    let p = this.statements.get(sql);
    if (!p) {
      let n = 0;
      p = { name: `concord_${this.statements.size}`, text: sql.replace(/\?/g, () => `$${++n}`) };
      this.statements.set(sql, p);
    }
    return p;
  }

  private on(client: pg.Pool | pg.PoolClient): Sql {
    const query = async <T>(sql: string, params: readonly Param[] = []) => {
      const p = this.prepare(sql);
      return (await client.query({
        name: p.name,
        text: p.text,
        values: params.map(param),
      })) as pg.QueryResult<T & pg.QueryResultRow>;
    };
    return {
      dialect: POSTGRES,
      one: async <T>(sql: string, params?: readonly Param[]) =>
        (await query<T>(sql, params)).rows[0] as T | undefined,
      all: async <T>(sql: string, params?: readonly Param[]) =>
        (await query<T>(sql, params)).rows as T[],
      run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
    };
  }

  private readonly direct = this.on.bind(this);

  one<T>(sql: string, params?: readonly Param[]): Promise<T | undefined> {
    return this.direct(this.pool).one<T>(sql, params).catch(fail('read'));
  }

  all<T>(sql: string, params?: readonly Param[]): Promise<T[]> {
    return this.direct(this.pool).all<T>(sql, params).catch(fail('read'));
  }

  run(sql: string, params?: readonly Param[]): Promise<number> {
    return this.direct(this.pool).run(sql, params).catch(fail('write'));
  }

  async tx<T>(what: string, fn: (q: Sql) => Promise<T>, options: TxOptions = {}): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storageFailure(what, err);
    }
    let broken: Error | undefined;
    try {
      await client.query(
        options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
      );
      if (options.lock !== undefined)
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [options.lock]);
      const result = await fn(this.on(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is gone: it must not go back to the pool.
        broken = rollbackErr as Error;
      }
      throw storageFailure(what, err);
    } finally {
      client.release(broken);
    }
  }

  /** Readiness: PostgreSQL answers within PING_TIMEOUT_MS (a dead server would make us wait for the pool's connect timeout). */
  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.pool.query('SELECT 1 AS ok'), late]);
    } catch (err) {
      throw storageFailure('ping', err);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function param(p: Param): unknown {
  return p instanceof Uint8Array && !Buffer.isBuffer(p)
    ? Buffer.from(p.buffer, p.byteOffset, p.byteLength)
    : p;
}

function fail(what: string) {
  return (err: unknown): never => {
    throw storageFailure(what, err);
  };
}
