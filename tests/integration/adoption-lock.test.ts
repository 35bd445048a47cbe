/**
 * An adopted report is locked whole on the sync channel (issue #16, "locks the whole document"):
 * the sync guard (server/sync/guard.ts) refuses, before applying, every change a stock y-websocket
 * client makes anywhere in the report after adoption: typing in a paragraph, a new paragraph, a
 * new chapter, deleting a paragraph; the chair's too. The sender is told (Notice 'locked' and the
 * resync it needs after a refused deletion; y-websocket's permission-denied each time), the others never see the change, the server's text
 * stays the final revision's text byte for byte (also after a restart), the refusals are audited,
 * and statuses can no longer change (adoption is never reopened).
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import { reportToProseMirror } from '../../server/reports.js';
import type { RevisionListResponse } from '../../shared/revisions.js';
import { auditEvents, closeAll, connectSynced, type SyncClient } from '../helpers/auth.js';
import {
  chapters,
  newParagraph,
  paragraphs,
  paragraphText,
  reportFragment,
  reportXml,
} from '../helpers/clients.js';
import { json } from '../helpers/comments.js';
import { postStatus, setStatus } from '../helpers/consensus.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let expert: TestUser;
let colleague: TestUser;
let editor: SyncClient;
let watcher: SyncClient;
/** The report as adopted (XML of the whole fragment). */
let adopted: string;
/** Every state of the report the watcher went through after adoption. */
const seen = new Set<string>();

async function liveXml(): Promise<string> {
  return server.app.registry.withReport(reportId, (live) => reportXml(live.ydoc()));
}

