/**
 * Consensus tracking as commands (issue 5): paragraph statuses, positions of delegations and
 * silence procedures over HTTP, on a real server with real SQLite. Each command is checked
 * against STATUS_TRANSITIONS and the permission matrix (recordPosition, setStatus,
 * declareAgreement, runSilence, breakSilence: every role, allowed or refused), stored with its
 * audit row, kept in history, and pushed live to the report's clients. A storage fault in the
 * middle of a command answers 503 and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONSENSUS_NOTE_MAX, type StatusView } from '../../shared/consensus.js';
import { ROLES, type Role, roleCan } from '../../shared/roles.js';
import { auditEvents, outsider } from '../helpers/auth.js';
import {
  Cleanup,
  paragraphs as clientParagraphs,
  connectClient,
  isLive,
  paragraphText,
  reportXml,
  serverDoc,
} from '../helpers/clients.js';
import {
  closeEventClients,
  EventClient,
  json,
  listThreads,
  paragraphIds,
} from '../helpers/comments.js';
import {
  appendToParagraph,
  consensusOf,
  historyOf,
  postPosition,
  postSilence,
  postStatus,
  recordPosition,
  setStatus,
  startSilence,
  statusOf,
} from '../helpers/consensus.js';
import { injectInsertFault } from '../helpers/engines.js';
import {
  startTestServer,
  type TestServer,
  type TestUser,
  tempDir,
  waitFor,
} from '../helpers/server.js';

let server: TestServer;
const users = {} as Record<Role, TestUser>;
let brazil: TestUser;

before(async () => {
  server = await startTestServer();
  users.chair = server.chair;
  users.secretariat = await server.addUser('secretariat');
  users.expert = await server.addUser('expert', 'Kenya');
  users.observer = await server.addUser('observer', 'European Union');
  brazil = await server.addUser('expert', 'Brazil');
});

after(async () => {
  closeEventClients();
  await server?.close();
});

/** A fresh report and its paragraph ids. */
async function report(title = 'Consensus'): Promise<{ id: string; paras: string[] }> {
  const { id } = await server.createReport(title);
  return { id, paras: await paragraphIds(server, id) };
}

async function expectError(res: Response, status: number, message?: RegExp): Promise<void> {
  const body = (await res.json()) as { statusCode: number; message: string };
  assert.equal(res.status, status, `${res.status}: ${body.message}`);
  assert.equal(body.statusCode, status);
  if (message) assert.match(body.message, message);
}

