/**
 * Comment threads as commands: every action reaches the other clients live over the sync socket
 * (Event messages, only for clients that asked with `events=`), each action is allowed exactly by
 * the permission matrix in shared/roles.ts, a resend with the same idempotency key creates
 * nothing, bad input is a 400 and strangers get a 404.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { COMMENT_MAX } from '../../shared/comments.js';
import { MessageType } from '../../shared/protocol.js';
import { ROLES, type Role, roleCan } from '../../shared/roles.js';
import { outsider } from '../helpers/auth.js';
import {
  closeEventClients,
  EventClient,
  json,
  key,
  listThreads,
  openThread,
  paragraphIds,
  reply,
} from '../helpers/comments.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let para: string;
const users = {} as Record<Role, TestUser>;

before(async () => {
  server = await startTestServer();
  reportId = (await server.createReport('Threads')).id;
  para = (await paragraphIds(server, reportId))[0]!;
  users.chair = server.chair;
  users.secretariat = await server.addUser('secretariat');
  users.expert = await server.addUser('expert', 'Kenya');
  users.observer = await server.addUser('observer', 'European Union');
});

after(async () => {
  closeEventClients();
  await server?.close();
});

test('every action arrives live at the other client; a stock client gets no Event message', async () => {
  const chairSock = await EventClient.connect(server, server.chair, reportId);
  const expertSock = await EventClient.connect(server, users.expert, reportId);
  const stock = await EventClient.connect(server, users.observer, reportId, null);

  const t = await openThread(server, users.expert, reportId, {
    paragraphId: para,
    quote: 'as written',
    body: 'Please reword.',
  });
  await chairSock.waitForSeq(t.seq, 'the new thread at the chair');
  assert.equal(chairSock.latest(t.id)!.messages[0]!.body, 'Please reword.');
  assert.equal(chairSock.latest(t.id)!.quote, 'as written');
  assert.equal(chairSock.latest(t.id)!.author.represents, 'Kenya');

  const r = await reply(server, server.chair, t.id, 'Noted.');
  await expertSock.waitForSeq(r.seq, 'the reply at the expert');
  const chairMsg = r.messages[1]!;
  assert.equal(expertSock.latest(t.id)!.messages[1]!.body, 'Noted.');

  const edited = await json(
    await server.request('PATCH', `/api/messages/${chairMsg.id}`, {
      body: { body: 'Noted, thanks.' },
    }),
    200,
  );
  await expertSock.waitForSeq(edited.thread.seq, 'the edit');
  assert.equal(expertSock.latest(t.id)!.messages[1]!.body, 'Noted, thanks.');
  assert.ok(expertSock.latest(t.id)!.messages[1]!.editedAt);

  const deleted = await json(await server.request('DELETE', `/api/messages/${chairMsg.id}`), 200);
  await expertSock.waitForSeq(deleted.thread.seq, 'the deletion');
  const shown = expertSock.latest(t.id)!.messages[1]!;
  assert.deepEqual([shown.deleted, shown.body], [true, '']);

  const resolved = await json(
    await server.request('POST', `/api/threads/${t.id}/resolve`, { as: users.expert }),
    200,
  );
  await chairSock.waitForSeq(resolved.thread.seq, 'the resolution');
  assert.equal(chairSock.latest(t.id)!.status, 'resolved');
  assert.equal(chairSock.latest(t.id)!.resolvedBy!.id, users.expert.id);

  const reopened = await json(await server.request('POST', `/api/threads/${t.id}/reopen`), 200);
  await expertSock.waitForSeq(reopened.thread.seq, 'the reopening');
  assert.equal(expertSock.latest(t.id)!.status, 'open');

  const p = await openThread(server, users.expert, reportId, {
    paragraphId: para,
    kind: 'proposal',
    proposal: 'New text for the paragraph.',
    body: 'Proposal.',
  });
  const applied = await json(await server.request('POST', `/api/threads/${p.id}/applied`), 200);
  await expertSock.waitForSeq(applied.thread.seq, 'the applied proposal');
  assert.equal(expertSock.latest(p.id)!.appliedBy!.id, server.chair.id);
  assert.ok(expertSock.latest(p.id)!.appliedAt);
  // Applying a proposal resolves its thread (it stayed open before).
  assert.equal(applied.thread.status, 'resolved');
  assert.equal(expertSock.latest(p.id)!.status, 'resolved');

  // Sequence numbers per report, increasing by one, and the same at both clients.
  const seqs = chairSock.events.map((e) => e.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0]! + i),
  );
  assert.deepEqual(
    expertSock.events.map((e) => e.seq),
    seqs,
  );
  assert.ok(!stock.otherTypes.has(MessageType.Event) && stock.events.length === 0);
  // Nothing about comments went into the text CRDT: the audit log has each command.
  const audit = await json<{ events: Array<{ action: string }> }>(
    await server.request('GET', `/api/groups/${server.groupId}/audit`),
    200,
  );
  for (const a of ['open', 'reply', 'edit', 'delete', 'resolve', 'reopen', 'applied'])
    assert.ok(
      audit.events.some((e) => e.action === `thread.${a}`),
      `audited thread.${a}`,
    );
  // A client catching up from the start never sees the deleted words.
  const fresh = await EventClient.connect(server, users.secretariat, reportId, 0);
  await fresh.waitForSeq(applied.thread.seq, 'the catch-up from 0');
  assert.deepEqual(
    fresh.events.map((e) => e.seq),
    seqs,
  );
  const raw = JSON.stringify(fresh.events);
  assert.ok(
    !raw.includes('Noted.') && !raw.includes('Noted, thanks.'),
    'deleted words not replayed',
  );
  await Promise.all([chairSock.close(), expertSock.close(), stock.close(), fresh.close()]);
});

const expected = (role: Role, action: Parameters<typeof roleCan>[1]) =>
  roleCan(role, action) ? 'ok' : 403;
const outcome = (status: number) => (status === 200 || status === 201 ? 'ok' : status);

test('the permission matrix decides each action, for every role', async () => {
  for (const role of ROLES) {
    const me = users[role];
    // Open and reply.
    const opened = await server.request('POST', `/api/reports/${reportId}/threads`, {
      as: me,
      body: { paragraphId: para, kind: 'comment', body: `by ${role}`, idempotencyKey: key() },
    });
    assert.equal(outcome(opened.status), expected(role, 'comment'), `${role} opens`);
    // A thread by someone else (the secretariat's, or the chair's for the secretariat).
    const owner = role === 'secretariat' ? server.chair : users.secretariat;
    const other = await openThread(server, owner, reportId, { paragraphId: para, body: 'x' });
    const replied = await server.request('POST', `/api/threads/${other.id}/messages`, {
      as: me,
      body: { body: 'reply', idempotencyKey: key() },
    });
    assert.equal(outcome(replied.status), expected(role, 'comment'), `${role} replies`);
    const resolved = await server.request('POST', `/api/threads/${other.id}/resolve`, { as: me });
    assert.equal(
      outcome(resolved.status),
      expected(role, 'resolveAnyThread'),
      `${role} resolves another's`,
    );
    const removed = await server.request('DELETE', `/api/messages/${other.messages[0]!.id}`, {
      as: me,
    });
    assert.equal(
      outcome(removed.status),
      expected(role, 'deleteOthersMessages'),
      `${role} deletes another's`,
    );
    const edit = await server.request('PATCH', `/api/messages/${other.messages[0]!.id}`, {
      as: me,
      body: { body: 'changed' },
    });
    assert.ok([403, 409].includes(edit.status), `${role} cannot edit another's message`);
    const proposal = await openThread(server, owner, reportId, {
      paragraphId: para,
      kind: 'proposal',
      proposal: 'text',
    });
    const applied = await server.request('POST', `/api/threads/${proposal.id}/applied`, { as: me });
    assert.equal(outcome(applied.status), expected(role, 'applyProposal'), `${role} applies`);
    // Everyone who may read, reads.
    const list = await server.request('GET', `/api/reports/${reportId}/threads`, { as: me });
    assert.equal(list.status, 200);
  }
  // Authors resolve and reopen their own threads.
  const own = await openThread(server, users.expert, reportId, { paragraphId: para });
  await json(
    await server.request('POST', `/api/threads/${own.id}/resolve`, { as: users.expert }),
    200,
  );
  await json(
    await server.request('POST', `/api/threads/${own.id}/reopen`, { as: users.expert }),
    200,
  );
  const comment = await openThread(server, users.expert, reportId, { paragraphId: para });
  assert.equal(
    (await server.request('POST', `/api/threads/${comment.id}/applied`)).status,
    409,
    'only a proposal is applied',
  );
});

test('a resend with the same idempotency key returns the original and creates nothing', async () => {
  const k = key();
  const body = { paragraphId: para, kind: 'comment', body: 'Once only.', idempotencyKey: k };
  const first = await json(
    await server.request('POST', `/api/reports/${reportId}/threads`, { as: users.expert, body }),
    201,
  );
  const again = await json(
    await server.request('POST', `/api/reports/${reportId}/threads`, { as: users.expert, body }),
    200,
  );
  assert.equal(again.thread.id, first.thread.id);
  assert.equal(again.thread.seq, first.thread.seq);
  const rk = key();
  await json(
    await server.request('POST', `/api/threads/${first.thread.id}/messages`, {
      body: { body: 'Reply once.', idempotencyKey: rk },
    }),
    201,
  );
  const replayed = await json(
    await server.request('POST', `/api/threads/${first.thread.id}/messages`, {
      body: { body: 'Reply once.', idempotencyKey: rk },
    }),
    200,
  );
  assert.equal(replayed.thread.messages.length, 2);
  const { threads } = await listThreads(server, server.chair, reportId);
  assert.equal(threads.filter((t) => t.id === first.thread.id).length, 1);
  assert.equal(threads.find((t) => t.id === first.thread.id)!.messages.length, 2);
});

test('bad input is a 400 with a message; strangers get 404', async () => {
  const base = { paragraphId: para, kind: 'comment', body: 'ok', idempotencyKey: key() };
  const bad: Array<[string, Record<string, unknown>]> = [
    ['empty body', { ...base, body: '' }],
    ['blank body', { ...base, body: '   ' }],
    ['10,001 characters', { ...base, body: 'x'.repeat(COMMENT_MAX + 1) }],
    ['unknown paragraph', { ...base, paragraphId: 'no-such-paragraph' }],
    ['unknown kind', { ...base, kind: 'rant' }],
    ['unknown visibility', { ...base, visibility: 'everyone' }],
    ['extra property', { ...base, extra: true }],
    ['long key', { ...base, idempotencyKey: 'k'.repeat(65) }],
    ['no key', { paragraphId: para, kind: 'comment', body: 'ok' }],
    ['proposal without text', { ...base, kind: 'proposal' }],
    ['mention of a stranger', { ...base, mentions: ['u_nobody'] }],
  ];
  for (const [what, body] of bad) {
    const res = await server.request('POST', `/api/reports/${reportId}/threads`, { body });
    assert.equal(res.status, 400, what);
    const msg = ((await res.json()) as { message: string }).message;
    assert.ok(msg.length > 0, `${what}: ${msg}`);
  }
  const ok = await server.request('POST', `/api/reports/${reportId}/threads`, {
    body: { ...base, body: 'x'.repeat(COMMENT_MAX) },
  });
  assert.equal(ok.status, 201, 'exactly 10,000 characters is fine');
  const t = ((await ok.json()) as { thread: { id: string; messages: Array<{ id: string }> } })
    .thread;
  const long = await server.request('POST', `/api/threads/${t.id}/messages`, {
    body: { body: 'y'.repeat(COMMENT_MAX + 1), idempotencyKey: key() },
  });
  assert.equal(long.status, 400);
  assert.match(((await long.json()) as { message: string }).message, /10000/);

  const stranger = await outsider(server, 'chair');
  for (const [method, url] of [
    ['GET', `/api/reports/${reportId}/threads`],
    ['GET', `/api/reports/${reportId}/threads/export?format=csv`],
    ['POST', `/api/threads/${t.id}/resolve`],
    ['POST', `/api/threads/${t.id}/read`],
    ['DELETE', `/api/messages/${t.messages[0]!.id}`],
  ] as const) {
    assert.equal(
      (await server.request(method, url, { as: stranger })).status,
      404,
      `${method} ${url}`,
    );
  }
  const res = await server.request('POST', `/api/reports/${reportId}/threads`, {
    as: stranger,
    body: { ...base, idempotencyKey: key() },
  });
  assert.equal(res.status, 404);
  assert.equal(
    (await server.request('GET', `/api/reports/${reportId}/threads`, { as: null })).status,
    401,
  );
  await waitFor(() => true, 'noop');
});
