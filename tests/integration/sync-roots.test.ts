/**
 * Root keys outside the report (issue #15, defect 3) through real sockets: what a stock
 * y-websocket client writes under another root key is refused in words and reaches neither
 * another client nor storage, while its report edit in the same update does; content a stored
 * document already holds under such a key (written before the sync channel refused it) is
 * deleted by the server when the report loads.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import { closeAll, connectSynced, storedDoc } from '../helpers/auth.js';
import { paragraphs, paragraphText, reportXml, serverDoc } from '../helpers/clients.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer;
let expert: TestUser;

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  expert = await server.addUser('expert', 'Brazil');
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

/** Live items of a root type, list and map. */
function live(doc: Y.Doc, key: string): number {
  const type = doc.share.get(key);
  if (!type) return 0;
  let n = 0;
  for (let item = type._start; item !== null; item = item.right) if (!item.deleted) n++;
  for (const item of type._map.values()) if (!item.deleted) n++;
  return n;
}

test('a root key outside the report is refused; the report edit in the same update reaches everyone', async () => {
  const id = (await server.createReport('Roots', 'gge-report')).id;
  const stock = await connectSynced(server, expert, id, { reconnect: 'stock' });
  const chair = await connectSynced(server, server.chair, id);
  stock.doc.transact(() => {
    stock.doc.getMap('hidden').set('payload', 'x'.repeat(5000));
    stock.doc.getArray('list').push([1, 2, 3]);
    paragraphText(paragraphs(stock.doc)[0]!).insert(0, 'Visible words. ');
  });
  await waitFor(() => reportXml(chair.doc).includes('Visible words.'), 'the report edit');
  await waitFor(() => stock.denied.includes('schema'), 'the refusal');
  for (const key of ['hidden', 'list']) {
    assert.equal(live(chair.doc, key), 0, `${key}: not relayed`);
    assert.equal(live(stock.doc, key), 0, `${key}: retracted at the author`);
  }
  await waitFor(
    async () => reportXml(await storedDoc(server, id)).includes('Visible words.'),
    'the report edit stored',
  );
  const stored = await storedDoc(server, id);
  assert.equal(stored.share.has('hidden'), false, 'never stored');
  assert.equal(stored.share.has('list'), false, 'never stored');
  assert.deepEqual(stock.closes, [], 'refused in words, not by a close');
  stock.destroy();
  chair.destroy();
});

test('content a stored document holds under another root key is deleted when the report loads', async () => {
  const id = (await server.createReport('Old roots', 'blank')).id;
  const before = await serverDoc(server, id);
  const writer = new Y.Doc();
  Y.applyUpdate(writer, Y.encodeStateAsUpdate(before));
  const sv = Y.encodeStateVector(writer);
  writer.getMap('legacy').set('secret', 'stored before the guard');
  writer.getText('scribble').insert(0, 'old');
  const legacy = Y.encodeStateAsUpdate(writer, sv);
  // Unload, then write it straight to storage, as an older server would have.
  closeAll();
  const dataDir = server.dataDir;
  await server.close();
  server = await startTestServer({ dataDir });
  const stored = await server.app.storage.loadDocument(id);
  await server.app.storage.appendUpdate(id, stored!.lastSeq + 1, legacy);
  const report = await server.app.registry.acquire(id);
  const doc = report.ydoc();
  assert.equal(live(doc, 'legacy'), 0);
  assert.equal(live(doc, 'scribble'), 0);
  assert.equal(reportXml(doc), reportXml(before), 'the report itself untouched');
  // The deletion is the server's change, stored like any other.
  const client = await connectSynced(server, server.chair, id);
  assert.equal(live(client.doc, 'legacy'), 0);
  client.destroy();
  await waitFor(async () => live(await storedDoc(server, id), 'legacy') === 0, 'stored');
});