describe('paragraph status', () => {
  test('set, pushed live, kept in history and the audit log; the same status again is a no-op', async () => {
    const r = await report();
    const pid = r.paras[0]!;
    const watcher = await EventClient.connect(server, users.observer, r.id);

    const open = await setStatus(server, r.id, pid, 'under_discussion', users.secretariat);
    assert.deepEqual(
      [open.from, open.status, open.by?.id],
      ['draft', 'under_discussion', users.secretariat.id],
    );
    await watcher.waitForSeq(open.seq, 'the status event');
    const pushed = watcher.events.find((e) => e.seq === open.seq);
    assert.equal(pushed?.type, 'status');
    assert.deepEqual(pushed?.type === 'status' && pushed.status, open);

    const seqBefore = await server.app.storage.lastEventSeq(r.id);
    const again = await setStatus(server, r.id, pid, 'under_discussion', users.secretariat);
    assert.deepEqual(again, open, 'the same status answers the current one');
    assert.equal(await server.app.storage.lastEventSeq(r.id), seqBefore, 'no new event');

    const agreed = await setStatus(server, r.id, pid, 'agreed', users.chair, 'Agreed in plenary.');
    await watcher.waitForSeq(agreed.seq, 'the agreement');
    assert.ok((await server.app.storage.lockedParagraphIds(r.id)).has(pid), 'agreed text locked');

    const c = await consensusOf(server, r.id, users.observer);
    assert.deepEqual(
      c.statuses.map((s) => [s.paragraphId, s.status, s.from, s.note]),
      [[pid, 'agreed', 'under_discussion', 'Agreed in plenary.']],
    );
    assert.ok(c.seq >= agreed.seq);

    const h = await historyOf(server, r.id, pid, users.expert);
    assert.deepEqual(
      h.statuses.map((s) => [s.from, s.to, s.by?.id, s.cause]),
      [
        ['draft', 'under_discussion', users.secretariat.id, 'member'],
        ['under_discussion', 'agreed', users.chair.id, 'member'],
      ],
    );

    const reopened = await setStatus(
      server,
      r.id,
      pid,
      'under_discussion',
      users.chair,
      'Kenya asked.',
    );
    assert.equal(reopened.note, 'Kenya asked.');
    assert.ok(!(await server.app.storage.lockedParagraphIds(r.id)).has(pid), 'reopened: unlocked');
    const actions = (await auditEvents(server))
      .filter((a) => a.target === pid)
      .map((a) => a.action);
    assert.deepEqual(actions, ['paragraph.reopen', 'paragraph.status', 'paragraph.status']);
    await watcher.close();
  });

  test('refusals: no session 401, bad body 400, unknown report or paragraph 404, role 403, transition 409, reopening without a reason 400', async () => {
    const r = await report();
    const pid = r.paras[0]!;
    await expectError(await postStatus(server, r.id, pid, { status: 'agreed' }, null), 401);
    for (const body of [
      {},
      { status: 'done' },
      { status: 'agreed', extra: 1 },
      { status: 'agreed', note: '' },
      { status: 'agreed', note: '   ' },
      { status: 'agreed', note: 'x'.repeat(CONSENSUS_NOTE_MAX + 1) },
      { status: ['agreed'] },
    ])
      await expectError(await postStatus(server, r.id, pid, body), 400);
    await expectError(await postStatus(server, 'zzzzzzzzzzzzzzzz', pid, { status: 'agreed' }), 404);
    const stranger = await outsider(server, 'chair');
    await expectError(
      await postStatus(server, r.id, pid, { status: 'agreed' }, stranger),
      404,
      /No such report/,
    );
    await expectError(
      await postStatus(server, r.id, 'nosuchparagraph', { status: 'agreed' }),
      404,
      /No paragraph nosuchparagraph/,
    );
    await expectError(
      await postStatus(server, r.id, pid, { status: 'bracketed' }, users.observer),
      403,
    );
    await expectError(
      await postStatus(server, r.id, pid, { status: 'bracketed' }, users.expert),
      403,
    );
    await expectError(
      await postStatus(server, r.id, pid, { status: 'agreed' }, users.secretariat),
      403,
      /Only the chair/,
    );
    await setStatus(server, r.id, pid, 'agreed');
    await expectError(
      await postStatus(server, r.id, pid, { status: 'draft', note: 'why not' }),
      409,
      /cannot go from Agreed to Draft/,
    );
    await expectError(
      await postStatus(server, r.id, pid, { status: 'under_discussion' }, users.secretariat),
      403,
      /reopen/,
    );
    await expectError(
      await postStatus(server, r.id, pid, { status: 'under_discussion' }),
      400,
      /reason/,
    );
    assert.equal(await statusOf(server, r.id, pid), 'agreed', 'nothing changed');
    assert.equal((await historyOf(server, r.id, pid)).statuses.length, 1);
  });

  test('square brackets in the live text refuse agreement (409); quoted brackets do not', async () => {
    const r = await report();
    const [bracketed, quoted] = r.paras;
    await appendToParagraph(server, r.id, bracketed!, 'States [should][shall] cooperate.');
    for (const status of ['agreed', 'agreed_ad_ref', 'deleted_by_agreement'])
      await expectError(
        await postStatus(server, r.id, bracketed!, { status }),
        409,
        /still has square brackets/,
      );
    // Working statuses are fine with brackets.
    await setStatus(server, r.id, bracketed!, 'bracketed', users.secretariat);
    await appendToParagraph(server, r.id, quoted!, 'Recalling the item “Developments [in ICT]”.');
    await setStatus(server, r.id, quoted!, 'agreed');
    assert.equal(await statusOf(server, r.id, bracketed!), 'bracketed');
  });
});

