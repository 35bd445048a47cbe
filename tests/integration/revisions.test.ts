/**
 * Revisions through the real server: what a revision freezes (the durable text, numbers, statuses,
 * open threads), that it is pushed live, that bad input stores nothing, that two issues racing for
 * one label leave one, that strangers see nothing, that open-thread counts follow the live
 * visibility rules, and that a restart keeps every revision verified.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { runCli } from '../../server/cli.js';
import { reportToProseMirror } from '../../server/reports.js';
import type { SqlStorage } from '../../server/storage/sql-storage.js';
import type { CompareResponse } from '../../shared/compare.js';
import {
  type IssueRevisionResponse,
  type RevisionListResponse,
  type RevisionResponse,
  unDate,
  WHOLE_DOCUMENT_LOCK,
} from '../../shared/revisions.js';
import { closeAll, outsider } from '../helpers/auth.js';
import { chapters, newParagraph, paragraphText, serverDoc } from '../helpers/clients.js';
import {
  closeEventClients,
  EventClient,
  json,
  openThread,
  paragraphIds,
} from '../helpers/comments.js';
import { appendToParagraph, setStatus } from '../helpers/consensus.js';
import { databaseForDataDir, TEST_ENGINE } from '../helpers/engines.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

/** The paragraphs of the chapters (numbered 1, 2 …), not the front matter's or the annex's. */
function bodyParagraphs(doc: Y.Doc): Y.XmlElement[] {
  return chapters(doc).flatMap((c) =>
    c
      .toArray()
      .filter((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'paragraph'),
  );
}

/** Ids of the chapters' paragraphs, in order. */
async function bodyIds(id: string): Promise<string[]> {
  return bodyParagraphs(await serverDoc(server, id)).map((p) => String(p.getAttribute('id')));
}

/** Polls `read` until it gives a value. */
async function waitForValue<T>(read: () => Promise<T | null>): Promise<T> {
  let value: T | null = null;
  await waitFor(async () => {
    value = await read();
    return value !== null;
  }, 'the value');
  return value!;
}

let server: TestServer;
let reportId: string;
let pids: string[];
let kenya: TestUser;
let brazil: TestUser;
let observer: TestUser;
let secretariat: TestUser;

before(async () => {
  server = await startTestServer();
  reportId = (await server.createReport('Revisions', 'gge-report')).id;
  pids = await bodyIds(reportId);
  kenya = await server.addUser('expert', 'Kenya');
  brazil = await server.addUser('expert', 'Brazil');
  observer = await server.addUser('observer', 'Kenya');
  secretariat = await server.addUser('secretariat');
});

after(async () => {
  closeAll();
  closeEventClients();
  await server?.close();
});

function issue(body: unknown, as: TestUser = server.chair, id = reportId) {
  return server.request('POST', `/api/reports/${id}/revisions`, { as, body });
}

async function list(as: TestUser = server.chair, id = reportId) {
  return json<RevisionListResponse>(
    await server.request('GET', `/api/reports/${id}/revisions`, { as }),
    200,
  );
}

async function open(rid: string, as: TestUser = server.chair) {
  return json<RevisionResponse>(await server.request('GET', `/api/revisions/${rid}`, { as }), 200);
}

test('a revision freezes the durable text with its numbers, statuses and open threads; pushed live', async () => {
  const watcher = await EventClient.connect(server, observer, reportId);
  const first = pids[0]!;
  await appendToParagraph(server, reportId, first, ' Frozen words.');
  await setStatus(server, reportId, first, 'under_discussion');
  await openThread(server, kenya, reportId, { paragraphId: first, visibility: 'group' });
  assert.equal((await list()).proposedLabel, 'Zero draft');
  const { revision } = await json<IssueRevisionResponse>(
    await issue({ coverNote: 'For the first reading.' }),
    201,
  );
  assert.equal(revision.label, 'Zero draft');
  assert.equal(revision.number, 1);
  assert.equal(revision.date, new Date().toISOString().slice(0, 10));
  await waitFor(
    () => watcher.events.some((e) => (e as { type: string }).type === 'revision'),
    'the revision event',
  );
  const opened = await open(revision.id, observer);
  const node = opened.nodes.find((n) => n.id === first)!;
  assert.match(node.text, /Frozen words\.$/);
  assert.equal(node.citation, '1');
  assert.equal(node.status, 'under_discussion');
  assert.equal(node.openThreads, 1);
  assert.equal(opened.metadata['title'], 'Revisions');
  // The frozen state is the server's text, byte for byte what its sha256 says.
  const state = await server.request('GET', `/api/revisions/${revision.id}/state`, { as: kenya });
  assert.equal(state.status, 200);
  assert.equal(state.headers.get('x-content-sha256'), revision.sha256);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await state.arrayBuffer()));
  const live = await server.app.registry.withReport(reportId, (l) =>
    reportToProseMirror(l.ydoc()).toJSON(),
  );
  assert.deepEqual(reportToProseMirror(doc).toJSON(), live);
  assert.deepEqual(opened.doc, JSON.parse(JSON.stringify(live)));
  // Later edits do not reach it.
  await appendToParagraph(server, reportId, first, ' Later words.');
  const again = await open(revision.id);
  assert.doesNotMatch(again.nodes.find((n) => n.id === first)!.text, /Later/);
  assert.equal((await list()).proposedLabel, 'Rev.1');
});

