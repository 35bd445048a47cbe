/**
 * Silence procedures against the server's clock (short deadlines: CONCORD_SILENCE_MIN_MS is
 * lowered for these tests). Broken before the deadline: the paragraphs go back to under
 * discussion, whoever broke it and their statement are recorded, everyone is told (pushed to the
 * room, and in every other member's inbox). Unbroken at the deadline: adopted, the paragraphs
 * agreed and locked, and the room and every member's inbox told so. A deadline that passes while the
 * server is stopped is settled when it starts, and a silence broken before it stays broken.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InboxResponse } from '../../shared/comments.js';
import type { SilenceView } from '../../shared/consensus.js';
import { auditEvents } from '../helpers/auth.js';
import { closeEventClients, EventClient, json, paragraphIds } from '../helpers/comments.js';
import { consensusOf, historyOf, startSilence, statusOf } from '../helpers/consensus.js';
import {
  startTestServer,
  type TestServer,
  type TestUser,
  tempDir,
  waitFor,
} from '../helpers/server.js';

const config = { silenceMinMs: 100 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inboxOf(server: TestServer, as: TestUser): Promise<InboxResponse> {
  return json<InboxResponse>(await server.request('GET', '/api/inbox', { as }), 200);
}

function breakSilence(server: TestServer, id: string, as: TestUser, statement: unknown) {
  return server.request('POST', `/api/silences/${id}/break`, { as, body: { statement } });
}

async function silenceOf(server: TestServer, reportId: string, id: string): Promise<SilenceView> {
  return (await consensusOf(server, reportId)).silences.find((s) => s.id === id)!;
}

describe('on a running server', () => {
  let server: TestServer;
  let kenya: TestUser;

  before(async () => {
    server = await startTestServer({ config });
    kenya = await server.addUser('expert', 'Kenya');
  });
  after(async () => {
    closeEventClients();
    await server?.close();
  });

  test('broken before the deadline: paragraphs back to under discussion, recorded, pushed; the deadline then changes nothing', async () => {
    const { id } = await server.createReport('Silence broken');
    const [a, b] = await paragraphIds(server, id);
    const s = await startSilence(server, id, [a!, b!], 1500);
    const chairSock = await EventClient.connect(server, server.chair, id, s.seq - 1);
    await chairSock.waitForSeq(s.seq);

    for (const statement of ['', '   ', 'x'.repeat(2001), 42])
      assert.equal((await breakSilence(server, s.id, kenya, statement)).status, 400);
    assert.equal((await breakSilence(server, s.id, server.chair, 'No.')).status, 403);

    const res = await breakSilence(server, s.id, kenya, '  Kenya cannot join consensus on (b).  ');
    const broken = (await json<{ silence: SilenceView }>(res, 200)).silence;
    assert.equal(broken.state, 'broken');
    assert.equal(broken.brokenBy?.represents, 'Kenya');
    assert.equal(broken.statement, 'Kenya cannot join consensus on (b).');
    assert.ok(broken.brokenAt && Date.parse(broken.brokenAt) < Date.parse(broken.deadline));
    await chairSock.waitForSeq(broken.seq, 'the broken silence at the chair');
    const pushed = chairSock.events.filter((e) => e.seq > s.seq);
    assert.deepEqual(
      pushed.map((e) => e.type),
      ['status', 'status', 'silence'],
    );
    for (const pid of [a!, b!]) {
      assert.equal(await statusOf(server, id, pid), 'under_discussion');
      const h = await historyOf(server, id, pid);
      assert.deepEqual(
        h.statuses.map((c) => [c.from, c.to, c.cause, c.by?.id]),
        [['draft', 'under_discussion', 'silence', kenya.id]],
      );
    }
    assert.equal((await server.app.storage.lockedParagraphIds(id)).size, 0, 'unlocked');
    assert.equal((await breakSilence(server, s.id, kenya, 'Again.')).status, 409);
    // The chair's inbox says so; who broke it is not told of their own act.
    const told = (await inboxOf(server, server.chair)).items.find((i) => i.messageId === s.id);
    assert.equal(told?.reason, 'silence-broken');
    assert.equal(told?.author.id, kenya.id);
    assert.equal(told?.reportId, id);
    assert.match(told?.excerpt ?? '', /Kenya cannot join consensus on \(b\)/);
    assert.ok(!(await inboxOf(server, kenya)).items.some((i) => i.messageId === s.id));

    await sleep(Date.parse(s.deadline) - Date.now() + 300);
    assert.equal((await silenceOf(server, id, s.id)).state, 'broken', 'still broken');
    assert.equal(await statusOf(server, id, a!), 'under_discussion');
    const audit = (await auditEvents(server)).filter((e) => e.target === s.id);
    assert.deepEqual(
      audit.map((e) => e.action),
      ['silence.break', 'silence.start'],
    );
    await chairSock.close();
  });

  test('unbroken at the deadline: adopted, paragraphs agreed and locked, pushed live', async () => {
    const { id } = await server.createReport('Silence adopted');
    const [a] = await paragraphIds(server, id);
    const expertSock = await EventClient.connect(server, kenya, id);
    const s = await startSilence(server, id, [a!], 400);
    await waitFor(
      () => expertSock.events.some((e) => e.type === 'silence' && e.silence.state === 'adopted'),
      'the adoption event',
    );
    const adopted = await silenceOf(server, id, s.id);
    assert.equal(adopted.state, 'adopted');
    assert.ok(Date.parse(adopted.settledAt!) >= Date.parse(s.deadline));
    assert.equal(await statusOf(server, id, a!), 'agreed');
    const h = await historyOf(server, id, a!);
    assert.deepEqual(
      h.statuses.map((c) => [c.from, c.to, c.cause, c.by, c.at]),
      [['draft', 'agreed', 'silence', null, s.deadline]],
    );
    assert.ok((await server.app.storage.lockedParagraphIds(id)).has(a!));
    assert.equal((await breakSilence(server, s.id, kenya, 'Too late.')).status, 409);
    // Every member's inbox says it passed (the chair who ran it included), until read.
    for (const who of [kenya, server.chair]) {
      const before = await inboxOf(server, who);
      const item = before.items.find((i) => i.messageId === s.id);
      assert.equal(item?.reason, 'silence-adopted');
      assert.equal(item?.threadId, null);
      assert.equal(item?.paragraphId, a);
      assert.equal(item?.unread, true);
      const read = await server.request('POST', `/api/inbox/${s.id}/read`, { as: who });
      assert.equal(read.status, 204);
      const after = await inboxOf(server, who);
      assert.equal(after.unread, before.unread - 1);
      assert.equal(after.items.find((i) => i.messageId === s.id)?.unread, false);
    }
    const audit = (await auditEvents(server)).filter((e) => e.target === s.id);
    assert.deepEqual(
      audit.map((e) => [e.action, e.actorId]),
      [
        ['silence.adopt', null],
        ['silence.start', server.chair.id],
      ],
    );
    await expertSock.close();
  });

  test('after the deadline nobody can break silence, even before the server settled it', async () => {
    const { id } = await server.createReport('Silence late');
    const [a] = await paragraphIds(server, id);
    await server.app.silences.stop(); // the deadline passes unattended
    try {
      const s = await startSilence(server, id, [a!], 200);
      await sleep(400);
      const res = await breakSilence(server, s.id, kenya, 'Objection.');
      assert.equal(res.status, 409);
      assert.match(((await res.json()) as { message: string }).message, /deadline has passed/);
    } finally {
      await server.app.silences.start();
    }
  });

  test('a deadline beyond setTimeout’s range (60 days) does not fire early', async () => {
    const { id } = await server.createReport('Silence long');
    const [a] = await paragraphIds(server, id);
    const s = await startSilence(server, id, [a!], 59 * 24 * 3600_000);
    await sleep(300);
    assert.equal((await silenceOf(server, id, s.id)).state, 'running');
    await server.request('POST', `/api/silences/${s.id}/cancel`);
  });
});

describe('across a restart', () => {
  test('a deadline that passed while the server was stopped is settled on start; a silence broken before it stays broken', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir, config });
    const kenya = await first.addUser('expert', 'Kenya');
    const { id } = await first.createReport('Restart');
    const [a, b] = await paragraphIds(first, id);
    const unbroken = await startSilence(first, id, [a!], 1200);
    const broken = await startSilence(first, id, [b!], 1200);
    const res = await breakSilence(first, broken.id, kenya, 'We object.');
    const brokenAt = (await json<{ silence: SilenceView }>(res, 200)).silence.brokenAt;
    await first.close();

    await sleep(Date.parse(unbroken.deadline) - Date.now() + 200);
    const second = await startTestServer({ dataDir, config });
    try {
      // Settled before the server listened: no waiting.
      const c = await consensusOf(second, id);
      const adopted = c.silences.find((s) => s.id === unbroken.id)!;
      assert.equal(adopted.state, 'adopted');
      assert.ok(Date.parse(adopted.settledAt!) > Date.parse(adopted.deadline));
      assert.equal(await statusOf(second, id, a!), 'agreed');
      const h = await historyOf(second, id, a!);
      assert.deepEqual(
        h.statuses.map((x) => [x.to, x.cause, x.at]),
        [['agreed', 'silence', unbroken.deadline]],
      );
      const stillBroken = c.silences.find((s) => s.id === broken.id)!;
      assert.deepEqual(
        [stillBroken.state, stillBroken.brokenAt, stillBroken.brokenBy?.id],
        ['broken', brokenAt, kenya.id],
      );
      assert.equal(await statusOf(second, id, b!), 'under_discussion');
      assert.deepEqual([...(await second.app.storage.lockedParagraphIds(id))], [a!]);
    } finally {
      await second.close();
    }
  });
});
