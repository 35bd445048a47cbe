/**
 * The inbox (GET /api/inbox): each user's mentions and replies to their threads, across reports,
 * newest first, with what a list shows (author and State, excerpt, paragraph id, report title,
 * time) and the unread count. Visibility is decided with the member's CURRENT role and State,
 * so a role change hides (and a change back shows) items of threads they may no longer see.
 * Read state is per user on the server (one item, or all), the same from every session. The
 * answer carries an ETag, and If-None-Match gets an empty 304 until something changes.
 *
 *   node --import tsx --test tests/integration/comments-inbox.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { paragraphNumbers } from '../../server/comments/numbers.js';
import { INBOX_EXCERPT_MAX, type InboxResponse } from '../../shared/comments.js';
import { newSession } from '../helpers/auth.js';
import { inbox, json, openThread, paragraphIds, reply } from '../helpers/comments.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let server: TestServer;
let reportX: string;
let reportY: string;
let paraX: string;
let paraY: string;
let kenyaA: TestUser;
let kenyaB: TestUser;
let brazil: TestUser;
let secretariat: TestUser;

before(async () => {
  server = await startTestServer();
  reportX = (await server.createReport('Report X on ICT security')).id;
  reportY = (await server.createReport('Report Y')).id;
  paraX = (await paragraphIds(server, reportX))[2]!;
  paraY = (await paragraphIds(server, reportY))[0]!;
  kenyaA = await server.addUser('expert', 'Kenya', 'Amina Kenya');
  kenyaB = await server.addUser('expert', 'Kenya', 'Baraka Kenya');
  brazil = await server.addUser('expert', 'Brazil', 'Bruno Brazil');
  secretariat = await server.addUser('secretariat', null, 'Sam Secretariat');
});

after(async () => {
  await server?.close();
});

async function setRole(user: TestUser, role: string, represents: string | null) {
  await json(
    await server.request('PATCH', `/api/groups/${server.groupId}/members/${user.id}`, {
      body: { role, represents },
    }),
    200,
  );
}

const readItem = (user: TestUser, messageId: string) =>
  server.request('POST', `/api/inbox/${messageId}/read`, { as: user });

test('mentions and replies carry author, excerpt, paragraph, report title and time, newest first', async () => {
  const long = `Delegation X cannot accept "shall";\n\n propose "should". ${'é🙂'.repeat(300)}`;
  const t = await openThread(server, kenyaA, reportX, {
    paragraphId: paraX,
    body: long,
    mentions: [brazil.id],
  });
  const replied = await reply(server, brazil, t.id, 'We agree with "should".');
  // Another report: a mention of Brazil there too (newest).
  const other = await openThread(server, secretariat, reportY, {
    paragraphId: paraY,
    body: '@Bruno Brazil please look at this.',
    mentions: [brazil.id],
  });

  const inB = await inbox(server, brazil);
  assert.deepEqual(
    inB.items.map((i) => [i.reportId, i.threadId, i.reason]),
    [
      [reportY, other.id, 'mention'],
      [reportX, t.id, 'mention'],
    ],
  );
  assert.equal(inB.unread, 2);
  const [y, x] = inB.items;
  assert.deepEqual(y!.author, {
    id: secretariat.id,
    name: 'Sam Secretariat',
    role: 'secretariat',
    represents: null,
  });
  assert.equal(y!.reportTitle, 'Report Y');
  assert.equal(y!.paragraphId, paraY);
  assert.equal(y!.excerpt, '@Bruno Brazil please look at this.');
  assert.equal(y!.createdAt, other.messages[0]!.createdAt);
  assert.equal(y!.messageId, other.messages[0]!.id);
  assert.ok(y!.createdAt >= x!.createdAt, 'newest first');

  assert.equal(x!.reportTitle, 'Report X on ICT security');
  assert.equal(x!.paragraphId, paraX);
  // The paragraph's number in the text as it is now (the README promises it).
  const numbersX = await paragraphNumbers(server.app, reportX);
  assert.ok(numbersX.get(paraX));
  assert.equal(x!.paragraph, numbersX.get(paraX));
  assert.equal(y!.paragraph, (await paragraphNumbers(server.app, reportY)).get(paraY));
  assert.deepEqual(
    [x!.author.name, x!.author.role, x!.author.represents],
    ['Amina Kenya', 'expert', 'Kenya'],
  );
  // Plain text on one line, cut at the limit (never inside a surrogate pair), with an ellipsis.
  assert.ok(x!.excerpt.startsWith('Delegation X cannot accept "shall"; propose "should". é🙂'));
  assert.ok(!x!.excerpt.includes('\n'));
  assert.equal(Array.from(x!.excerpt).length, INBOX_EXCERPT_MAX);
  assert.ok(x!.excerpt.endsWith('…'));
  assert.ok(!/[\uD800-\uDBFF]…$/.test(x!.excerpt), 'no lone surrogate before the ellipsis');

  // The thread's author gets the reply, with its author and text.
  const inA = await inbox(server, kenyaA);
  assert.equal(inA.items.length, 1);
  assert.deepEqual(
    [inA.items[0]!.reason, inA.items[0]!.messageId, inA.items[0]!.excerpt],
    ['reply', replied.messages[1]!.id, 'We agree with "should".'],
  );
  assert.equal(inA.items[0]!.author.represents, 'Brazil');

  // The excerpt follows an edit; a deleted message leaves the inbox.
  await json(
    await server.request('PATCH', `/api/messages/${replied.messages[1]!.id}`, {
      as: brazil,
      body: { body: 'We can live with "should".' },
    }),
    200,
  );
  assert.equal((await inbox(server, kenyaA)).items[0]!.excerpt, 'We can live with "should".');
  await json(
    await server.request('DELETE', `/api/messages/${replied.messages[1]!.id}`, { as: brazil }),
    200,
  );
  assert.deepEqual(await inbox(server, kenyaA), { items: [], unread: 0 });
  // A rename shows in the items' report title.
  await json(
    await server.request('PATCH', `/api/reports/${reportY}`, {
      body: { title: 'Report Y (rev. 1)' },
    }),
    200,
  );
  assert.equal((await inbox(server, brazil)).items[0]!.reportTitle, 'Report Y (rev. 1)');
});

test('items follow the CURRENT role and State: delegation and chair threads', async () => {
  const delegation = await openThread(server, kenyaA, reportX, {
    paragraphId: paraX,
    visibility: 'delegation',
    body: 'KENYA-ONLY note',
    mentions: [kenyaB.id],
  });
  const chairOnly = await openThread(server, kenyaA, reportX, {
    paragraphId: paraX,
    visibility: 'chair',
    body: 'CHAIR-ONLY word',
    mentions: [secretariat.id],
  });
  await reply(server, secretariat, chairOnly.id, 'Noted, thank you.');
  const has = (r: InboxResponse, threadId: string) => r.items.some((i) => i.threadId === threadId);

  assert.ok(has(await inbox(server, kenyaB), delegation.id));
  assert.ok(has(await inbox(server, secretariat), chairOnly.id));
  assert.ok(has(await inbox(server, kenyaA), chairOnly.id), 'the author of a chair thread');

  // kenyaB now represents Brazil: the Kenyan thread's item is gone, and its count with it.
  const before = await inbox(server, kenyaB);
  await setRole(kenyaB, 'expert', 'Brazil');
  const moved = await inbox(server, kenyaB);
  assert.ok(!has(moved, delegation.id));
  assert.equal(moved.unread, before.unread - 1);
  assert.equal(JSON.stringify(moved).includes('KENYA-ONLY'), false);
  // It cannot be marked read either (it does not exist for them).
  const hiddenMessage = delegation.messages[0]!.id;
  assert.equal((await readItem(kenyaB, hiddenMessage)).status, 404);
  // Back to Kenya: it is there again, still unread.
  await setRole(kenyaB, 'expert', 'Kenya');
  const back = (await inbox(server, kenyaB)).items.find((i) => i.threadId === delegation.id);
  assert.equal(back?.unread, true);

  // The secretariat made an observer: the chair thread's mention is gone; restored, it is back.
  await setRole(secretariat, 'observer', 'European Union');
  assert.ok(!has(await inbox(server, secretariat), chairOnly.id));
  await setRole(secretariat, 'secretariat', null);
  assert.ok(has(await inbox(server, secretariat), chairOnly.id));
  // The chair thread's author keeps it whatever their role (they wrote it).
  await setRole(kenyaA, 'observer', 'Kenya');
  assert.ok(has(await inbox(server, kenyaA), chairOnly.id));
  await setRole(kenyaA, 'expert', 'Kenya');
});

test('mark one item read, or all, per user and the same from every session', async () => {
  const t = await openThread(server, kenyaA, reportY, {
    paragraphId: paraY,
    body: 'Two mentions',
    mentions: [brazil.id, kenyaB.id],
  });
  const mid = t.messages[0]!.id;
  const otherDevice = await newSession(server, brazil);
  const start = await inbox(server, brazil);
  assert.ok(start.unread >= 2);

  await json(await readItem(brazil, mid), 204);
  const seen = await inbox(server, otherDevice);
  assert.equal(seen.items.find((i) => i.messageId === mid)?.unread, false);
  assert.equal(seen.unread, start.unread - 1);
  await json(await readItem(brazil, mid), 204); // again: no change, no error
  // Per user: kenyaB's item of the same message is still unread.
  assert.equal((await inbox(server, kenyaB)).items.find((i) => i.messageId === mid)?.unread, true);
  // Someone else's item (kenyaA is not in this message's inbox) is not theirs to mark.
  assert.equal((await readItem(kenyaA, mid)).status, 404);

  await json(await server.request('POST', '/api/inbox/read-all', { as: otherDevice }), 204);
  const all = await inbox(server, brazil);
  assert.equal(all.unread, 0);
  assert.ok(all.items.length >= 2 && all.items.every((i) => !i.unread));
  assert.ok((await inbox(server, kenyaB)).unread > 0, 'read-all is per user');

  // A new mention is unread again.
  await reply(server, kenyaA, t.id, 'One more', { mentions: [brazil.id] });
  assert.equal((await inbox(server, brazil)).unread, 1);
});

test('ETag: If-None-Match gets 304 until the inbox changes (a mention, a read)', async () => {
  const first = await server.request('GET', '/api/inbox', { as: kenyaB });
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[\w-]+"$/);
  assert.match(first.headers.get('cache-control') ?? '', /no-cache/);
  const same = await server.request('GET', '/api/inbox', {
    as: kenyaB,
    headers: { 'if-none-match': etag! },
  });
  assert.equal(same.status, 304);
  assert.equal(await same.text(), '');

  const t = await openThread(server, brazil, reportX, {
    paragraphId: paraX,
    body: 'ping',
    mentions: [kenyaB.id],
  });
  const changed = await server.request('GET', '/api/inbox', {
    as: kenyaB,
    headers: { 'if-none-match': etag! },
  });
  assert.equal(changed.status, 200);
  const etag2 = changed.headers.get('etag')!;
  assert.notEqual(etag2, etag);
  assert.equal(((await changed.json()) as InboxResponse).items[0]!.threadId, t.id);

  await json(await readItem(kenyaB, t.messages[0]!.id), 204);
  const afterRead = await server.request('GET', '/api/inbox', {
    as: kenyaB,
    headers: { 'if-none-match': etag2 },
  });
  assert.equal(afterRead.status, 200, 'a read changes the answer');
});

test('bad input is a 400, no session a 401, an unknown item a 404', async () => {
  for (const [method, url] of [
    ['GET', '/api/inbox'],
    ['POST', '/api/inbox/read-all'],
    ['POST', '/api/inbox/m_abc/read'],
  ] as const) {
    const res = await server.request(method, url, { as: null });
    assert.equal(res.status, 401, `${method} ${url} without a session`);
    const body = (await res.json()) as { statusCode: number; message: string };
    assert.equal(body.statusCode, 401);
  }
  for (const bad of ['bad%20id', 'a.b', 'x'.repeat(65)]) {
    const res = await readItem(brazil, bad);
    assert.equal(res.status, 400, `message id ${bad}`);
    assert.equal(((await res.json()) as { statusCode: number }).statusCode, 400);
  }
  assert.equal((await readItem(brazil, 'm_doesNotExist')).status, 404);
});
