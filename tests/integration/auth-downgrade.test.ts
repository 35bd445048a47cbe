/**
 * Changes to who someone is reach their open sockets at once (the bound: within 1 s):
 * a role change closes them with 4409 and the reconnect gets the new permissions; a removal closes
 * them with 4403 and the next upgrade is refused (403); a logout closes that session's sockets with
 * 4401; a password change closes the user's other sessions (4401) and keeps the current one.
 *
 * The provider reconnects as Concord's client does (every close but FATAL_CLOSE_CODES): the stock
 * y-websocket default stops on any 44xx, 4409 included.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { CloseCode } from '../../shared/protocol.js';
import {
  closeAll,
  connectSynced,
  newSession,
  type SyncClient,
  storedText,
  tryUpgrade,
  type,
  waitFor,
} from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The bound for a change to reach the user's sockets. */
const WITHIN_MS = 1000;

let server: TestServer;
let reportId: string;
let chair: SyncClient;

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Downgrade', 'blank')).id;
  chair = await connectSynced(server, server.chair, reportId);
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

/** Runs `action` and waits for `client`'s socket to close with `code`; returns the ms it took. */
async function closesWith(client: SyncClient, code: number, action: () => Promise<Response>) {
  const seen = client.closes.length;
  const started = Date.now();
  const res = await action();
  assert.ok(res.status < 300, `${res.status} ${await res.text()}`);
  await waitFor(() => client.closes.length > seen, `the socket to close with ${code}`, 5000);
  const took = Date.now() - started;
  assert.equal(client.closes[seen], code);
  assert.ok(took < WITHIN_MS, `closed ${took} ms after the request (bound: ${WITHIN_MS} ms)`);
  return took;
}

/** The chair writes `marker`; waits until `readers` have it. */
async function barrier(marker: string, readers: SyncClient[]) {
  type(chair, marker);
  for (const r of readers) await waitFor(() => r.text().includes(marker), `${marker} to arrive`);
}

test('expert → observer: the socket closes with 4409, the client reconnects, its writes are refused', async () => {
  const expert = await server.addUser('expert', 'Kenya');
  const other = await connectSynced(server, await server.addUser('expert'), reportId);
  const client = await connectSynced(server, expert, reportId);
  type(client, 'Written as an expert. ');
  await waitFor(() => other.text() === 'Written as an expert. ', 'the expert’s edit');

  await closesWith(client, CloseCode.RoleChanged, () =>
    server.request('PATCH', `/api/groups/${server.groupId}/members/${expert.id}`, {
      body: { role: 'observer', represents: 'Kenya' },
    }),
  );
  await waitFor(() => client.provider.synced && client.connects === 2, 'the reconnect');

  type(client, 'Written as an observer.');
  await waitFor(() => client.denied.length > 0, 'the permission-denied message');
  assert.deepEqual(client.denied, ['read-only']);
  await barrier('Chair.', [other, client]);
  assert.equal(other.text(), 'Written as an expert. Chair.');
  await waitFor(async () => (await storedText(server, reportId)).endsWith('Chair.'), 'storage');
  assert.equal(await storedText(server, reportId), 'Written as an expert. Chair.');
  assert.deepEqual(client.closes, [CloseCode.RoleChanged], 'closed again after the reconnect');
});

test('a change that is not a change (same role, same State) closes nothing', async () => {
  const expert = await server.addUser('expert', 'Chile');
  const client = await connectSynced(server, expert, reportId);
  const res = await server.request('PATCH', `/api/groups/${server.groupId}/members/${expert.id}`, {
    body: { role: 'expert', represents: 'Chile' },
  });
  assert.equal(res.status, 200);
  await barrier('Unchanged.', [client]);
  assert.deepEqual(client.closes, []);
});

test('removal: the socket closes with 4403 and the next upgrade is refused with 403', async () => {
  const expert = await server.addUser('expert', 'Ghana');
  const client = await connectSynced(server, expert, reportId);
  const second = await connectSynced(server, await newSession(server, expert), reportId);
  const bystander = await connectSynced(server, await server.addUser('expert'), reportId);

  await closesWith(client, CloseCode.Removed, () =>
    server.request('DELETE', `/api/groups/${server.groupId}/members/${expert.id}`),
  );
  await waitFor(() => second.closes.length > 0, 'the other session’s socket to close');
  assert.deepEqual(second.closes, [CloseCode.Removed]);
  // 4403 is fatal: the client does not come back.
  assert.equal(client.provider.shouldConnect, false);

  const result = await tryUpgrade(`${server.wsUrl}/${reportId}`, { cookie: expert.cookie });
  result.ws?.terminate();
  assert.equal(result.status, 403);
  const res = await server.request('GET', `/api/reports/${reportId}`, { as: expert });
  assert.equal(res.status, 404);
  await barrier('Still here.', [bystander]);
  assert.deepEqual(bystander.closes, []);
  assert.equal(server.app.peers.countUser(expert.id), 0);
});

test('logout closes that session’s sockets with 4401, and only those', async () => {
  const expert = await server.addUser('expert', 'Peru');
  const other = await newSession(server, expert);
  const a = await connectSynced(server, expert, reportId);
  const b = await connectSynced(server, other, reportId);

  await closesWith(a, CloseCode.SessionEnded, () =>
    server.request('POST', '/api/logout', { as: expert }),
  );
  assert.equal(a.provider.shouldConnect, false, '4401 is fatal: no reconnect');
  await barrier('After logout.', [b]);
  assert.deepEqual(b.closes, [], 'the other session was closed too');
  const refused = await tryUpgrade(`${server.wsUrl}/${reportId}`, { cookie: expert.cookie });
  refused.ws?.terminate();
  assert.equal(refused.status, 401);
  assert.equal((await server.request('GET', '/api/me', { as: expert })).status, 401);
  assert.equal((await server.request('GET', '/api/me', { as: other })).status, 200);
});

test('a password change closes the user’s other sessions (4401) and keeps the current one', async () => {
  const expert = await server.addUser('expert', 'Fiji');
  const current = expert;
  const otherSession = await newSession(server, expert);
  const a = await connectSynced(server, current, reportId);
  const b = await connectSynced(server, otherSession, reportId);

  await closesWith(b, CloseCode.SessionEnded, () =>
    server.request('POST', '/api/password', {
      as: current,
      body: { current: expert.password, next: 'a-brand-new-password' },
    }),
  );
  await barrier('After the password change.', [a]);
  assert.deepEqual(a.closes, [], 'the current session’s socket was closed');
  assert.equal((await server.request('GET', '/api/me', { as: otherSession })).status, 401);
  assert.equal((await server.request('GET', '/api/me', { as: current })).status, 200);
  const login = (password: string) =>
    server.request('POST', '/api/login', { as: null, body: { email: expert.email, password } });
  assert.equal((await login(expert.password)).status, 401);
  assert.equal((await login('a-brand-new-password')).status, 200);
});