test('bad input: 400 with a message, nothing stored', async () => {
  const before = await list();
  const seq = await server.app.storage.lastEventSeq(reportId);
  const bad: Array<[unknown, RegExp]> = [
    [{ label: '   ' }, /needs a label/],
    [{ label: 'zero  DRAFT' }, /exists already/],
    [{ label: 'x'.repeat(61) }, /at most 60/],
    [{ label: 'Rev.5', coverNote: 'n'.repeat(4001) }, /at most 4000/],
    [{ label: 'Rev.5', date: '2026-02-30' }, /Not a date/],
    [{ label: 'Rev.5', signedBy: 'me' }, /must NOT have additional properties/],
    [{ label: 42 }, /must be string/],
  ];
  for (const [body, message] of bad) {
    const res = await issue(body);
    const text = await res.text();
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${text}`);
    assert.match(JSON.parse(text).message, message);
  }
  assert.deepEqual((await list()).revisions, before.revisions);
  assert.equal(await server.app.storage.lastEventSeq(reportId), seq);
});

test('a storage fault while issuing: 503, and nothing of the revision is written', async () => {
  const db = (server.app.storage as SqlStorage).db;
  // The last write of the transaction (its report event) fails, after the revision row went in.
  if (server.app.storage.kind === 'sqlite') {
    await db.run(`CREATE TRIGGER test_fault BEFORE INSERT ON report_events
      WHEN NEW.payload LIKE '%"type":"revision"%'
      BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
  } else {
    await db.run(`CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NEW.payload LIKE '%"type":"revision"%' THEN RAISE EXCEPTION 'injected fault'; END IF;
        RETURN NEW;
      END $fn$`);
    await db.run(`CREATE TRIGGER test_fault BEFORE INSERT ON report_events
      FOR EACH ROW EXECUTE FUNCTION test_fault()`);
  }
  try {
    const before = await list();
    const seq = await server.app.storage.lastEventSeq(reportId);
    const audit = (await server.app.storage.listAudit(server.groupId, { limit: 500 })).length;
    const res = await issue({ label: 'Rev.fault' });
    assert.equal(res.status, 503, await res.text());
    assert.deepEqual((await list()).revisions, before.revisions);
    assert.equal(await server.app.storage.lastEventSeq(reportId), seq);
    assert.equal(
      (await server.app.storage.listAudit(server.groupId, { limit: 500 })).length,
      audit,
    );
  } finally {
    if (server.app.storage.kind === 'sqlite') await db.run('DROP TRIGGER test_fault');
    else {
      await db.run('DROP TRIGGER test_fault ON report_events');
      await db.run('DROP FUNCTION test_fault');
    }
  }
  assert.equal((await issue({ label: 'Rev.fault' })).status, 201);
});

