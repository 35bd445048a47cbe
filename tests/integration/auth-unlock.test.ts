/**
 * A locked-out account: after too many wrong passwords the refusal says when to try again, and a
 * chair of the member's group can unlock it at once (audited); nobody else can.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { auditEvents } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function login(s: TestServer, email: string, password: string): Promise<Response> {
  return fetch(`${s.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

test('a locked account is told when to try again, and a chair unlocks it', async () => {
  const s = await startTestServer({ config: { loginFailuresPerAccount: 3 } });
  servers.push(s);
  const owner = await s.addUser('chair');
  const expert = await s.addUser('expert', 'Kenya');
  for (let i = 0; i < 3; i++) assert.equal((await login(s, owner.email, 'wrong-pw')).status, 401);
  const refused = await login(s, owner.email, owner.password);
  assert.equal(refused.status, 429);
  const { message } = (await refused.json()) as { message: string };
  assert.match(message, /Try again in 1[45] minutes \(after \d\d:\d\d UTC\), or ask a chair/);

  const unlock = (as: typeof expert, uid: string) =>
    s.request('POST', `/api/groups/${s.groupId}/members/${uid}/unlock`, { as });
  assert.equal((await unlock(expert, owner.id)).status, 403, 'an expert cannot');
  assert.equal((await unlock(s.chair, 'u_nobody')).status, 404);
  assert.equal((await login(s, owner.email, owner.password)).status, 429, 'still locked');

  assert.equal((await unlock(s.chair, owner.id)).status, 204, 'another chair can');
  assert.equal((await login(s, owner.email, owner.password)).status, 200);
  const audit = (await auditEvents(s)).filter((e) => e.action === 'account.unlock');
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.target, owner.id);
  assert.equal(audit[0]!.actorId, s.chair.id);
});
