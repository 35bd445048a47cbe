/**
 * The storage engines tests run against. Contract suites run every engine; the integration
 * suite runs on the one CONCORD_TEST_ENGINE names (sqlite by default, postgres for the second
 * pass in `npm test`). PostgreSQL is the server on 127.0.0.1:5432 (CONCORD_TEST_POSTGRES_URL
 * overrides it), shared with other people: every test makes its own database, named
 * concord_test_<random>, and drops it afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStorage } from '../../server/storage/postgres.js';
import { SQLITE_FILE, SqliteStorage } from '../../server/storage/sqlite.js';
import type { Storage } from '../../server/storage/types.js';

export type TestEngine = 'sqlite' | 'postgres';

export const ENGINES: readonly TestEngine[] = ['sqlite', 'postgres'];

/** The engine of this run of the integration suite. */
export const TEST_ENGINE: TestEngine =
  process.env['CONCORD_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';

const ADMIN_URL =
  process.env['CONCORD_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Test databases share this prefix (a run may drop whatever it left behind). */
export const TEST_DATABASE_PREFIX = process.env['CONCORD_TEST_DATABASE_PREFIX'] ?? 'concord_test_';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A URL of `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database of its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${crypto.randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return { name, url: databaseUrl(name), drop: () => dropTestDatabase(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  if (!name.startsWith(TEST_DATABASE_PREFIX)) throw new Error(`not a test database: ${name}`);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Drops every database whose name starts with `prefix` (the end of a test run). */
export async function dropTestDatabases(prefix: string): Promise<number> {
  if (!prefix.startsWith('concord_test_')) throw new Error(`refusing to drop ${prefix}*`);
  return admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const r of rows) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    return rows.length;
  });
}

const URL_FILE = 'postgres-url';

/**
 * The PostgreSQL database that stands for a test data directory: made on first use and recorded
 * in the directory, so a restart on the same directory finds the same data.
 */
export async function databaseForDataDir(dataDir: string): Promise<string> {
  const file = path.join(dataDir, URL_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await createTestDatabase();
  fs.writeFileSync(file, db.url);
  return db.url;
}

/** Opens `engine` on a fresh store; `close` also drops a PostgreSQL database. */
export async function openEngine(
  engine: TestEngine,
  dataDir: string,
): Promise<{ storage: Storage; url: string | null }> {
  if (engine === 'sqlite') return { storage: new SqliteStorage({ dataDir }), url: null };
  const url = await databaseForDataDir(dataDir);
  return { storage: await PostgresStorage.open({ url }), url };
}

/**
 * Makes every insert into `table` of a test data directory's store fail, as a full disk would
 * (a trigger added through a second connection); the returned function heals it.
 */
export async function injectInsertFault(
  dataDir: string,
  table: string,
  engine: TestEngine = TEST_ENGINE,
): Promise<() => Promise<void>> {
  if (engine === 'sqlite') {
    const db = new Database(path.join(dataDir, SQLITE_FILE));
    db.exec(
      `CREATE TRIGGER injected_fault BEFORE INSERT ON ${table}
       BEGIN SELECT RAISE(ABORT, 'injected fault: disk full'); END;`,
    );
    return async () => {
      db.exec('DROP TRIGGER injected_fault');
      db.close();
    };
  }
  const client = new pg.Client({ connectionString: await databaseForDataDir(dataDir) });
  await client.connect();
  await client.query(`CREATE OR REPLACE FUNCTION concord_injected_fault() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault: disk full'; END $$`);
  await client.query(
    `CREATE TRIGGER injected_fault BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION concord_injected_fault()`,
  );
  return async () => {
    await client.query(`DROP TRIGGER injected_fault ON ${table}`);
    await client.end();
  };
}
