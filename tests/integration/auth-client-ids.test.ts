/**
 * Yjs client ids are bound to the user who first wrote with them. User A writes under client id
 * X; user B sends an update that brings new content under X together with content under B's own
 * id: the part under X is not kept (not relayed, not stored, not in the server's document), B's
 * own part is; B is told once (permission-denied, and Concord's Notice 'foreign-client-id' when it
 * asked with ?saved=), the refusal is audited, and B is not disconnected — also when B keeps
 * typing under X, so that a stock client does not fall into a reconnect loop.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import {
  auditEvents,
  closeAll,
  connect,
  connectSynced,
  RawClient,
  type SyncClient,
  storedDoc,
  storedText,
  syncUpdate,
  type,
  waitFor,
} from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Bindings', 'blank')).id;
  alice = await server.addUser('expert', 'Brazil', 'Alice');
  bob = await server.addUser('expert', 'France', 'Bob');
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

/**
 * A Y.Doc holding what `source` holds that writes under `clientId`. (Set after loading: Yjs picks
 * a new id when a remote update uses its own.)
 */
function docAs(clientId: number, source: Y.Doc): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
  doc.clientID = clientId;
  return doc;
}

/** Runs `edit` on `doc` and returns the update it made. */
function edit(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

async function barrier(writer: SyncClient, marker: string, readers: Array<SyncClient | RawClient>) {
  type(writer, marker);
  for (const r of readers) await waitFor(() => r.text().includes(marker), `${marker} to arrive`);
  await waitFor(async () => (await storedText(server, reportId)).includes(marker), 'storage');
}

let X: number;
let a: SyncClient;
let chair: SyncClient;

test('content under another user’s client id is refused; the sender’s own content in the same update is kept', async () => {
  a = await connectSynced(server, alice, reportId);
  chair = await connectSynced(server, server.chair, reportId);
  X = a.doc.clientID;
  type(a, 'Alice wrote this.');
  await waitFor(() => chair.text() === 'Alice wrote this.', 'Alice’s text at the chair');
  await waitFor(async () => (await storedText(server, reportId)) === 'Alice wrote this.', 'store');

  const ownId = 700_001;
  const bRaw = await RawClient.open(server, bob, reportId, { query: `saved=${ownId}` });
  await bRaw.sync();
  assert.equal(bRaw.text(), 'Alice wrote this.');
  const forged = docAs(X, bRaw.doc);
  const own = docAs(ownId, bRaw.doc);
  const forgedUpdate = edit(forged, (d) => d.getText('t').insert(17, ' FORGED BY BOB'));
  const ownUpdate = edit(own, (d) => d.getText('bob').insert(0, 'Bob’s own words'));
  // Really under X, and really new content under X.
  assert.ok(Y.parseUpdateMeta(forgedUpdate).from.get(X)! >= Y.getState(a.doc.store, X));
  bRaw.send(syncUpdate(Y.mergeUpdates([forgedUpdate, ownUpdate])));

  // Every Concord client is also told its presence colour: count the other notices.
  const isNotice = (f: (typeof bRaw.frames)[number]) =>
    f.type === 'notice' && f.notice.code !== 'presence-color';
  await waitFor(() => bRaw.count(isNotice) === 1, 'the notice');
  const notice = bRaw.frames.find(isNotice);
  assert.equal(notice?.type === 'notice' && notice.notice.code, 'foreign-client-id');
  assert.ok(
    bRaw.frames.some((f) => f.type === 'auth' && f.reason === 'foreign-client-id'),
    'no permission-denied message',
  );
  // Bob's own part is kept and relayed…
  await waitFor(() => chair.doc.getText('bob').toString() === 'Bob’s own words', 'Bob’s words');
  await waitFor(() => a.doc.getText('bob').toString() === 'Bob’s own words', 'Bob’s words at A');
  // …and acknowledged as durable under his own id.
  await waitFor(
    () => bRaw.frames.some((f) => f.type === 'saved' && f.clocks.some((c) => c.client === ownId)),
    'a Saved message for Bob’s own id',
  );

  await barrier(chair, ' Chair.', [a, bRaw]);
  for (const text of [chair.text(), a.text(), bRaw.text(), await storedText(server, reportId)]) {
    assert.equal(text, 'Alice wrote this. Chair.');
  }
  assert.equal(await storedText(server, reportId, 'bob'), 'Bob’s own words');
  const live = await server.app.registry.acquire(reportId);
  assert.ok(!live.ydoc().getText('t').toString().includes('FORGED'));
  // X still has only Alice's content on the server.
  assert.equal(Y.getState(live.ydoc().store, X), Y.getState(a.doc.store, X));

  // Bob keeps typing under X: each update builds on the refused one. Still refused, told
  // only once, never disconnected.
  for (const word of [' again', ' and again']) {
    bRaw.send(syncUpdate(edit(forged, (d) => d.getText('t').insert(d.getText('t').length, word))));
  }
  bRaw.send(syncUpdate(edit(own, (d) => d.getText('bob').insert(0, 'More. '))));
  await waitFor(() => chair.doc.getText('bob').toString() === 'More. Bob’s own words', 'more');
  assert.equal(bRaw.count(isNotice), 1, 'told more than once');
  assert.equal(bRaw.closeEvent, null, `Bob was disconnected: ${JSON.stringify(bRaw.closeEvent)}`);
  assert.ok(bRaw.open);
  assert.ok(!chair.text().includes('again'));

  // Audited, as Bob's, naming the client id.
  await waitFor(async () => {
    const events = await auditEvents(server);
    return events.some(
      (e) =>
        e.action === 'sync.write-refused.foreign-client-id' &&
        e.actorId === bob.id &&
        e.target === reportId &&
        JSON.stringify(e.detail?.['clientIds']) === JSON.stringify([X]),
    );
  }, 'the audit event');
});

test('the stock provider typing under another user’s client id is not disconnected (no reconnect loop)', async () => {
  const stolen = docAs(X, chair.doc);
  const b = connect(server, bob, reportId, { doc: stolen, saved: true });
  await waitFor(() => b.provider.synced, 'Bob’s provider to sync');
  for (const ch of ' typed under X') type(b, ch);
  await waitFor(() => b.denied.length > 0, 'permission denied');
  await barrier(chair, ' Later.', [a, b]);
  assert.deepEqual(b.closes, [], `Bob's socket was closed: ${b.closes}`);
  assert.equal(b.connects, 1);
  assert.deepEqual(
    b.notices.map((n) => n.code).filter((code) => code !== 'presence-color'),
    ['foreign-client-id'],
  );
  assert.ok(!a.text().includes('typed under X'));
  assert.ok(!(await storedText(server, reportId)).includes('typed under X'));
});

test('the binding survives a restart', async () => {
  const dataDir = server.dataDir;
  const before = Y.encodeStateAsUpdate(await storedDoc(server, reportId));
  closeAll();
  await server.close();
  server = await startTestServer({ dataDir });
  const reader = await connectSynced(server, server.chair, reportId);
  const bRaw = await RawClient.open(server, bob, reportId);
  await bRaw.sync();
  const forged = docAs(X, bRaw.doc);
  bRaw.send(syncUpdate(edit(forged, (d) => d.getText('t').insert(0, 'AFTER RESTART '))));
  await waitFor(() => bRaw.count((f) => f.type === 'auth') > 0, 'permission denied');
  assert.equal(
    bRaw.count((f) => f.type === 'notice'),
    0,
    'a stock client gets no Notice',
  );
  type(reader, ' End.');
  await waitFor(() => bRaw.text().endsWith(' End.'), 'the chair’s change to reach Bob');
  assert.ok(!reader.text().includes('AFTER RESTART'));
  const doc = new Y.Doc();
  Y.applyUpdate(doc, before);
  assert.equal(reader.text(), `${doc.getText('t').toString()} End.`);
});
