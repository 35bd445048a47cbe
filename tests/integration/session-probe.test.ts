/**
 * GET /api/session: how a page asks whether anyone is signed in. 200 either way (a logged-out
 * page logs no 401 in the browser), with the same account /api/me gives, or null for no cookie,
 * a forged one and a revoked session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newSession } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

test('signed in: the account /api/me gives; otherwise { me: null }, always 200', async () => {
  const expert = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const probe = await server.request('GET', '/api/session', { as: expert });
  assert.equal(probe.status, 200);
  const me = await server.request('GET', '/api/me', { as: expert });
  assert.deepEqual(await probe.json(), { me: await me.json() });

  const nobody = await server.request('GET', '/api/session', { as: null });
  assert.equal(nobody.status, 200);
  assert.deepEqual(await nobody.json(), { me: null });

  const forged = await server.request('GET', '/api/session', {
    as: { ...expert, cookie: `${expert.cookie.split('=')[0]}=forged-token` },
  });
  assert.equal(forged.status, 200);
  assert.deepEqual(await forged.json(), { me: null });

  const other = await newSession(server, expert);
  assert.equal((await server.request('POST', '/api/logout', { as: other })).status < 300, true);
  const revoked = await server.request('GET', '/api/session', { as: other });
  assert.equal(revoked.status, 200);
  assert.deepEqual(await revoked.json(), { me: null });
});
