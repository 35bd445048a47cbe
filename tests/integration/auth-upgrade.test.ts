/**
 * The sync socket is authorized before the upgrade: no session → 401, a foreign Origin → 403, a
 * user who is not a member of the report's group → 403, an unknown or invalid report id → 404.
 * A refused upgrade loads nothing and creates nothing. An allowed Origin (and none, for a
 * non-browser client) opens and syncs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { REPORT_ID_RE } from '../../shared/protocol.js';
import { closeAll, connectSynced, outsider, tryUpgrade } from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let expert: TestUser;

before(async () => {
  server = await startTestServer();
  reportId = (await server.createReport('Upgrade')).id;
  expert = await server.addUser('expert', 'Brazil');
});

after(async () => {
  closeAll();
  await server?.close();
});

const unknownId = 'abcdefghij012345';
assert.ok(REPORT_ID_RE.test(unknownId));

/**
 * Tries an upgrade that must be refused with `status` and checks that nothing was loaded or
 * created by it.
 */
async function refused(path: string, headers: Record<string, string>, status: number) {
  const loads = server.app.registry.loads;
  const result = await tryUpgrade(`${server.wsUrl}/${path}`, headers);
  assert.equal(result.status, status, `upgrade of /sync/${path}: ${result.body ?? 'opened'}`);
  const body = JSON.parse(result.body!) as { statusCode: number; message: string };
  assert.equal(body.statusCode, status);
  assert.ok(body.message.length > 0);
  assert.equal(server.app.registry.loads, loads, 'a refused upgrade loaded a report');
  assert.equal(server.app.registry.openCount, 0, 'a refused upgrade left a report open');
  assert.equal(server.app.peers.countUser(expert.id), 0);
}

describe('refused upgrades load and create nothing', () => {
  test('no session cookie → 401 (also for an unknown report: no probing)', async () => {
    await refused(reportId, {}, 401);
    await refused(unknownId, {}, 401);
    await refused(reportId, { cookie: 'concord_session=not-a-real-session-token-0000' }, 401);
  });

  test('a foreign Origin → 403, even with a valid session', async () => {
    for (const origin of [
      'https://evil.example',
      'https://concord.example.evil.com',
      `${server.baseUrl}.evil.com`,
      'null',
    ]) {
      await refused(reportId, { cookie: expert.cookie, origin }, 403);
    }
  });

  test('a user of another group → 403', async () => {
    const stranger = await outsider(server, 'chair');
    await refused(reportId, { cookie: stranger.cookie }, 403);
    await refused(reportId, { cookie: stranger.cookie, origin: server.baseUrl }, 403);
  });

  test('an unknown report id → 404, and the report is still unknown afterwards', async () => {
    await refused(unknownId, { cookie: expert.cookie }, 404);
    assert.equal(await server.app.storage.getReport(unknownId), null);
    const res = await server.request('GET', `/api/reports/${unknownId}`, { as: expert });
    assert.equal(res.status, 404);
  });

  test('an invalid report id → 404', async () => {
    for (const id of ['NOT-A-VALID-ID', 'abc', `${reportId}x`, '..%2F..%2Fetc', '%00']) {
      await refused(id, { cookie: expert.cookie }, 404);
    }
    assert.deepEqual(
      (await server.app.storage.listReports()).map((r) => r.id),
      [reportId],
      'no report was created',
    );
  });
});

describe('allowed upgrades', () => {
  test('the server’s own Origin opens, and the stock y-websocket client syncs', async () => {
    for (const origin of [server.baseUrl, server.baseUrl.replace('127.0.0.1', 'localhost')]) {
      const result = await tryUpgrade(`${server.wsUrl}/${reportId}`, {
        cookie: expert.cookie,
        origin,
      });
      assert.equal(result.status, 101, `origin ${origin}: ${result.body}`);
    }
    const client = await connectSynced(server, expert, reportId, {
      headers: { origin: server.baseUrl },
    });
    assert.ok(client.provider.synced);
    assert.equal(server.app.registry.openCount, 1);
  });

  test('no Origin (a non-browser client) opens', async () => {
    const result = await tryUpgrade(`${server.wsUrl}/${reportId}`, { cookie: expert.cookie });
    assert.equal(result.status, 101);
  });
});

describe('with CONCORD_PUBLIC_URL=https://concord.example', () => {
  let https: TestServer;
  let id: string;
  before(async () => {
    https = await startTestServer({ config: { publicUrl: 'https://concord.example' } });
    id = (await https.createReport('Public')).id;
  });
  after(async () => {
    await https?.close();
  });

  test('exactly the public origin opens; look-alikes are refused with 403', async () => {
    const url = `${https.wsUrl}/${id}`;
    const cookie = https.chair.cookie;
    assert.match(cookie, /^__Host-/);
    const ok = await tryUpgrade(url, { cookie, origin: 'https://concord.example' });
    assert.equal(ok.status, 101, ok.body);
    // The accepted socket's load runs on its own time (longer on PostgreSQL): let it finish, so
    // that the count below only moves if a refused upgrade loaded something.
    await waitFor(() => https.app.registry.loads === 1, 'the accepted socket to load the report');
    for (const origin of [
      'https://concord.example.evil.com',
      'https://evil.example',
      'http://concord.example',
      'https://concord.example:8443',
      'https://sub.concord.example',
    ]) {
      const loads = https.app.registry.loads;
      const result = await tryUpgrade(url, { cookie, origin });
      assert.equal(result.status, 403, `origin ${origin}`);
      assert.equal(https.app.registry.loads, loads);
    }
  });
});
