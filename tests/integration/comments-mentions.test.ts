/**
 * Mentions written in the text (issue 21, item 5): "@Display Name" in a new comment, a reply or
 * an edit notifies that member when they may see the thread, with no list of ids sent; a name
 * of someone who may not see it (another delegation's private thread) notifies nobody and is
 * not recorded; an edit notifies only whom it newly names; one's own name notifies nobody; a
 * position's explanation (a group thread) mentions like any message.
 *
 *   node tests/run.mjs tests/integration/comments-mentions.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inbox, json, key, openThread, paragraphIds, reply } from '../helpers/comments.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let pid: string;
let ana: TestUser;
let bruno: TestUser;
let wanjiru: TestUser;

before(async () => {
  server = await startTestServer();
  reportId = (await server.createReport('Mentions')).id;
  pid = (await paragraphIds(server, reportId))[2]!;
  ana = await server.addUser('expert', 'Brazil', 'Ana Souza');
  bruno = await server.addUser('expert', 'Brazil', 'Bruno Lima');
  wanjiru = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
});

after(async () => {
  await server?.close();
});

const mentionsOf = async (user: TestUser) =>
  (await inbox(server, user)).items.filter((i) => i.reason === 'mention');

test('a name written after "@" notifies that member; a longer name is not a shorter one', async () => {
  const t = await openThread(server, wanjiru, reportId, {
    paragraphId: pid,
    body: '@ana souza, can Brazil accept this? (not @Bruno Limander)',
  });
  assert.deepEqual(t.messages[0]!.mentions, [ana.id]);
  const items = await mentionsOf(ana);
  assert.equal(items.length, 1);
  assert.equal(items[0]!.threadId, t.id);
  assert.deepEqual(await mentionsOf(bruno), []);
  // A reply that names the chair and its own author: the chair only.
  const r = await reply(server, ana, t.id, `@${server.chair.displayName} and @Ana Souza agree.`);
  assert.deepEqual(r.messages[1]!.mentions.sort(), [ana.id, server.chair.id].sort());
  assert.equal((await mentionsOf(server.chair)).length, 1);
  assert.equal((await mentionsOf(ana)).length, 1, 'naming oneself notifies nobody');
});

test("another delegation's private thread: naming an outsider notifies nobody", async () => {
  const t = await openThread(server, ana, reportId, {
    paragraphId: pid,
    visibility: 'delegation',
    body: '@Bruno Lima and @Wanjiru Kamau: our line?',
  });
  assert.deepEqual(t.messages[0]!.mentions, [bruno.id]);
  assert.deepEqual(await mentionsOf(wanjiru), []);
  assert.equal((await mentionsOf(bruno)).length, 1);
  // An id sent explicitly for someone who may not see it is still refused.
  const res = await server.request('POST', `/api/threads/${t.id}/messages`, {
    as: ana,
    body: { body: 'x', mentions: [wanjiru.id], idempotencyKey: key() },
  });
  assert.equal(res.status, 400);
});

test('an edit notifies whom it newly names, once', async () => {
  const t = await openThread(server, wanjiru, reportId, { paragraphId: pid, body: 'First words.' });
  const mid = t.messages[0]!.id;
  const before = (await mentionsOf(bruno)).length;
  const edit = (body: string) =>
    server.request('PATCH', `/api/messages/${mid}`, { as: wanjiru, body: { body } });
  const edited = await json(await edit('First words, @Bruno Lima.'), 200);
  assert.deepEqual(edited.thread.messages[0]!.mentions, [bruno.id]);
  assert.equal((await mentionsOf(bruno)).length, before + 1);
  await json(await edit('First words again, @Bruno Lima.'), 200);
  assert.equal((await mentionsOf(bruno)).length, before + 1, 'notified once');
});

test("a position's explanation opens a group thread: a name in it is a mention", async () => {
  const before = (await mentionsOf(ana)).length;
  const res = await server.request('POST', `/api/reports/${reportId}/paragraphs/${pid}/position`, {
    as: wanjiru,
    body: { position: 'reservation', explanation: 'Kenya waits for @Ana Souza and her capital.' },
  });
  const { thread } = await json<{
    thread: { id: string; messages: Array<{ mentions: string[] }> };
  }>(res, 200);
  assert.deepEqual(thread.messages[0]!.mentions, [ana.id]);
  const items = await mentionsOf(ana);
  assert.equal(items.length, before + 1);
  assert.equal(items[0]!.threadId, thread.id);
});