describe('positions', () => {
  test('one current position per State, with history; the explanation opens a thread; all pushed live', async () => {
    const r = await report();
    const pid = r.paras[1]!;
    const chairSock = await EventClient.connect(server, users.chair, r.id);
    const first = await recordPosition(
      server,
      r.id,
      pid,
      users.expert,
      'cannot_accept',
      'The second sentence prejudges the law.',
    );
    assert.equal(first.position.state, 'Kenya');
    assert.equal(first.position.position, 'cannot_accept');
    assert.ok(first.thread);
    assert.equal(
      first.thread.messages[0]!.body,
      'Position of Kenya: Cannot accept — The second sentence prejudges the law.',
    );
    assert.deepEqual(
      [first.thread.paragraphId, first.thread.visibility, first.thread.author.id],
      [pid, 'group', users.expert.id],
    );
    await chairSock.waitForSeq(first.position.seq, 'the position event');
    const types = chairSock.events.map((e) => e.type);
    assert.deepEqual(types, ['thread', 'position']);
    const { threads } = await listThreads(server, users.observer, r.id);
    assert.deepEqual(
      threads.map((t) => t.id),
      [first.thread.id],
    );

    const second = await recordPosition(server, r.id, pid, users.expert, 'can_accept');
    assert.equal(second.thread, null, 'no explanation, no thread');
    await recordPosition(server, r.id, pid, brazil, 'reservation', 'Pending capital.');
    const seq = await server.app.storage.lastEventSeq(r.id);
    const same = await recordPosition(server, r.id, pid, brazil, 'reservation', 'Pending capital.');
    assert.equal(same.thread, null);
    assert.equal(await server.app.storage.lastEventSeq(r.id), seq, 'the same position: no event');

    const c = await consensusOf(server, r.id, users.observer);
    assert.deepEqual(c.positions.map((p) => [p.state, p.position]).sort(), [
      ['Brazil', 'reservation'],
      ['Kenya', 'can_accept'],
    ]);
    assert.ok(c.states.includes('Brazil') && c.states.includes('Kenya'));
    assert.deepEqual(
      c.states,
      [...c.states].sort((a, b) => a.localeCompare(b)),
    );
    assert.ok(!c.states.includes('European Union'), 'observers are not matrix columns');
    assert.equal(c.ripeRule, 'no-objection');
    const h = await historyOf(server, r.id, pid);
    assert.deepEqual(
      h.positions.map((p) => [p.state, p.position, p.explanation]),
      [
        ['Kenya', 'cannot_accept', 'The second sentence prejudges the law.'],
        ['Kenya', 'can_accept', null],
        ['Brazil', 'reservation', 'Pending capital.'],
      ],
    );
    const audit = (await auditEvents(server)).filter((a) => a.target === pid);
    assert.equal(audit.filter((a) => a.action === 'paragraph.position').length, 3);
    await chairSock.close();
  });

  test('refusals: 401, 400, 403 for roles without recordPosition, 404 for unknown paragraphs', async () => {
    const r = await report();
    const pid = r.paras[0]!;
    await expectError(await postPosition(server, r.id, pid, { position: 'can_accept' }, null), 401);
    for (const body of [
      {},
      { position: 'maybe' },
      { position: 'can_accept', explanation: '' },
      { position: 'can_accept', explanation: 'x'.repeat(CONSENSUS_NOTE_MAX + 1) },
      { position: 'can_accept', state: 'France' },
    ])
      await expectError(await postPosition(server, r.id, pid, body, users.expert), 400);
    for (const role of ['chair', 'secretariat', 'observer'] as const)
      await expectError(
        await postPosition(server, r.id, pid, { position: 'can_accept' }, users[role]),
        403,
      );
    await expectError(
      await postPosition(server, r.id, 'nosuchparagraph', { position: 'can_accept' }, users.expert),
      404,
    );
    assert.deepEqual((await consensusOf(server, r.id)).positions, []);
  });
});