before(async () => {
  // The stock provider prints each permission-denied message with console.warn: keep it quiet.
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('To adopt', 'blank')).id;
  expert = await server.addUser('expert', 'Brazil');
  colleague = await server.addUser('expert', 'Kenya');
  const chair = await connectSynced(server, server.chair, reportId);
  chair.doc.transact(() => {
    const chapter = chapters(chair.doc)[0]!;
    chapter.insert(chapter.length, [
      newParagraph('p-adopt-one', 'The Group agreed on the first paragraph.'),
      newParagraph('p-adopt-two', 'And on the second.'),
    ]);
  });
  const ids = paragraphs(chair.doc).map((p) => String(p.getAttribute('id')));
  await waitFor(async () => (await liveXml()) === reportXml(chair.doc), 'the text on the server');
  for (const pid of ids) await setStatus(server, reportId, pid, 'agreed');
  chair.destroy();
  editor = await connectSynced(server, expert, reportId, { saved: true });
  watcher = await connectSynced(server, colleague, reportId);
  const res = await server.request('POST', `/api/reports/${reportId}/adopt`, {
    as: server.chair,
    body: {},
  });
  assert.equal(res.status, 201, await res.text());
  adopted = await liveXml();
  seen.add(reportXml(watcher.doc));
  watcher.doc.on('afterTransaction', () => seen.add(reportXml(watcher.doc)));
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

const noticed = (c: SyncClient, code: string) => c.notices.some((n) => n.code === code);

/**
 * `who` makes `change` on its copy; the server refuses it: the sender is told (and rebuilds from
 * the server after a refused deletion, as the Concord client does), and the server, the sender
 * and the watcher end with the adopted text.
 */
async function refused(
  what: string,
  [start, user]: [SyncClient, TestUser],
  change: (doc: Y.Doc) => void,
  resync = false,
): Promise<SyncClient> {
  let client = start;
  const before = client.denied.length;
  client.doc.transact(() => change(client.doc));
  assert.notEqual(reportXml(client.doc), adopted, `${what}: the change changed nothing`);
  await waitFor(
    () => client.denied.slice(before).includes('locked'),
    `${what}: the permission-denied message`,
  );
  if (resync) {
    await waitFor(() => noticed(client, 'resync'), `${what}: the resync notice`);
    client.destroy();
    client = await connectSynced(server, user, reportId, { saved: true });
  } else {
    await waitFor(() => reportXml(client.doc) === adopted, `${what}: the retraction`);
  }
  assert.equal(reportXml(client.doc), adopted, `${what}: the sender holds the adopted text`);
  assert.equal(await liveXml(), adopted, `${what}: the server holds the adopted text`);
  return client;
}

test('after adoption every edit is refused before it is applied, for experts and the chair', async () => {
  const first = (doc: Y.Doc) =>
    paragraphText(paragraphs(doc).find((p) => p.getAttribute('id') === 'p-adopt-one')!);
  await refused('type in a paragraph', [editor, expert], (doc) =>
    first(doc).insert(0, 'Not agreed. '),
  );
  await refused('bold', [editor, expert], (doc) => first(doc).format(0, 9, { strong: {} }));
  await refused('a new paragraph', [editor, expert], (doc) => {
    const chapter = chapters(doc)[0]!;
    chapter.insert(chapter.length, [newParagraph('p-after-adoption', 'Slipped in.')]);
  });
  await refused('a new chapter', [editor, expert], (doc) => {
    const chapter = new Y.XmlElement('chapter');
    reportFragment(doc).insert(reportFragment(doc).length, [chapter]);
  });
  editor = await refused(
    'delete a paragraph',
    [editor, expert],
    (doc) => {
      const chapter = chapters(doc)[0]!;
      chapter.delete(chapter.length - 1, 1);
    },
    true,
  );
  editor = await refused('delete text', [editor, expert], (doc) => first(doc).delete(0, 5), true);
  // The chair is held by the same lock.
  const chair = await connectSynced(server, server.chair, reportId, { saved: true });
  await refused('the chair types', [chair, server.chair], (doc) => first(doc).insert(0, 'Chair. '));
  // The watcher never held anything but the adopted text.
  await waitFor(() => reportXml(watcher.doc) === adopted, 'the watcher');
  assert.deepEqual([...seen], [adopted]);
});

test('the live text is the final revision, byte for byte; refusals are audited; statuses stay', async () => {
  const listed = await json<RevisionListResponse>(
    await server.request('GET', `/api/reports/${reportId}/revisions`, { as: server.chair }),
    200,
  );
  const final = listed.revisions.at(-1)!;
  assert.ok(final.final);
  const state = await server.request('GET', `/api/revisions/${final.id}/state`, {
    as: server.chair,
  });
  const frozen = new Y.Doc();
  Y.applyUpdate(frozen, new Uint8Array(await state.arrayBuffer()));
  assert.equal(reportXml(frozen), adopted);
  const live = await server.app.registry.withReport(reportId, (l) =>
    reportToProseMirror(l.ydoc()).toJSON(),
  );
  assert.deepEqual(reportToProseMirror(frozen).toJSON(), live);
  await waitFor(async () => {
    const rows = (await auditEvents(server)).filter(
      (e) => e.action === 'sync.write-refused.locked' && e.target === reportId,
    );
    return (
      rows.some((e) => e.actorId === expert.id) && rows.some((e) => e.actorId === server.chair.id)
    );
  }, 'the audit rows of the refusals');
  const adoptions = (await auditEvents(server)).filter((e) => e.action === 'report.adopt');
  assert.equal(adoptions.length, 1);
  assert.equal(adoptions[0]!.target, reportId);
  // Reopening after adoption is refused.
  const pid = 'p-adopt-one';
  const reopen = await postStatus(
    server,
    reportId,
    pid,
    { status: 'under_discussion', note: 'Reopen.' },
    server.chair,
  );
  assert.equal(reopen.status, 409, await reopen.text());
});

test('a restart keeps the whole text locked', async () => {
  closeAll();
  await server.close();
  server = await startTestServer({ dataDir: server.dataDir });
  const client = await connectSynced(server, expert, reportId, { saved: true });
  assert.equal(reportXml(client.doc), adopted);
  adopted = reportXml(client.doc);
  await refused('type after a restart', [client, expert], (doc) =>
    paragraphText(paragraphs(doc).at(-1)!).insert(0, 'Later. '),
  );
});
