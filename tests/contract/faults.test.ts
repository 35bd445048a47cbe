/**
 * Contract: storage faults and schema versions, on every engine. A fault is a StorageError (the
 * HTTP layer answers 503 and nothing half-written remains); a database whose schema is newer
 * than this code refuses to open with a message saying so; a PostgreSQL that is unreachable, or
 * goes away, fails calls and readiness without crashing anything.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SchemaTooNewError } from '../../server/storage/migrate.js';
import { PostgresStorage } from '../../server/storage/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../server/storage/postgres-migrations.js';
import { SQLITE_FILE, SqliteStorage } from '../../server/storage/sqlite.js';
import { SQLITE_MIGRATIONS } from '../../server/storage/sqlite-migrations.js';
import { StorageError } from '../../server/storage/types.js';
import { createTestDatabase } from '../helpers/engines.js';
import { audit, contract, group, groupWithReport } from './harness.js';

contract('storage faults', (fresh, engine) => {
  test('a closed store refuses every call with a StorageError, appends included', async () => {
    const { storage } = await fresh();
    const { reportId } = await groupWithReport(storage);
    await storage.close();
    await assert.rejects(storage.getReport(reportId), StorageError);
    await assert.rejects(storage.ping(), StorageError);
    await assert.rejects(storage.createGroup(group(), audit('g')), StorageError);
    await assert.rejects(storage.appendUpdate(reportId, 2, new Uint8Array([0, 0])), StorageError);
    await assert.rejects(storage.loadDocument(reportId), StorageError);
  });

  test('a database newer than this code refuses to open, saying so', async () => {
    const { storage, dataDir } = await fresh();
    const known = engine === 'sqlite' ? SQLITE_MIGRATIONS.length : POSTGRES_MIGRATIONS.length;
    let reopen: () => Promise<unknown>;
    if (engine === 'sqlite') {
      await storage.close();
      const raw = new Database(path.join(dataDir, SQLITE_FILE));
      raw.pragma(`user_version = ${known + 3}`);
      raw.close();
      reopen = async () => new SqliteStorage({ dataDir });
    } else {
      const url = fs.readFileSync(path.join(dataDir, 'postgres-url'), 'utf8');
      await storage.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(
        "INSERT INTO concord_schema (version, name, applied_at) VALUES ($1, 'from the future', '2099-01-01')",
        [known + 3],
      );
      await client.end();
      reopen = () => PostgresStorage.open({ url });
    }
    await assert.rejects(reopen(), (err: unknown) => {
      assert.ok(err instanceof SchemaTooNewError, String(err));
      assert.equal(err.found, known + 3);
      assert.equal(err.known, known);
      assert.match(err.message, /newer than this Concord knows/);
      return true;
    });
  });

  if (engine === 'postgres') {
    test('an unreachable PostgreSQL: opening fails with the address, never the password', async () => {
      await assert.rejects(
        PostgresStorage.open({ url: 'postgres://concord:s3cret@127.0.0.1:1/concord' }),
        (err: unknown) => {
          assert.ok(err instanceof StorageError);
          assert.match(
            err.message,
            /PostgreSQL at postgres:\/\/concord:\*\*\*@127\.0\.0\.1:1\/concord/,
          );
          assert.doesNotMatch(err.message, /s3cret/);
          return true;
        },
      );
    });

    test('the database goes away: calls and readiness fail as StorageError, nothing crashes', async () => {
      const db = await createTestDatabase();
      const storage = await PostgresStorage.open({ url: db.url, onIdleError: () => {} });
      try {
        const { reportId } = await groupWithReport(storage);
        await storage.ping();
        await db.drop();
        await assert.rejects(storage.ping(), StorageError);
        await assert.rejects(storage.getReport(reportId), StorageError);
        await assert.rejects(
          storage.appendUpdate(reportId, 2, new Uint8Array([0, 0])),
          StorageError,
        );
        await assert.rejects(storage.createGroup(group(), audit('g')), StorageError);
      } finally {
        await storage.close();
      }
    });
  }

  if (engine === 'sqlite') {
    test('an unopenable data directory is a clear error at start', () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'concord-fault-')), 'not-a-dir');
      fs.writeFileSync(file, 'a file where the data directory should be');
      assert.throws(() => new SqliteStorage({ dataDir: file }), /EEXIST|ENOTDIR|not a directory/);
    });
  }
});