describe('silence procedures (HTTP)', () => {
  test('start: validated, locks its paragraphs, refuses status changes; cancel: statuses kept', async () => {
    const r = await report();
    const [a, b, c] = r.paras;
    await setStatus(server, r.id, a!, 'agreed_ad_ref');
    const hour = 3600_000;
    const deadline = new Date(Date.now() + 72 * hour).toISOString();
    const body = { paragraphIds: [a, b], deadline, timeZone: 'Europe/Zurich' };
    await expectError(await postSilence(server, r.id, body, null), 401);
    for (const bad of [
      { ...body, paragraphIds: [] },
      { ...body, paragraphIds: [a, a] },
      { ...body, extra: true },
      { ...body, deadline: 'tomorrow' },
      { ...body, deadline: new Date(Date.now() + 1000).toISOString() },
      { ...body, deadline: new Date(Date.now() + 61 * 24 * hour).toISOString() },
      { ...body, timeZone: 'Mars/Olympus_Mons' },
      { ...body, timeZone: 'Europe/Geneva' }, // Geneva keeps Zurich's time: not an IANA zone
      { ...body, paragraphIds: [a, 'nosuchparagraph'] },
    ])
      await expectError(await postSilence(server, r.id, bad), 400);
    await expectError(await postSilence(server, r.id, body, users.secretariat), 403);
    await appendToParagraph(server, r.id, c!, 'Text [with brackets].');
    await expectError(
      await postSilence(server, r.id, { ...body, paragraphIds: [c] }),
      409,
      /square brackets/,
    );

    const watcher = await EventClient.connect(server, users.expert, r.id);
    const res = await postSilence(server, r.id, body);
    const { silence } = await json<{ silence: import('../../shared/consensus.js').SilenceView }>(
      res,
      201,
    );
    assert.deepEqual(
      [
        silence.state,
        silence.paragraphIds,
        silence.deadline,
        silence.timeZone,
        silence.startedBy.id,
      ],
      ['running', [a, b], deadline, 'Europe/Zurich', users.chair.id],
    );
    await watcher.waitForSeq(silence.seq, 'the silence event');
    const locked = await server.app.storage.lockedParagraphIds(r.id);
    assert.ok(locked.has(a!) && locked.has(b!) && !locked.has(c!));
    await expectError(
      await postStatus(server, r.id, b!, { status: 'bracketed' }),
      409,
      /under a silence procedure/,
    );
    await expectError(
      await postSilence(server, r.id, { ...body, paragraphIds: [b] }),
      409,
      /already under silence/,
    );

    await expectError(
      await server.request('POST', `/api/silences/${silence.id}/cancel`, { as: users.expert }),
      403,
    );
    const cancelled = await json<{ silence: { state: string; settledAt: string } }>(
      await server.request('POST', `/api/silences/${silence.id}/cancel`),
      200,
    );
    assert.equal(cancelled.silence.state, 'cancelled');
    assert.ok(cancelled.silence.settledAt);
    assert.equal(await statusOf(server, r.id, a!), 'agreed_ad_ref', 'statuses kept');
    assert.equal(await statusOf(server, r.id, b!), 'draft');
    // The silence's locks are lifted; the ad referendum paragraph stays locked by its status.
    assert.deepEqual([...(await server.app.storage.lockedParagraphIds(r.id))], [a]);
    await expectError(await server.request('POST', `/api/silences/${silence.id}/cancel`), 409);
    await expectError(
      await server.request('POST', `/api/silences/${silence.id}/break`, {
        as: users.expert,
        body: { statement: 'Too late.' },
      }),
      409,
      /already over/,
    );
    await expectError(await server.request('POST', '/api/silences/s_nosuchsilence/cancel'), 404);
    const stranger = await outsider(server, 'chair');
    await expectError(
      await server.request('POST', `/api/silences/${silence.id}/cancel`, { as: stranger }),
      404,
    );
    const actions = (await auditEvents(server))
      .filter((e) => e.target === silence.id)
      .map((e) => e.action);
    assert.deepEqual(actions, ['silence.cancel', 'silence.start']);
    await watcher.close();
  });
});

