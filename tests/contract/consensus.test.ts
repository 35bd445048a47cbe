/**
 * Contract: paragraph statuses, positions and silence procedures, on every engine. A command is
 * one transaction with its audit row and events: when any part of it fails (the position's
 * explanation thread included) nothing of it is written. Two commands racing on one paragraph
 * cannot both pass the same precondition.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsensusCommand, Storage } from '../../server/storage/types.js';
import { ConflictError } from '../../server/storage/types.js';
import type { PersonView } from '../../shared/comments.js';
import { audit, contract, groupWithReport, member, user } from './harness.js';

const chair: PersonView = { id: 'u_chair', name: 'Chair', role: 'chair', represents: null };
const brazil: PersonView = { id: 'u_brazil', name: 'Ana', role: 'expert', represents: 'Brazil' };
const kenya: PersonView = { id: 'u_kenya', name: 'John', role: 'expert', represents: 'Kenya' };
const now = () => new Date().toISOString();

async function setup(storage: Storage) {
  const { reportId, groupId } = await groupWithReport(storage);
  const apply = (c: ConsensusCommand) =>
    storage.applyConsensusCommand(reportId, c, audit(`consensus.${c.type}`, groupId));
  return { reportId, groupId, apply };
}

const status = (paragraphId: string, from: string, to: string): ConsensusCommand =>
  ({ type: 'status', paragraphId, from, to, note: null, by: chair, at: now() }) as ConsensusCommand;

const isConflict = (code: string) => (err: unknown) =>
  err instanceof ConflictError && err.code === code;

contract('consensus', (fresh) => {
  test('statuses: set from what the caller saw, with history; the same status again changes nothing', async () => {
    const { storage } = await fresh();
    const { reportId, apply } = await setup(storage);
    const first = await apply(status('p1', 'draft', 'under_discussion'));
    assert.equal(first.changed, true);
    assert.equal(first.status?.seq, 1);
    await apply(status('p1', 'under_discussion', 'bracketed'));
    await assert.rejects(apply(status('p1', 'draft', 'agreed')), isConflict('consensus-conflict'));
    const same = await apply(status('p1', 'bracketed', 'bracketed'));
    assert.equal(same.changed, false);
    const record = await storage.getConsensus(reportId);
    assert.deepEqual(
      record.statuses.map((s) => [s.paragraphId, s.status, s.from]),
      [['p1', 'bracketed', 'under_discussion']],
    );
    assert.equal(record.seq, 2);
    const history = await storage.getParagraphHistory(reportId, 'p1');
    assert.deepEqual(
      history.statuses.map((h) => [h.from, h.to, h.cause]),
      [
        ['draft', 'under_discussion', 'member'],
        ['under_discussion', 'bracketed', 'member'],
      ],
    );
  });

  test('two status changes racing from the same status: exactly one passes', async () => {
    const { storage } = await fresh();
    const { reportId, apply } = await setup(storage);
    const outcomes = await Promise.allSettled([
      apply(status('p1', 'draft', 'bracketed')),
      apply(status('p1', 'draft', 'deferred')),
      apply(status('p1', 'draft', 'under_discussion')),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    assert.equal((await storage.getParagraphHistory(reportId, 'p1')).statuses.length, 1);
    assert.equal((await storage.getConsensus(reportId)).seq, 1);
  });

  test("positions: one per State and paragraph, with history; the explanation's thread in the same commit", async () => {
    const { storage } = await fresh();
    const { reportId, groupId, apply } = await setup(storage);
    const position = (
      by: PersonView,
      p: string,
      explanation: string | null,
      threadId?: string,
    ): ConsensusCommand => ({
      type: 'position',
      paragraphId: 'p1',
      state: by.represents!,
      position: p as 'can_accept',
      explanation,
      by,
      at: now(),
      thread: threadId
        ? {
            command: {
              type: 'open',
              idempotencyKey: `key-${threadId}`,
              thread: {
                id: threadId,
                paragraphId: 'p1',
                kind: 'comment',
                visibility: 'group',
                delegation: null,
                quote: null,
                proposal: null,
              },
              message: {
                id: `m-${threadId}`,
                author: by,
                body: explanation!,
                mentions: [],
                at: now(),
              },
            },
            audit: audit('thread.open', groupId),
          }
        : null,
    });
    await apply(position(brazil, 'can_accept', null));
    const explained = await apply(position(kenya, 'reservation', 'We need a footnote.', 't_kenya'));
    assert.equal(explained.thread?.id, 't_kenya');
    assert.deepEqual(
      explained.events.map((e) => JSON.parse(e.payload).type),
      ['thread', 'position'],
    );
    assert.equal((await apply(position(brazil, 'can_accept', null))).changed, false);
    // The explanation's thread cannot be opened (its id is taken): the whole command fails and
    // writes nothing, neither the position nor its history nor an event.
    const seq = (await storage.getConsensus(reportId)).seq;
    await assert.rejects(apply(position(brazil, 'cannot_accept', 'Not this text.', 't_kenya')));
    const record = await storage.getConsensus(reportId);
    assert.equal(record.seq, seq);
    assert.deepEqual(
      record.positions.map((p) => [p.state, p.position]),
      [
        ['Brazil', 'can_accept'],
        ['Kenya', 'reservation'],
      ],
    );
    assert.equal((await storage.getParagraphHistory(reportId, 'p1')).positions.length, 2);
    assert.equal((await storage.listThreads(reportId)).length, 1);
  });

  test('silences: lock their paragraphs; broken returns them to discussion, settled agrees them', async () => {
    const { storage } = await fresh();
    const { reportId, apply } = await setup(storage);
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const start = (id: string, paragraphIds: string[]): ConsensusCommand => ({
      type: 'start-silence',
      id,
      paragraphIds,
      deadline,
      timeZone: 'Africa/Nairobi',
      by: chair,
      at: now(),
    });
    await apply(start('s_one', ['p1', 'p2']));
    await apply(start('s_two', ['p3']));
    assert.deepEqual([...(await storage.lockedParagraphIds(reportId))].sort(), ['p1', 'p2', 'p3']);
    await assert.rejects(apply(start('s_three', ['p2'])), isConflict('consensus-conflict'));
    await assert.rejects(
      apply(status('p1', 'draft', 'bracketed')),
      isConflict('consensus-conflict'),
    );
    assert.deepEqual(
      (await storage.listRunningSilences()).map((s) => s.id),
      ['s_one', 's_two'],
    );
    const broken = await apply({
      type: 'break-silence',
      silenceId: 's_one',
      statement: 'No.',
      by: kenya,
      at: now(),
    });
    assert.equal(broken.silence?.state, 'broken');
    await assert.rejects(
      apply({
        type: 'break-silence',
        silenceId: 's_one',
        statement: 'Again',
        by: kenya,
        at: now(),
      }),
      isConflict('consensus-conflict'),
    );
    // Settling before the deadline changes nothing; after it, the paragraphs are agreed.
    assert.equal(
      (await apply({ type: 'settle-silence', silenceId: 's_two', at: now() })).changed,
      false,
    );
    const settled = await apply({
      type: 'settle-silence',
      silenceId: 's_two',
      at: new Date(Date.now() + 7_200_000).toISOString(),
    });
    assert.equal(settled.silence?.state, 'adopted');
    const record = await storage.getConsensus(reportId);
    assert.deepEqual(record.statuses.map((s) => [s.paragraphId, s.status]).sort(), [
      ['p1', 'under_discussion'],
      ['p2', 'under_discussion'],
      ['p3', 'agreed'],
    ]);
    assert.deepEqual(
      [...(await storage.lockedParagraphIds(reportId))],
      ['p3'],
      'agreed text stays locked',
    );
    assert.deepEqual(await storage.listRunningSilences(), []);
    assert.equal((await storage.getSilence('s_two'))?.settledAt !== null, true);
    await assert.rejects(
      apply({ type: 'cancel-silence', silenceId: 's_none', by: chair, at: now() }),
      isConflict('not-found'),
    );
    // Events: seqs consecutive across statuses and silences.
    const events = await storage.listEvents(reportId, 0);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
  });

  test('a settlement racing with a break: exactly one of them takes the silence', async () => {
    const { storage } = await fresh();
    const { reportId, apply } = await setup(storage);
    const deadline = new Date(Date.now() + 60_000).toISOString();
    await apply({
      type: 'start-silence',
      id: 's_race',
      paragraphIds: ['p9'],
      deadline,
      timeZone: 'UTC',
      by: chair,
      at: now(),
    });
    const outcomes = await Promise.allSettled([
      apply({ type: 'cancel-silence', silenceId: 's_race', by: chair, at: now() }),
      apply({
        type: 'break-silence',
        silenceId: 's_race',
        statement: 'Object',
        by: brazil,
        at: now(),
      }),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const history = await storage.getParagraphHistory(reportId, 'p9');
    assert.ok(history.statuses.length <= 1);
  });

  test("a silence's end reaches every member's inbox: adopted to all, broken to all but who broke it", async () => {
    const { storage } = await fresh();
    const { reportId, groupId, apply } = await setup(storage);
    const people = { chair: user(), brazil: user(), kenya: user() };
    await storage.createUser(people.chair, member(groupId, people.chair.id, 'chair'), audit('u'));
    await storage.createUser(
      people.brazil,
      member(groupId, people.brazil.id, 'expert', 'Brazil'),
      audit('u'),
    );
    await storage.createUser(
      people.kenya,
      member(groupId, people.kenya.id, 'expert', 'Kenya'),
      audit('u'),
    );
    const outsider = user();
    await storage.createUser(outsider, null, audit('u'));
    const ran: PersonView = { ...chair, id: people.chair.id };
    const start = (id: string, paragraphIds: string[]): ConsensusCommand => ({
      type: 'start-silence',
      id,
      paragraphIds,
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      timeZone: 'UTC',
      by: ran,
      at: now(),
    });
    await apply(start('s_pass', ['p1', 'p2']));
    await apply(start('s_break', ['p3']));
    assert.deepEqual(await storage.listInbox(people.brazil.id), [], 'nothing while running');

    await apply({
      type: 'settle-silence',
      silenceId: 's_pass',
      at: new Date(Date.now() + 7_200_000).toISOString(),
    });
    for (const u of Object.values(people)) {
      const items = await storage.listInbox(u.id);
      assert.deepEqual(
        items.map((i) => [i.reason, i.messageId, i.threadId, i.paragraphId, i.unread]),
        [['silence-adopted', 's_pass', null, 'p1', true]],
      );
      assert.equal(items[0]!.author.id, people.chair.id, 'the chair who ran it');
      assert.equal(items[0]!.reportTitle, 'Report');
      assert.equal(items[0]!.groupId, groupId);
      assert.equal(items[0]!.visibility, 'group');
      assert.match(items[0]!.excerpt, /No one broke silence/);
    }
    assert.deepEqual(await storage.listInbox(outsider.id), [], 'not a member: nothing');

    const kenyan: PersonView = { ...kenya, id: people.kenya.id };
    await apply({
      type: 'break-silence',
      silenceId: 's_break',
      statement: 'Kenya cannot join consensus on this paragraph.',
      by: kenyan,
      at: new Date(Date.now() + 1000).toISOString(),
    });
    const brazils = await storage.listInbox(people.brazil.id);
    assert.deepEqual(
      brazils.map((i) => [i.reason, i.messageId]),
      [
        ['silence-adopted', 's_pass'],
        ['silence-broken', 's_break'],
      ],
      'newest first (the settlement is dated two hours ahead)',
    );
    assert.equal(brazils[1]!.author.id, people.kenya.id, 'who broke it');
    assert.match(brazils[1]!.excerpt, /Kenya cannot join consensus/);
    assert.deepEqual(
      (await storage.listInbox(people.kenya.id)).map((i) => i.messageId),
      ['s_pass'],
      'who broke it is not told',
    );

    // Read per member, by the silence's id.
    assert.equal(await storage.markInboxRead(people.brazil.id, ['s_break']), 1);
    assert.equal(await storage.markInboxRead(people.brazil.id, ['s_break']), 0, 'already read');
    assert.deepEqual(
      (await storage.listInbox(people.brazil.id)).map((i) => i.unread),
      [true, false],
    );
    assert.equal((await storage.listInbox(people.chair.id)).filter((i) => i.unread).length, 2);

    // A cancelled silence tells no one; nor does a settlement that changes nothing.
    await apply(start('s_cancel', ['p4']));
    await apply({ type: 'cancel-silence', silenceId: 's_cancel', by: ran, at: now() });
    assert.equal((await storage.listInbox(people.brazil.id)).length, 2);
    void reportId;
  });
});
