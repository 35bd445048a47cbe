/**
 * /readyz on PostgreSQL names the engine, and answers 503 when the database does not (here it is
 * dropped under the running server): the process stays up, /healthz stays 200, and an API call
 * is a 503 with a JSON message, not a crash.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
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