describe('the matrix, role by role', () => {
  // The literals the matrix guard in auth-matrix.test.ts looks for.
  const ACTIONS = [
    'setStatus',
    'declareAgreement',
    'recordPosition',
    'runSilence',
    'breakSilence',
  ] as const;
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      const verdict = roleCan(role, action) ? 'allowed' : 'refused';
      test(`${role}: ${action} ${verdict}`, async () => {
        const r = await report(`${role} ${action}`);
        const pid = r.paras[0]!;
        const user = users[role];
        const ok = roleCan(role, action);
        let res: Response;
        switch (action) {
          case 'setStatus':
            res = await postStatus(server, r.id, pid, { status: 'under_discussion' }, user);
            break;
          case 'declareAgreement':
            res = await postStatus(server, r.id, pid, { status: 'agreed' }, user);
            break;
          case 'recordPosition':
            res = await postPosition(server, r.id, pid, { position: 'reservation' }, user);
            break;
          case 'runSilence':
            res = await postSilence(
              server,
              r.id,
              {
                paragraphIds: [pid],
                deadline: new Date(Date.now() + 86_400_000).toISOString(),
                timeZone: 'UTC',
              },
              user,
            );
            break;
          case 'breakSilence': {
            const s = await startSilence(server, r.id, [pid], 86_400_000);
            res = await server.request('POST', `/api/silences/${s.id}/break`, {
              as: user,
              body: { statement: 'We object to this paragraph.' },
            });
            break;
          }
        }
        const text = await res.text();
        assert.equal(res.status, ok ? (action === 'runSilence' ? 201 : 200) : 403, text);
        const c = await consensusOf(server, r.id);
        const changed =
          action === 'recordPosition'
            ? c.positions.length > 0
            : action === 'runSilence'
              ? c.silences.length > 0
              : action === 'breakSilence'
                ? c.silences[0]!.state === 'broken'
                : c.statuses.length > 0;
        assert.equal(changed, ok, 'stored exactly when allowed');
      });
    }
  }
});

describe('a storage fault in the middle of a command', () => {
  test('answers 503, writes nothing (no status, event, audit row or thread), and works once storage recovers', async () => {
    const r = await report();
    const pid = r.paras[0]!;
    const seq = await server.app.storage.lastEventSeq(r.id);
    const auditCount = (await auditEvents(server)).length;

    let heal = await injectInsertFault(server.dataDir, 'paragraph_status_history');
    const res = await postStatus(
      server,
      r.id,
      pid,
      { status: 'under_discussion' },
      users.secretariat,
    );
    await expectError(res, 503, /nothing was changed/);
    await heal();
    heal = await injectInsertFault(server.dataDir, 'position_history');
    await expectError(
      await postPosition(
        server,
        r.id,
        pid,
        { position: 'cannot_accept', explanation: 'No.' },
        users.expert,
      ),
      503,
    );
    await heal();

    assert.equal(await server.app.storage.lastEventSeq(r.id), seq, 'no event');
    assert.equal((await auditEvents(server)).length, auditCount, 'no audit row');
    const c = await consensusOf(server, r.id);
    assert.deepEqual([c.statuses, c.positions], [[], []]);
    assert.deepEqual((await listThreads(server, server.chair, r.id)).threads, [], 'no thread');

    const s: StatusView = await setStatus(server, r.id, pid, 'under_discussion', users.secretariat);
    assert.equal(s.seq, seq + 1);
    const p = await recordPosition(server, r.id, pid, users.expert, 'cannot_accept', 'No.');
    assert.ok(p.thread);
  });
});

