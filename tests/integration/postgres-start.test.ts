/**
 * Starting on PostgreSQL: /readyz names the engine, and answers 503 when the database does not
 * (here it is dropped under the running server): the process stays up, /healthz stays 200, and an
 * API call is a 503 with a JSON message, not a crash. The real entry point (server/main.ts)
 * refuses a database whose schema is newer than the code, and an unreachable one, saying which.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStorage } from '../../server/storage/postgres.js';
import { createTestDatabase } from '../helpers/engines.js';
import { startTestServer, tempDir } from '../helpers/server.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

test('readiness names PostgreSQL and fails while it is gone', async () => {
  const db = await createTestDatabase();
  closers.push(() => db.drop());
  const server = await startTestServer({ dataDir: tempDir(), config: { databaseUrl: db.url } });
  closers.unshift(() => server.close());
  const ready = await fetch(`${server.baseUrl}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { storage: string }).storage, 'postgres');

  await db.drop();
  const down = await fetch(`${server.baseUrl}/readyz`);
  assert.equal(down.status, 503);
  const body = (await down.json()) as { status: string; storage: string; message: string };
  assert.equal(body.status, 'unavailable');
  assert.equal(body.storage, 'postgres');
  assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200, 'the process is alive');
  const api = await server.request('GET', '/api/reports');
  assert.ok(api.status === 503 || api.status === 401, `API answers ${api.status}`);
  assert.match(await api.text(), /"statusCode":(503|401)/);
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function start(databaseUrl: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...process.env, CONCORD_DATABASE_URL: databaseUrl, CONCORD_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, out }));
  });
}

test('npm start refuses a schema newer than the code, and an unreachable database, saying which', async () => {
  const db = await createTestDatabase();
  closers.push(() => db.drop());
  await (await PostgresStorage.open({ url: db.url })).close();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("INSERT INTO concord_schema VALUES (99, 'from the future', '2099-01-01')");
  await client.end();
  const newer = await start(db.url);
  assert.equal(newer.code, 1, newer.out);
  assert.match(
    newer.out,
    /Concord cannot start: the PostgreSQL database is at schema version 99, newer than this Concord knows/,
  );
  const unreachable = await start('postgres://concord:hunter2@127.0.0.1:1/concord');
  assert.equal(unreachable.code, 1, unreachable.out);
  assert.match(
    unreachable.out,
    /Concord cannot start: PostgreSQL at postgres:\/\/concord:\*\*\*@127\.0\.0\.1:1/,
  );
  assert.doesNotMatch(unreachable.out, /hunter2/);
});
