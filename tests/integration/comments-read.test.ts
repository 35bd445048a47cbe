/**
 * Read state lives on the server: after POST /api/threads/:tid/read, the same user's fresh
 * GET /api/reports/:id/threads carries a read marker for the thread (on any device); another
 * user's does not. A newer message by someone else is after the marker; reading again moves it.
 *
 *   node --import tsx --test tests/integration/comments-read.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ThreadListResponse, ThreadView } from '../../shared/comments.js';
import { json, openThread, paragraphIds, reply } from '../helpers/comments.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let para: string;
let a: TestUser;
let b: TestUser;

before(async () => {
  server = await startTestServer();
  reportId = (await server.createReport('Read state')).id;
  para = (await paragraphIds(server, reportId))[0]!;
  a = await server.addUser('expert', 'Brazil');
  b = await server.addUser('expert', 'Kenya');
});

after(async () => {
  await server?.close();
});

async function list(user: TestUser): Promise<ThreadListResponse> {
  return json<ThreadListResponse>(
    await server.request('GET', `/api/reports/${reportId}/threads`, { as: user }),
    200,
  );
}

async function markRead(user: TestUser, threadId: string): Promise<void> {
  await json(await server.request('POST', `/api/threads/${threadId}/read`, { as: user }), 204);
}

/** Read: the marker covers the thread's newest message by someone else. */
function isRead(data: ThreadListResponse, t: ThreadView, userId: string): boolean {
  const seen = data.reads[t.id]?.lastMessageAt ?? '';
  const thread = data.threads.find((x) => x.id === t.id)!;
  return !thread.messages.some((m) => m.author.id !== userId && m.createdAt > seen);
}

test('POST /read is stored per user: the same user reads it as read on a fresh GET, another does not', async () => {
  const t = await openThread(server, b, reportId, { paragraphId: para, body: 'A question.' });
  const r = await reply(server, b, t.id, 'And a detail.');

  const before = await list(a);
  assert.equal(before.reads[t.id], undefined, 'never read: no marker');
  assert.equal(isRead(before, t, a.id), false);

  await markRead(a, t.id);
  const fresh = await list(a);
  assert.deepEqual(fresh.reads[t.id], {
    seq: r.seq,
    lastMessageAt: r.messages.at(-1)!.createdAt,
  });
  assert.equal(isRead(fresh, t, a.id), true, 'read for the same user');

  const other = await list(server.chair);
  assert.equal(other.reads[t.id], undefined, 'another user has no marker');
  assert.equal(isRead(other, t, server.chair.id), false, 'unread for another user');

  // A newer message by someone else is unread again; reading again moves the marker.
  const r2 = await reply(server, b, t.id, 'One more thing.');
  assert.equal(isRead(await list(a), t, a.id), false);
  await markRead(a, t.id);
  const again = await list(a);
  assert.equal(again.reads[t.id]!.seq, r2.seq);
  assert.equal(isRead(again, t, a.id), true);
});

test('a read marker is not shown for a thread the caller may not see, and /read on it is a 404', async () => {
  const t = await openThread(server, b, reportId, {
    paragraphId: para,
    body: 'For Kenya only.',
    visibility: 'delegation',
  });
  const res = await server.request('POST', `/api/threads/${t.id}/read`, { as: a });
  assert.equal(res.status, 404);
  const data = await list(a);
  assert.equal(data.reads[t.id], undefined);
  assert.equal(
    data.threads.some((x) => x.id === t.id),
    false,
  );
});