describe('locks on the sync channel follow the statuses', () => {
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  /** Types into paragraph `pid` as `as`, then waits until the server kept or reverted it. */
  async function tryEdit(target: TestServer, reportId: string, pid: string, as: TestUser) {
    const client = connectClient(target, reportId, { as }, cleanup);
    await waitFor(() => isLive(client), 'the editor to sync');
    const words = ` edit-${Math.random().toString(36).slice(2)}`;
    const p = clientParagraphs(client.doc).find((e) => e.getAttribute('id') === pid)!;
    paragraphText(p).insert(0, words);
    const live = await serverDoc(target, reportId);
    const text = () =>
      clientParagraphs(live)
        .find((e) => e.getAttribute('id') === pid)!
        .toString();
    // A later edit elsewhere by the chair is a barrier: once it is in, the first was decided.
    const chair = connectClient(target, reportId, {}, cleanup);
    await waitFor(() => isLive(chair), 'the chair to sync');
    const other = clientParagraphs(chair.doc).find((e) => e.getAttribute('id') !== pid)!;
    const marker = ` barrier-${Math.random().toString(36).slice(2)}`;
    paragraphText(other).insert(0, marker);
    await waitFor(() => reportXml(live).includes(marker), 'the barrier edit');
    await waitFor(
      () => reportXml(client.doc).includes(marker) && reportXml(client.doc) === reportXml(live),
      'the editor to converge',
    );
    client.destroy();
    chair.destroy();
    return text().includes(words.trim());
  }

  test('agreed: an edit is undone; reopened: kept; after a restart the lock holds from the first load', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir });
    cleanup.add(() => first.close());
    const kenya = await first.addUser('expert', 'Kenya');
    const { id } = await first.createReport('Locks');
    const [pid] = await paragraphIds(first, id);
    assert.equal(await tryEdit(first, id, pid!, kenya), true, 'open text is editable');
    await setStatus(first, id, pid!, 'agreed');
    assert.equal(await tryEdit(first, id, pid!, kenya), false, 'agreed text is locked');
    await setStatus(first, id, pid!, 'under_discussion', first.chair, 'One more look.');
    assert.equal(await tryEdit(first, id, pid!, kenya), true, 'reopened text is editable');
    await setStatus(first, id, pid!, 'agreed');
    await first.close();

    const second = await startTestServer({ dataDir });
    cleanup.add(() => second.close());
    const kenya2 = await second.addUser('expert', 'Kenya');
    assert.equal(await tryEdit(second, id, pid!, kenya2), false, 'locked from the first load');
  });

  test('agreed ad referendum locks the text as agreed does (capitals confirm exactly these words)', async () => {
    const target = await startTestServer();
    cleanup.add(() => target.close());
    const kenya = await target.addUser('expert', 'Kenya');
    const { id } = await target.createReport('Ad ref');
    const [pid] = await paragraphIds(target, id);
    await setStatus(target, id, pid!, 'agreed_ad_ref');
    assert.ok((await target.app.storage.lockedParagraphIds(id)).has(pid!));
    assert.equal(await tryEdit(target, id, pid!, kenya), false, 'ad referendum text is locked');
    await setStatus(target, id, pid!, 'agreed');
    assert.equal(await tryEdit(target, id, pid!, kenya), false, 'confirmed: still locked');
    await setStatus(target, id, pid!, 'under_discussion', target.chair, 'A capital objected.');
    assert.equal(await tryEdit(target, id, pid!, kenya), true, 'reopened text is editable');
  });
});
