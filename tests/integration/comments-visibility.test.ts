/**
 * Visibility: a delegation thread reaches only the experts of the author's State, a chair thread
 * only the chair, the secretariat and its author. Checked on everything a member can get a thread
 * from: pushed Event messages, HTTP reads, the inbox and its unread count, and the exports.
 * Also: a client offline while events happen gets exactly the ones it may see on reconnecting.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ThreadView } from '../../shared/comments.js';
import {
  closeEventClients,
  EventClient,
  inbox,
  json,
  key,
  listThreads,
  openThread,
  paragraphIds,
  reply,
} from '../helpers/comments.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let para: string;
let kenyaA: TestUser;
let kenyaB: TestUser;
let brazil: TestUser;
let observer: TestUser;
let secretariat: TestUser;

before(async () => {
  server = await startTestServer();
  reportId = (await server.createReport('Visibility')).id;
  para = (await paragraphIds(server, reportId))[0]!;
  kenyaA = await server.addUser('expert', 'Kenya');
  kenyaB = await server.addUser('expert', 'Kenya');
  brazil = await server.addUser('expert', 'Brazil');
  observer = await server.addUser('observer', 'Kenya');
  secretariat = await server.addUser('secretariat');
});

after(async () => {
  closeEventClients();
  await server?.close();
});

async function exported(user: TestUser) {
  const csv = await server.request('GET', `/api/reports/${reportId}/threads/export?format=csv`, {
    as: user,
  });
  const jsonRes = await server.request(
    'GET',
    `/api/reports/${reportId}/threads/export?format=json`,
    {
      as: user,
    },
  );
  return {
    csvStatus: csv.status,
    csv: await csv.text(),
    json:
      jsonRes.status === 200 ? ((await jsonRes.json()) as { threads: ThreadView[] }).threads : [],
  };
}

test('delegation and chair threads reach only those who may see them, everywhere', async () => {
  const everyone = [server.chair, secretariat, kenyaA, kenyaB, brazil, observer];
  const socks = new Map<TestUser, EventClient>();
  for (const u of everyone) socks.set(u, await EventClient.connect(server, u, reportId));

  const delegation = await openThread(server, kenyaA, reportId, {
    paragraphId: para,
    visibility: 'delegation',
    body: 'DELEGATION-SECRET for Kenya only',
    mentions: [kenyaB.id],
  });
  assert.equal(delegation.delegation, 'Kenya');
  const chairOnly = await openThread(server, kenyaA, reportId, {
    paragraphId: para,
    visibility: 'chair',
    body: 'CHAIR-SECRET',
    mentions: [secretariat.id],
  });
  const replied = await reply(server, kenyaB, delegation.id, 'DELEGATION-REPLY');
  // Mentioning someone who may not see the thread is refused (it would leak that it exists).
  for (const who of [brazil, observer, server.chair]) {
    const res = await server.request('POST', `/api/threads/${delegation.id}/messages`, {
      as: kenyaA,
      body: { body: 'x', mentions: [who.id], idempotencyKey: key() },
    });
    assert.equal(res.status, 400);
  }
  // Only an expert with a State opens a delegation thread.
  for (const who of [server.chair, secretariat]) {
    const res = await server.request('POST', `/api/reports/${reportId}/threads`, {
      as: who,
      body: {
        paragraphId: para,
        kind: 'comment',
        visibility: 'delegation',
        body: 'x',
        idempotencyKey: key(),
      },
    });
    assert.equal(res.status, 403);
  }
  const barrier = await openThread(server, server.chair, reportId, {
    paragraphId: para,
    body: 'BARRIER',
  });
  for (const s of socks.values()) await s.waitForSeq(barrier.seq, 'the barrier');

  const sees = new Map<TestUser, string[]>([
    [server.chair, [chairOnly.id, barrier.id]],
    [secretariat, [chairOnly.id, barrier.id]],
    [kenyaA, [delegation.id, chairOnly.id, barrier.id]],
    [kenyaB, [delegation.id, barrier.id]],
    [brazil, [barrier.id]],
    [observer, [barrier.id]],
  ]);
  for (const [user, ids] of sees) {
    const name = `${user.role} ${user.represents ?? ''}`;
    const pushed = socks.get(user)!;
    assert.deepEqual(pushed.threads().sort(), [...ids].sort(), `${name}: pushed`);
    assert.ok(
      pushed.events.every((e) => e.seq <= barrier.seq),
      `${name}: no events beyond the barrier`,
    );
    const { threads } = await listThreads(server, user, reportId);
    assert.deepEqual(threads.map((t) => t.id).sort(), [...ids].sort(), `${name}: GET threads`);
    for (const hidden of [delegation.id, chairOnly.id].filter((id) => !ids.includes(id))) {
      for (const action of ['resolve', 'reopen', 'read']) {
        const res = await server.request('POST', `/api/threads/${hidden}/${action}`, { as: user });
        assert.equal(res.status, 404, `${name}: ${action} a hidden thread`);
      }
      const r = await server.request('POST', `/api/threads/${hidden}/messages`, {
        as: user,
        body: { body: 'x', idempotencyKey: key() },
      });
      assert.equal(r.status, 404, `${name}: reply to a hidden thread`);
    }
    if (user.role !== 'observer') {
      const ex = await exported(user);
      assert.equal(ex.csvStatus, 200);
      assert.deepEqual(ex.json.map((t) => t.id).sort(), [...ids].sort(), `${name}: JSON export`);
      for (const secret of ['DELEGATION-SECRET', 'DELEGATION-REPLY', 'CHAIR-SECRET']) {
        const visible =
          (secret.startsWith('DELEGATION') && ids.includes(delegation.id)) ||
          (secret === 'CHAIR-SECRET' && ids.includes(chairOnly.id));
        assert.equal(ex.csv.includes(secret), visible, `${name}: CSV export and ${secret}`);
      }
    } else {
      assert.equal((await exported(user)).csvStatus, 403, 'observers do not export');
    }
  }

  // Inbox: kenyaB was mentioned, kenyaA was replied to, the secretariat was mentioned.
  const inB = await inbox(server, kenyaB);
  assert.deepEqual(
    inB.items.map((i) => [i.threadId, i.reason]),
    [[delegation.id, 'mention']],
  );
  assert.equal(inB.unread, 1);
  const inA = await inbox(server, kenyaA);
  assert.deepEqual(
    inA.items.map((i) => [i.threadId, i.reason, i.messageId]),
    [[delegation.id, 'reply', replied.messages[1]!.id]],
  );
  assert.equal((await inbox(server, secretariat)).unread, 1);
  for (const u of [brazil, observer, server.chair])
    assert.equal((await inbox(server, u)).unread, 0);
  await json(
    await server.request('POST', `/api/threads/${delegation.id}/read`, { as: kenyaB }),
    204,
  );
  assert.equal((await inbox(server, kenyaB)).unread, 0);
  assert.equal((await inbox(server, kenyaB)).items[0]!.unread, false);
  await json(
    await server.request('POST', `/api/threads/${delegation.id}/read`, { as: kenyaA }),
    204,
  );

  // kenyaA now represents Brazil: the Kenyan thread, its reply notice and its count are gone for them.
  await reply(server, kenyaB, delegation.id, 'another reply');
  assert.equal((await inbox(server, kenyaA)).unread, 1);
  await json(
    await server.request('PATCH', `/api/groups/${server.groupId}/members/${kenyaA.id}`, {
      body: { role: 'expert', represents: 'Brazil' },
    }),
    200,
  );
  const after = await inbox(server, kenyaA);
  assert.deepEqual([after.items.length, after.unread], [0, 0]);
  const { threads } = await listThreads(server, kenyaA, reportId);
  assert.ok(!threads.some((t) => t.id === delegation.id));
  assert.ok(
    threads.some((t) => t.id === chairOnly.id),
    'their own chair thread stays theirs',
  );
  for (const s of socks.values()) await s.close();
});

test('a client offline while events happen gets exactly the visible ones on reconnecting', async () => {
  // The client holds everything up to `last` (what GET /threads told it), then goes offline.
  const { seq: last } = await listThreads(server, brazil, reportId);
  const sock = await EventClient.connect(server, brazil, reportId, last);
  const before = await openThread(server, server.chair, reportId, {
    paragraphId: para,
    body: 'seen',
  });
  await sock.waitForSeq(before.seq, 'a live event before going offline');
  await sock.close();

  const a = await openThread(server, server.chair, reportId, { paragraphId: para, body: 'one' });
  await openThread(server, kenyaB, reportId, {
    paragraphId: para,
    visibility: 'delegation',
    body: 'hidden',
  });
  const b = await reply(server, brazil, a.id, 'two');
  await openThread(server, server.chair, reportId, {
    paragraphId: para,
    visibility: 'chair',
    body: 'hidden too',
  });
  const c = await json(await server.request('POST', `/api/threads/${a.id}/resolve`), 200);

  const back = await EventClient.connect(server, brazil, reportId, sock.lastSeq);
  await back.waitForSeq(c.thread.seq, 'the catch-up');
  const live = await openThread(server, secretariat, reportId, { paragraphId: para, body: 'live' });
  await back.waitForSeq(live.seq, 'the live event after catch-up');
  assert.deepEqual(
    back.events.map((e) => e.seq),
    [a.seq, b.seq, c.thread.seq, live.seq],
    'exactly the visible events since the last seq, in order, then live',
  );
  assert.equal(back.threadEvents()[2]!.thread.status, 'resolved');
  await back.close();
});
