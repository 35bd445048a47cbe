/**
 * Contract: comment threads, report events, idempotency keys and the inbox, on every engine.
 * Each command writes one event with the report's next seq, from a counter row: commands racing
 * on one report get consecutive, distinct seqs (MAX(seq) + 1 would hand two of them the same).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Storage, ThreadCommand } from '../../server/storage/types.js';
import { ConflictError } from '../../server/storage/types.js';
import type { PersonView, ThreadVisibility } from '../../shared/comments.js';
import { audit, contract, groupWithReport } from './harness.js';

const chair: PersonView = { id: 'u_chair', name: 'Chair', role: 'chair', represents: null };
const brazil: PersonView = { id: 'u_brazil', name: 'Ana', role: 'expert', represents: 'Brazil' };

let counter = 0;
const id = (p: string) => `${p}_${Date.now().toString(36)}${(++counter).toString(36)}`;
const at = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

function open(
  by: PersonView,
  visibility: ThreadVisibility = 'group',
  minute = 0,
  key = id('k'),
): ThreadCommand & { type: 'open' } {
  return {
    type: 'open',
    idempotencyKey: key,
    thread: {
      id: id('t'),
      paragraphId: 'p1',
      kind: 'comment',
      visibility,
      delegation: visibility === 'delegation' ? by.represents : null,
      quote: null,
      proposal: null,
    },
    message: {
      id: id('m'),
      author: by,
      body: `Opened by ${by.name}`,
      mentions: [],
      at: at(minute),
    },
  };
}

function reply(threadId: string, by: PersonView, minute: number, key = id('k')): ThreadCommand {
  return {
    type: 'reply',
    idempotencyKey: key,
    threadId,
    message: { id: id('m'), author: by, body: `Reply ${minute}`, mentions: [], at: at(minute) },
  };
}

async function setup(storage: Storage) {
  const { reportId, groupId } = await groupWithReport(storage);
  return {
    reportId,
    groupId,
    a: (c: ThreadCommand, notify: Parameters<Storage['applyThreadCommand']>[3] = []) =>
      storage.applyThreadCommand(reportId, c, audit(`thread.${c.type}`, groupId), notify),
  };
}

contract('threads', (fresh) => {
  test('each command writes one event with the next seq; the thread carries it', async () => {
    const { storage } = await fresh();
    const { reportId, a } = await setup(storage);
    assert.equal(await storage.lastEventSeq(reportId), 0);
    const opened = await a(open(brazil));
    assert.equal(opened.created, true);
    assert.equal(opened.thread.seq, 1);
    const t = opened.thread.id;
    await a(reply(t, chair, 1));
    await a({ type: 'resolve', threadId: t, by: chair, at: at(2) });
    await a({ type: 'reopen', threadId: t, at: at(3) });
    await a({ type: 'applied', threadId: t, by: chair, at: at(4) });
    const events = await storage.listEvents(reportId, 0);
    assert.deepEqual(
      events.map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
    const last = JSON.parse(events[4]!.payload) as {
      seq: number;
      type: string;
      thread: { seq: number; status: string; messages: unknown[] };
    };
    assert.equal(last.type, 'thread');
    assert.equal(last.thread.seq, 5);
    assert.equal(last.thread.messages.length, 2);
    assert.deepEqual(
      (await storage.listEvents(reportId, 3)).map((e) => e.seq),
      [4, 5],
    );
    const thread = (await storage.getThread(t))!;
    assert.equal(thread.status, 'open');
    assert.deepEqual(thread.appliedBy, chair);
    assert.equal(await storage.lastEventSeq(reportId), 5);
  });

  test('commands racing on one report get consecutive, distinct seqs', async () => {
    const { storage } = await fresh();
    const { reportId, a } = await setup(storage);
    const t = (await a(open(chair))).thread.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => a(reply(t, brazil, i + 1))),
    );
    assert.deepEqual(
      results.map((r) => r.thread.seq).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    const events = await storage.listEvents(reportId, 0);
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
    assert.equal((await storage.getThread(t))!.messages.length, 21);
  });

  test('an idempotency key replayed writes nothing and returns the thread as it is', async () => {
    const { storage } = await fresh();
    const { reportId, a } = await setup(storage);
    const first = open(brazil, 'group', 0, 'same-key');
    const opened = await a(first);
    const again = await a({
      ...first,
      thread: { ...first.thread, id: id('t') },
      message: { ...first.message, id: id('m') },
    });
    assert.equal(again.created, false);
    assert.equal(again.thread.id, opened.thread.id);
    const r1 = reply(opened.thread.id, brazil, 1, 'reply-key');
    await a(r1);
    const r2 = await a(reply(opened.thread.id, brazil, 2, 'reply-key'));
    assert.equal(r2.created, false);
    assert.equal(r2.thread.messages.length, 2);
    assert.equal(await storage.lastEventSeq(reportId), 2, 'no event for a replay');
    // The key is the user's: another user may use the same one.
    assert.equal((await a(reply(opened.thread.id, chair, 3, 'reply-key'))).created, true);
  });

  test('visibility: each event carries its thread audience; threads list in order', async () => {
    const { storage } = await fresh();
    const { reportId, a } = await setup(storage);
    await a(open(brazil, 'group', 1));
    await a(open(brazil, 'delegation', 2));
    await a(open(brazil, 'chair', 3));
    assert.deepEqual(
      (await storage.listEvents(reportId, 0)).map((e) => e.audience),
      ['group', 'delegation:Brazil', 'chair:u_brazil'],
    );
    assert.deepEqual(
      (await storage.listThreads(reportId)).map((t) => t.visibility),
      ['group', 'delegation', 'chair'],
    );
    // Messages in the same millisecond keep their order.
    const t = (await storage.listThreads(reportId))[0]!.id;
    for (const n of [5, 5, 5]) await a(reply(t, chair, n));
    const bodies = (await storage.getThread(t))!.messages.map((m) => m.body);
    assert.deepEqual(bodies, ['Opened by Ana', 'Reply 5', 'Reply 5', 'Reply 5']);
  });

  test('edit keeps the old words; delete hides them everywhere, stored events included', async () => {
    const { storage } = await fresh();
    const { reportId, a } = await setup(storage);
    const opened = await a(open(brazil));
    const messageId = opened.thread.messages[0]!.id;
    await a({ type: 'edit', messageId, body: 'Edited', at: at(1) });
    assert.equal((await storage.getThread(opened.thread.id))!.messages[0]!.editedAt, at(1));
    await a({ type: 'delete', messageId, by: chair.id, at: at(2) });
    const ref = await storage.getMessage(messageId);
    assert.deepEqual(ref, {
      id: messageId,
      threadId: opened.thread.id,
      authorId: brazil.id,
      deleted: true,
    });
    for (const e of await storage.listEvents(reportId, 0)) {
      assert.ok(!e.payload.includes('Opened by Ana'), `event ${e.seq} still has the words`);
      assert.ok(!e.payload.includes('Edited'), `event ${e.seq} still has the edit`);
    }
    await assert.rejects(
      a({ type: 'edit', messageId, body: 'again', at: at(3) }),
      (err: unknown) => err instanceof ConflictError && err.code === 'not-found',
    );
  });

  test('a thread of another report, or none, is not found and nothing is written', async () => {
    const { storage } = await fresh();
    const first = await setup(storage);
    const second = await setup(storage);
    const t = (await first.a(open(brazil))).thread.id;
    for (const c of [
      reply(t, chair, 1),
      { type: 'resolve', threadId: t, by: chair, at: at(1) } as ThreadCommand,
      reply('t_none', chair, 2),
    ]) {
      await assert.rejects(
        second.a(c),
        (err: unknown) => err instanceof ConflictError && err.code === 'not-found',
      );
    }
    assert.equal(await storage.lastEventSeq(second.reportId), 0);
    assert.equal((await storage.getThread(t))!.status, 'open');
    assert.equal((await storage.getThread(t))!.messages.length, 1);
  });

  test('inbox: mentions and replies, newest first; read per message and per thread', async () => {
    const { storage } = await fresh();
    const { a, reportId } = await setup(storage);
    const t = (await a(open(brazil, 'group', 0))).thread;
    await a(reply(t.id, chair, 1), [{ userId: brazil.id, reason: 'reply' }]);
    const mention = reply(t.id, chair, 2);
    await a(mention, [
      { userId: brazil.id, reason: 'reply' },
      { userId: brazil.id, reason: 'mention' },
    ]);
    const inbox = await storage.listInbox(brazil.id);
    assert.deepEqual(
      inbox.map((i) => [i.excerpt, i.reason, i.unread]),
      [
        ['Reply 2', 'mention', true],
        ['Reply 2', 'reply', true],
        ['Reply 1', 'reply', true],
      ],
    );
    assert.equal(inbox[0]!.reportTitle, 'Report');
    const mentionId = (mention as { message: { id: string } }).message.id;
    assert.equal(await storage.markInboxRead(brazil.id, [mentionId]), 2);
    assert.equal(await storage.markInboxRead(brazil.id, [mentionId]), 0, 'already read');
    await storage.markThreadRead(brazil.id, t.id);
    assert.ok((await storage.listInbox(brazil.id)).every((i) => !i.unread));
    const marker = (await storage.listThreadReads(brazil.id, reportId)).get(t.id);
    assert.deepEqual(marker, { seq: 3, lastMessageAt: at(2) });
    // A later read moves the marker on.
    await a(reply(t.id, chair, 3));
    await storage.markThreadRead(brazil.id, t.id);
    assert.equal((await storage.listThreadReads(brazil.id, reportId)).get(t.id)?.seq, 4);
  });
});