test('two issues racing for one label: one is issued, the other refused', async () => {
  const [a, b] = await Promise.all([
    issue({ label: 'Rev.race' }),
    issue({ label: 'Rev.race' }, secretariat),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [201, 400]);
  const labels = (await list()).revisions.map((r) => r.label);
  assert.equal(labels.filter((l) => l === 'Rev.race').length, 1);
});

test("strangers: another group's members get 404 for the revision and the report's list", async () => {
  const { revisions } = await list();
  const rid = revisions[0]!.id;
  const stranger = await outsider(server, 'chair');
  for (const url of [`/api/revisions/${rid}`, `/api/revisions/${rid}/state`]) {
    const res = await server.request('GET', url, { as: stranger });
    assert.equal(res.status, 404, url);
  }
  assert.equal(
    (await server.request('GET', `/api/reports/${reportId}/revisions`, { as: stranger })).status,
    404,
  );
  assert.equal(
    (await server.request('GET', '/api/revisions/v_nonesuch', { as: kenya })).status,
    404,
  );
  assert.equal((await issue({ label: 'By Kenya' }, kenya)).status, 403);
});

test('open threads in a revision are counted by the live visibility rules', async () => {
  const pid = pids[1]!;
  await openThread(server, kenya, reportId, { paragraphId: pid, visibility: 'delegation' });
  await openThread(server, brazil, reportId, { paragraphId: pid, visibility: 'chair' });
  await openThread(server, brazil, reportId, { paragraphId: pid, visibility: 'group' });
  const { revision } = await json<IssueRevisionResponse>(await issue({ label: 'Rev.vis' }), 201);
  const count = async (u: TestUser) =>
    (await open(revision.id, u)).nodes.find((n) => n.id === pid)!.openThreads;
  assert.equal(await count(kenya), 2, 'Kenya: its delegation and the group');
  assert.equal(await count(brazil), 2, 'Brazil: its own chair thread and the group');
  assert.equal(await count(server.chair), 2, 'the chair: chair thread and group');
  assert.equal(await count(secretariat), 2, 'the secretariat: chair thread and group');
  assert.equal(await count(observer), 1, 'an observer of Kenya: the group only');
});

test('compare: inserted, deleted, renumbered and changed paragraphs, against a revision or the live text', async () => {
  const id = (await server.createReport('Compare', 'gge-report')).id;
  const base = await json<IssueRevisionResponse>(await issue({}, server.chair, id), 201);
  const doc = await serverDoc(server, id);
  const [gone, edited, shifted] = bodyParagraphs(doc).map((p) => String(p.getAttribute('id'))) as [
    string,
    string,
    string,
  ];
  doc.transact(() => {
    const chapter = chapters(doc).find((c) =>
      c.toArray().some((n) => n instanceof Y.XmlElement && n.getAttribute('id') === gone),
    )!;
    const at = chapter
      .toArray()
      .findIndex((n) => n instanceof Y.XmlElement && n.getAttribute('id') === gone);
    chapter.delete(at, 1);
    chapter.insert(at, [
      newParagraph('insertedpara1', 'A new paragraph.'),
      newParagraph('insertedpara2', 'Another.'),
    ]);
    const t = paragraphText(bodyParagraphs(doc).find((p) => p.getAttribute('id') === edited)!);
    t.insert(0, 'Amended: ');
  });
  const compareTo = async (to: string) =>
    json<CompareResponse>(
      await server.request('GET', `/api/reports/${id}/compare?from=${base.revision.id}&to=${to}`, {
        as: kenya,
      }),
      200,
    );
  const live = await waitForValue(async () => {
    const c = await compareTo('live');
    return c.summary.inserted === 2 ? c : null;
  });
  const row = (c: CompareResponse, pid: string) => c.rows.find((r) => r.id === pid)!;
  assert.deepEqual(row(live, gone).changes, ['deleted']);
  assert.deepEqual(row(live, 'insertedpara1').changes, ['inserted']);
  assert.deepEqual(row(live, edited).changes, ['renumbered', 'text']);
  assert.equal(row(live, edited).before?.citation, '2');
  assert.equal(row(live, edited).after?.citation, '3');
  assert.deepEqual(row(live, edited).parts[0], { kind: 'ins', text: 'Amended: ' });
  assert.deepEqual(row(live, shifted).changes, ['renumbered']);
  assert.equal(live.to, null);
  // The same between two revisions.
  const next = await json<IssueRevisionResponse>(await issue({}, server.chair, id), 201);
  const between = await compareTo(next.revision.id);
  assert.deepEqual(between.summary, live.summary);
  assert.equal(between.to?.label, 'Rev.1');
  // A revision of another report, an unknown one, a stranger: 404.
  const { revisions } = await list();
  const foreign = await server.request(
    'GET',
    `/api/reports/${id}/compare?from=${revisions[0]!.id}&to=live`,
    { as: kenya },
  );
  assert.equal(foreign.status, 404);
  const stranger = await outsider(server, 'chair');
  const strangers = await server.request(
    'GET',
    `/api/reports/${id}/compare?from=${base.revision.id}&to=live`,
    { as: stranger },
  );
  assert.equal(strangers.status, 404);
  const malformed = await server.request('GET', `/api/reports/${id}/compare?from=nope`, {
    as: kenya,
  });
  assert.equal(malformed.status, 400);
});

test("keep the last revision's numbers: an inserted paragraph is 1 bis in threads and comparisons; the next revision renumbers", async () => {
  const id = (await server.createReport('Bis', 'gge-report')).id;
  const base = await json<IssueRevisionResponse>(await issue({}, server.chair, id), 201);
  const set = await server.request('PUT', `/api/reports/${id}/numbering`, {
    as: server.chair,
    body: { keepNumbers: true },
  });
  assert.equal(set.status, 200);
  const doc = await serverDoc(server, id);
  const first = bodyParagraphs(doc)[0]!;
  const chapter = chapters(doc).find((c) => c.toArray().includes(first))!;
  doc.transact(() => {
    chapter.insert(chapter.toArray().indexOf(first) + 1, [
      newParagraph('bisparagraph1', 'Inserted.'),
    ]);
  });
  await openThread(server, kenya, id, { paragraphId: 'bisparagraph1', visibility: 'group' });
  const exported = await server.request('GET', `/api/reports/${id}/threads/export?format=json`, {
    as: kenya,
  });
  assert.match(await exported.text(), /"1 bis"/);
  const compared = await json<CompareResponse>(
    await server.request('GET', `/api/reports/${id}/compare?from=${base.revision.id}&to=live`, {
      as: kenya,
    }),
    200,
  );
  const row = compared.rows.find((r) => r.id === 'bisparagraph1')!;
  assert.equal(row.after?.citation, '1 bis');
  assert.deepEqual(row.changes, ['inserted']);
  assert.equal(compared.summary.renumbered, 0, 'nothing else moved');
  // The next revision freezes plain numbers.
  const next = await json<IssueRevisionResponse>(await issue({}, server.chair, id), 201);
  const opened = await open(next.revision.id);
  assert.equal(opened.nodes.find((n) => n.id === 'bisparagraph1')?.citation, '2');
});

test('adoption: refused while a paragraph is open or bracketed; then final, recorded, the whole text locked, never reopened', async () => {
  const id = (await server.createReport('Adopt', 'gge-report')).id;
  const adopt = (as: TestUser = server.chair, body: unknown = {}) =>
    server.request('POST', `/api/reports/${id}/adopt`, { as, body });
  const ids = await paragraphIds(server, id);
  const body = await bodyIds(id);
  const first = await adopt();
  assert.equal(first.status, 409);
  // Named by citation: the front matter's unnumbered paragraphs, the body's, the annex's.
  assert.match(
    ((await first.json()) as { message: string }).message,
    /Not every paragraph is agreed: Foreword by the Secretary-General ¶1, Letter of transmittal ¶1, 1, 2, .*annex, 1\.$/,
  );
  assert.equal((await adopt(kenya)).status, 403);
  assert.equal((await adopt(secretariat)).status, 403);
  for (const pid of ids) await setStatus(server, id, pid, 'agreed');
  // Brackets that reached an agreed paragraph (the server's own edit, past the guard).
  await appendToParagraph(server, id, body[1]!, ' [pending]');
  const bracketed = await adopt();
  assert.equal(bracketed.status, 409);
  assert.match(
    ((await bracketed.json()) as { message: string }).message,
    /Square brackets remain in paragraph 2/,
  );
  assert.equal((await list(server.chair, id)).revisions.length, 0, 'nothing issued');
  const doc = await serverDoc(server, id);
  const text = paragraphText(bodyParagraphs(doc)[1]!);
  doc.transact(() => text.delete(text.length - ' [pending]'.length, ' [pending]'.length));
  const adopted = await adopt();
  assert.equal(adopted.status, 201, await adopted.text());
  const listed = await list(server.chair, id);
  const final = listed.revisions.at(-1);
  assert.ok(final?.final, 'the final revision');
  assert.equal(listed.adoption?.revisionId, final.id);
  assert.equal(
    listed.adoption?.statement,
    `Adopted by consensus on ${unDate(new Date().toISOString().slice(0, 10))}`,
  );
  const again = await adopt(server.chair, { label: 'Final 2' });
  assert.equal(again.status, 409);
  assert.equal((await issue({ label: 'Rev.after' }, server.chair, id)).status, 409);
  // The whole text is locked: the report's locks say so (the sync guard's input).
  const locks = await server.app.storage.lockedParagraphIds(id);
  assert.ok(locks.has(WHOLE_DOCUMENT_LOCK));
});

test('the CLI lists and shows revisions, the hash checked', async () => {
  const { revisions } = await list();
  const saved = { ...process.env };
  process.env['CONCORD_DATA_DIR'] = server.dataDir;
  process.env['CONCORD_DATABASE_URL'] =
    TEST_ENGINE === 'postgres' ? await databaseForDataDir(server.dataDir) : '';
  const lines: string[] = [];
  try {
    await runCli(['revisions', 'list', '--report', reportId], (l) => lines.push(l));
    assert.equal(lines.length, revisions.length);
    assert.match(
      lines[0]!,
      new RegExp(`^  1  ${revisions[0]!.id}  Zero draft  .* sha256 ${revisions[0]!.sha256}`),
    );
    lines.length = 0;
    await runCli(['revisions', 'show', '--revision', revisions[0]!.id], (l) => lines.push(l));
    assert.match(lines[0]!, /^Zero draft of report /);
    assert.match(lines[1]!, /\(checked\)$/);
    assert.ok(
      lines.some((l) => /^ {2}1 +under_discussion +.*Frozen words\.$/.test(l)),
      lines.join('\n'),
    );
    await assert.rejects(
      runCli(['revisions', 'show', '--revision', 'v_nonesuch'], () => {}),
      /no revision/,
    );
  } finally {
    process.env = saved;
  }
});

test('a restart keeps every revision, still verified', async () => {
  const before = await list();
  await server.close();
  server = await startTestServer({ dataDir: server.dataDir });
  const afterRestart = await list();
  assert.deepEqual(afterRestart.revisions, before.revisions);
  for (const r of afterRestart.revisions)
    assert.equal((await open(r.id)).revision.sha256, r.sha256);
});
