/**
 * Load race: 20 clients connect at once while the report's load from storage is slow; one of
 * them brings a paragraph it wrote offline. The report is loaded once, nobody is answered before
 * the load completes, and afterwards every paragraph exists exactly once everywhere.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import {
  Cleanup,
  chapters,
  connectClient,
  isLive,
  newParagraph,
  paragraphIds,
  paragraphs,
  paragraphText,
  reportXml,
  serverDoc,
  stateVector,
  type TestClient,
} from '../helpers/clients.js';
import { startTestServer, tempDir, waitFor } from '../helpers/server.js';
import { Gate, openTestStorage } from '../helpers/storage.js';

const CLIENTS = 20;
const OFFLINE_ID = 'offlinepara0001';

const cleanup = new Cleanup();
after(() => cleanup.run());

test('20 clients racing a slow load: one load, no early reply, every paragraph once', async () => {
  // A client that knew the report, went offline and wrote a paragraph meanwhile.
  const dataDir = tempDir();
  const first = await startTestServer({ dataDir });
  cleanup.add(() => first.close());
  const report = await first.createReport('Load race', 'gge-report');
  const offlineDoc = new Y.Doc();
  cleanup.add(() => offlineDoc.destroy());
  const before = connectClient(first, report.id, { doc: offlineDoc }, cleanup);
  await waitFor(() => isLive(before), 'first sync');
  before.detach();
  offlineDoc.transact(() => {
    chapters(offlineDoc)[2]!.insert(1, [newParagraph(OFFLINE_ID, 'Written on the plane.')]);
    paragraphText(paragraphs(offlineDoc)[0]!).insert(0, 'Offline edit. ');
  });
  await first.close();

  // The report is not in memory on the new server: the first connection starts a slow load.
  const storage = await openTestStorage(dataDir);
  storage.loadDelayMs = 300;
  storage.loadGate = new Gate();
  cleanup.add(() => storage.loadGate?.open());
  const server = await startTestServer({ dataDir, deps: { storage } });
  cleanup.add(() => server.close());

  let earlyMessages = 0;
  const onMessage = () => {
    if (storage.loadsCompleted === 0) earlyMessages++;
  };
  const clients: TestClient[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const doc = i === 7 ? offlineDoc : undefined;
    clients.push(connectClient(server, report.id, { doc, onMessage }, cleanup));
  }
  const offline = clients[7]!;

  // Every socket is open while the load is still running.
  await waitFor(
    () => server.app.websocketServer.clients.size === CLIENTS,
    'all sockets open',
    20_000,
  );
  await waitFor(() => storage.loadCalls === 1, 'the load to start');
  assert.equal(storage.loadsCompleted, 0, 'the load is still running');
  assert.ok(
    clients.every((c) => c.received.length === 0 && !c.provider.synced),
    'no client heard from the server before the load completed',
  );
  storage.loadGate.open();

  const live = await serverDoc(server, report.id);
  await waitFor(
    () => clients.every((c) => isLive(c) && reportXml(c.doc) === reportXml(live)),
    'every client to converge',
    20_000,
  );
  await waitFor(
    () => clients.every((c) => Y.equalSnapshots(Y.snapshot(c.doc), Y.snapshot(live))),
    'same state everywhere',
  );

  assert.equal(earlyMessages, 0, 'no message reached a client before the load completed');
  assert.equal(server.app.registry.loads, 1, 'loaded once');
  assert.equal(storage.loadCalls, 1, 'storage read once');

  const expectedIds = paragraphIds(live);
  // The GGE template: two front matter blocks, seven chapters, the members annex: one paragraph each.
  assert.equal(expectedIds.length, 11, 'ten template paragraphs and the offline one');
  assert.equal(new Set(expectedIds).size, expectedIds.length, 'server: every id once');
  assert.equal(expectedIds.filter((id) => id === OFFLINE_ID).length, 1);
  for (const [i, c] of clients.entries()) {
    assert.deepEqual(paragraphIds(c.doc), expectedIds, `client ${i}: same paragraphs, once each`);
    assert.deepEqual(stateVector(c.doc), stateVector(live));
    assert.equal(reportXml(c.doc).split('Written on the plane.').length - 1, 1);
    assert.equal(reportXml(c.doc).split('Offline edit. ').length - 1, 1);
  }
  assert.ok(!offline.closes.some((e) => e.code === 1003));
  // The chapter structure is intact: 7 chapters, each still one heading first.
  const chaps = chapters(live);
  assert.equal(chaps.length, 7);
  for (const ch of chaps) assert.equal((ch.get(0) as Y.XmlElement).nodeName, 'chapter_heading');
});
