/**
 * The sync channel's guard through real sockets (issue #15): the stock y-websocket client whose
 * changes are refused is never sent into a reconnect loop; every read route leaves the report's
 * Yjs state vector unchanged, also on content that is valid item by item but not as a whole (a
 * chapter with two headings, one with none); agreeing a paragraph records the hash of the agreed
 * text, and after any refused edit the text still has that hash.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import { agreedTextHash, identifiedNode } from '../../server/consensus/agreed-text.js';
import { reportToProseMirror } from '../../server/reports.js';
import { CloseCode } from '../../shared/protocol.js';
import { SCHEMA_VERSION } from '../../shared/schema.js';
import {
  auditEvents,
  closeAll,
  connectSynced,
  RawClient,
  type SyncClient,
  syncUpdate,
} from '../helpers/auth.js';
import {
  chapters,
  paragraphs,
  paragraphText,
  rawSocket,
  reportFragment,
  reportXml,
  serverDoc,
  stateVector,
  within,
} from '../helpers/clients.js';
import { openThread } from '../helpers/comments.js';
import {
  appendToParagraph,
  consensusOf,
  recordPosition,
  setStatus,
  startSilence,
} from '../helpers/consensus.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let expert: TestUser;

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Guarded', 'gge-report')).id;
  expert = await server.addUser('expert', 'Brazil');
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

const ids = (doc: Y.Doc) => paragraphs(doc).map((p) => p.getAttribute('id') as string);

function textOf(doc: Y.Doc, id: string): Y.XmlText {
  return paragraphText(paragraphs(doc).find((p) => p.getAttribute('id') === id)!);
}

test('the stock client whose changes are refused is never disconnected, so never loops', async () => {
  const [agreed, open] = ids(await serverDoc(server, reportId));
  await appendToParagraph(server, reportId, agreed!, 'The agreed text.');
  await appendToParagraph(server, reportId, open!, 'The open text.');
  await setStatus(server, reportId, agreed!, 'agreed');
  const stock = await connectSynced(server, expert, reportId, { reconnect: 'stock' });
  const chair = await connectSynced(server, server.chair, reportId);
  // Refused insertions, a refused deletion, an unknown element and a forged id, in turn.
  textOf(stock.doc, agreed!).insert(0, 'NOT AGREED ');
  textOf(stock.doc, agreed!).delete(0, 3);
  chapters(stock.doc)[0]!.insert(1, [new Y.XmlElement('script')]);
  const forged = new Y.XmlElement('paragraph');
  forged.setAttribute('id', agreed!);
  chapters(stock.doc)[0]!.insert(1, [forged]);
  textOf(stock.doc, open!).insert(0, 'Kept. ');
  await waitFor(
    () => reportXml(chair.doc).includes('Kept. The open text.'),
    `the unrelated edit to reach the chair ${JSON.stringify(stock.denied)}`,
  );
  await waitFor(() => stock.denied.length >= 3, 'the refusals');
  assert.equal(ids(chair.doc).filter((id) => id === agreed).length, 1, 'no second holder');
  assert.ok(
    !reportXml(chair.doc).includes('NOT AGREED') && !reportXml(chair.doc).includes('script'),
  );
  // A stock client's reconnection would resend the same bytes: there is none.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(stock.closes, []);
  assert.equal(stock.connects, 1);
  stock.destroy();
  chair.destroy();
});

test('every read route leaves the state vector unchanged, even on a chapter that breaks its content rule', async () => {
  // Valid item by item, invalid as a whole: a second heading in one chapter, none in another.
  const raw = await RawClient.open(server, server.chair, reportId);
  await raw.sync();
  const mine = new Y.Doc();
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(raw.doc));
  const updates: Uint8Array[] = [];
  mine.on('update', (u: Uint8Array) => updates.push(u));
  mine.transact(() => {
    const [first, second] = chapters(mine);
    const heading = new Y.XmlElement('chapter_heading');
    heading.insert(0, [new Y.XmlText('A second heading')]);
    first!.insert(first!.length, [heading]);
    second!.delete(0, 1);
  });
  raw.send(syncUpdate(Y.mergeUpdates(updates)));
  const live = await server.app.registry.acquire(reportId);
  await waitFor(() => reportXml(live.ydoc()) === reportXml(mine), 'the update to reach the server');
  const before = stateVector(live.ydoc());
  const xml = reportXml(live.ydoc());
  const pids = ids(live.ydoc());
  const reads: Array<[string, () => Promise<unknown>]> = [
    ['open a thread', () => openThread(server, expert, reportId, { paragraphId: pids[3] })],
    ['set a status', () => setStatus(server, reportId, pids[4]!, 'agreed')],
    ['record a position', () => recordPosition(server, reportId, pids[5]!, expert, 'can_accept')],
    ['start a silence', () => startSilence(server, reportId, [pids[6]!], 3_600_000)],
    ['read the consensus', () => consensusOf(server, reportId)],
    [
      'export the threads as CSV',
      () => server.request('GET', `/api/reports/${reportId}/threads/export?format=csv`),
    ],
    ['read the text', async () => reportToProseMirror(live.ydoc())],
  ];
  for (const [what, read] of reads) {
    await read();
    assert.deepEqual(stateVector(live.ydoc()), before, `${what}: the state vector`);
    assert.equal(reportXml(live.ydoc()), xml, `${what}: the text`);
  }
  // The reading fills the missing heading and keeps every paragraph.
  const doc = reportToProseMirror(live.ydoc());
  const read: string[] = [];
  doc.descendants((n) => {
    if (n.type.name === 'paragraph') read.push(n.attrs['id'] as string);
    return true;
  });
  assert.deepEqual(
    read,
    pids.map((id) => id ?? null),
  );
  raw.close();
});

test('agreeing records the agreed text’s hash, and refused edits leave the text with that hash', async () => {
  const live = await server.app.registry.acquire(reportId);
  const pid = ids(live.ydoc()).at(-1)!;
  await appendToParagraph(server, reportId, pid, 'The group agrees on this text.');
  await setStatus(server, reportId, pid, 'agreed');
  const event = (await auditEvents(server)).find(
    (e) => e.action === 'paragraph.status' && e.target === pid && e.detail?.['to'] === 'agreed',
  );
  const recorded = event?.detail?.['textHash'];
  assert.equal(typeof recorded, 'string');
  const hashNow = () => agreedTextHash(identifiedNode(reportToProseMirror(live.ydoc()), pid)!);
  assert.equal(hashNow(), recorded);
  let client: SyncClient = await connectSynced(server, expert, reportId, { saved: true });
  const edits: Array<(doc: Y.Doc) => void> = [
    (d) => textOf(d, pid).insert(2, 'x'),
    (d) => textOf(d, pid).format(0, 5, { strong: {} }),
    (d) => textOf(d, pid).delete(0, 4),
    (d) =>
      paragraphs(d)
        .find((p) => p.getAttribute('id') === pid)!
        .setAttribute('level', '2'),
    (d) => reportFragment(d).delete(1, 1),
  ];
  for (const edit of edits) {
    edit(client.doc);
    await waitFor(
      () =>
        client.notices.some((n) => n.code === 'resync') ||
        (identifiedNode(reportToProseMirror(client.doc), pid) !== null &&
          agreedTextHash(identifiedNode(reportToProseMirror(client.doc), pid)!) === recorded),
      'the refusal',
    );
    if (client.notices.some((n) => n.code === 'resync')) {
      client.destroy();
      client = await connectSynced(server, expert, reportId, { saved: true });
    }
    assert.equal(hashNow(), recorded);
  }
  client.destroy();
});

test('README "never parked": structs stored with missing dependencies are quarantined at load, never integrated later', async () => {
  const id = (await server.createReport('Parked', 'blank')).id;
  // A writer's two updates, of which only the second reached the log.
  const writer = new Y.Doc();
  Y.applyUpdate(writer, Y.encodeStateAsUpdate(await serverDoc(server, id)));
  const [p] = paragraphs(writer);
  const before = Y.encodeStateVector(writer);
  paragraphText(p!).insert(0, 'first ');
  const first = Y.encodeStateAsUpdate(writer, before);
  const middle = Y.encodeStateVector(writer);
  paragraphText(p!).insert(0, 'PARKED ');
  const second = Y.encodeStateAsUpdate(writer, middle);
  // Restart, then write it straight to storage before anyone loads the report.
  closeAll();
  const dataDir = server.dataDir;
  await server.close();
  server = await startTestServer({ dataDir });
  const stored = await server.app.storage.loadDocument(id);
  await server.app.storage.appendUpdate(id, stored!.lastSeq + 1, second);
  const live = await server.app.registry.acquire(id);
  assert.equal(live.ydoc().store.pendingStructs, null, 'nothing parked');
  // The dependency arrives from a client: the quarantined content does not come with it.
  const raw = await RawClient.open(server, server.chair, id);
  await raw.sync();
  raw.send(syncUpdate(first));
  await waitFor(() => reportXml(live.ydoc()).includes('first '), 'the dependency');
  assert.ok(!reportXml(live.ydoc()).includes('PARKED'));
  raw.close();
});

test('README "an old client cannot silently drop": a client that declares no schema version reads but cannot write; an older one is closed', async () => {
  const id = (await server.createReport('Versions', 'gge-report')).id;
  const before = reportXml(await serverDoc(server, id));
  // Stock y-websocket without ?schema=: it syncs, and what it changes is refused in words.
  const undeclared = await RawClient.open(server, server.chair, id, { schema: false });
  await undeclared.sync();
  const mine = new Y.Doc();
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(undeclared.doc));
  const updates: Uint8Array[] = [];
  mine.on('update', (u: Uint8Array) => updates.push(u));
  mine.transact(() => reportFragment(mine).delete(1, 1));
  undeclared.send(syncUpdate(updates[0]!));
  await waitFor(() => undeclared.frames.some((f) => f.type === 'auth'), 'the refusal');
  assert.equal(reportXml(await serverDoc(server, id)), before, 'nothing was dropped');
  assert.equal(undeclared.closeEvent, null, 'still connected');
  undeclared.close();
  // An older version is closed with 4426.
  const old = rawSocket(`${server.wsUrl}/${id}?schema=${SCHEMA_VERSION - 1}`, {
    cookie: server.chair.cookie,
  });
  assert.equal((await within(old.closed, 10_000, 'the close')).code, CloseCode.SchemaTooOld);
});
