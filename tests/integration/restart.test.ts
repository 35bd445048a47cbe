/**
 * Restart: what a client wrote survives a graceful server restart, and a report reloaded from
 * disk (snapshot plus update log, after compactions) equals the live one.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import type { StoredDocument } from '../../server/storage/types.js';
import {
  Cleanup,
  chapters,
  connectClient,
  isLive,
  newParagraph,
  paragraphs,
  paragraphText,
  reportXml,
  serverDoc,
  stateVector,
} from '../helpers/clients.js';
import { openEngine, TEST_ENGINE } from '../helpers/engines.js';
import { startTestServer, waitFor } from '../helpers/server.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

function rebuild(stored: StoredDocument): Y.Doc {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  cleanup.add(() => doc.destroy());
  return doc;
}

function summary(doc: Y.Doc) {
  return { xml: reportXml(doc), notes: doc.getText('notes').toString(), sv: stateVector(doc) };
}

/** Reads what a data directory holds for a report, with the server stopped. */
async function readStored(dataDir: string, reportId: string): Promise<StoredDocument> {
  const { storage } = await openEngine(TEST_ENGINE, dataDir);
  try {
    const stored = await storage.loadDocument(reportId);
    assert.ok(stored, 'the report is stored');
    return stored;
  } finally {
    await storage.close();
  }
}

test('an edit survives close() and a new server on the same data directory', async () => {
  const first = await startTestServer();
  cleanup.add(() => first.close());
  const report = await first.createReport('Restart', 'gge-report');
  const writer = connectClient(first, report.id, {}, cleanup);
  await waitFor(() => isLive(writer), 'writer sync');
  writer.doc.transact(() => {
    paragraphText(paragraphs(writer.doc)[0]!).insert(0, 'The Group met in four sessions.');
    chapters(writer.doc)[1]!.insert(2, [newParagraph('restartpara01', 'Threats are evolving.')]);
  });
  writer.doc.getText('notes').insert(0, 'check A/70/174');
  const expected = summary(writer.doc);
  const live = await serverDoc(first, report.id);
  await waitFor(() => reportXml(live) === expected.xml, 'the server to hold the edit');
  await first.close();
  // The old client must not reconnect anywhere: what the new server has comes from disk.
  writer.destroy();

  const second = await startTestServer({ dataDir: first.dataDir });
  cleanup.add(() => second.close());
  assert.equal(second.app.registry.loads, 0);
  const reader = connectClient(second, report.id, {}, cleanup);
  await waitFor(() => isLive(reader), 'reader sync');
  assert.deepEqual(summary(reader.doc), expected);
  assert.match(reportXml(reader.doc), /The Group met in four sessions\./);
  assert.match(reportXml(reader.doc), /<paragraph id="restartpara01" level="0">/);
  assert.equal(second.app.registry.loads, 1);
});

test('after compactions, the report reloaded from disk equals the live one', async () => {
  const compactEvery = 5;
  const first = await startTestServer({ config: { compactEvery } });
  cleanup.add(() => first.close());
  const report = await first.createReport('Compaction', 'gge-report');
  const writer = connectClient(first, report.id, {}, cleanup);
  await waitFor(() => isLive(writer), 'writer sync');
  const live = await serverDoc(first, report.id);

  // 23 separate updates (each one append), with deletions and formatting among them.
  const EDITS = 23;
  for (let i = 0; i < EDITS; i++) {
    writer.doc.transact(() => {
      const paras = paragraphs(writer.doc);
      const text = paragraphText(paras[i % paras.length]!);
      if (i % 4 === 3 && text.length > 4) text.delete(1, 2);
      else if (i % 5 === 4)
        chapters(writer.doc)[i % 7]!.insert(1, [newParagraph(`cmp${i}`, `p${i}`)]);
      else text.insert(text.length, `edit ${i}. `);
      if (i % 6 === 5 && text.length > 3) text.format(0, 3, { em: {} });
    });
    writer.doc.getText('notes').insert(0, `${i};`);
    // One at a time: each reaches the server as its own update.
    await waitFor(() => reportXml(live) === reportXml(writer.doc), `edit ${i} on the server`);
  }
  await waitFor(
    () => Y.equalSnapshots(Y.snapshot(live), Y.snapshot(writer.doc)),
    'server equals writer',
  );

  // Compaction ran: a snapshot exists and the log after it is shorter than compactEvery. The live
  // document holds an edit before it is durable (the broadcast waits, the server's own copy does not), so
  // the last commits may still be on their way: wait until the store holds everything (a loss
  // would never get there, and the wait would fail).
  let stored: StoredDocument | null = null;
  await waitFor(async () => {
    stored = await first.app.storage.loadDocument(report.id);
    return (
      stored !== null &&
      stored.snapshot !== null &&
      stored.updates.length < compactEvery &&
      Y.equalSnapshots(Y.snapshot(rebuild(stored)), Y.snapshot(live))
    );
  }, 'a compacted log holding every edit');
  const reloaded = rebuild(stored!);
  assert.deepEqual(summary(reloaded), summary(live), 'snapshot + log equals the live document');
  assert.ok(Y.equalSnapshots(Y.snapshot(reloaded), Y.snapshot(live)), 'same deletions too');
  assert.ok(Y.decodeStateVector(stored!.snapshot!.stateVector).size > 0, 'snapshot has an SV');
  const expected = summary(live);
  assert.match(expected.xml, /edit 22\./);

  // Graceful close compacts what is left: the data directory then holds one snapshot, no log.
  await first.close();
  writer.destroy();
  const onDisk = await readStored(first.dataDir, report.id);
  assert.equal(onDisk.updates.length, 0, 'unload compacted the rest of the log');
  assert.deepEqual(summary(rebuild(onDisk)), expected);
  assert.deepEqual(
    Object.fromEntries(Y.decodeStateVector(onDisk.snapshot!.stateVector)),
    Object.fromEntries(Y.decodeStateVector(Y.encodeStateVector(rebuild(onDisk)))),
    'the stored state vector matches the stored snapshot',
  );

  // A new server serves the snapshot without building a document, then takes a new edit.
  const second = await startTestServer({ dataDir: first.dataDir, config: { compactEvery } });
  cleanup.add(() => second.close());
  const reader = connectClient(second, report.id, {}, cleanup);
  await waitFor(() => isLive(reader), 'reader sync');
  assert.deepEqual(summary(reader.doc), expected, 'served from the stored snapshot');
  const report2 = await second.app.registry.acquire(report.id);
  assert.equal(report2.loadedDocument, false, 'a read-only sync did not build the Y.Doc');
  const editor = connectClient(second, report.id, {}, cleanup);
  await waitFor(() => isLive(editor), 'editor sync');
  paragraphText(paragraphs(editor.doc)[0]!).insert(0, 'After restart: ');
  await waitFor(() => reportXml(reader.doc) === reportXml(editor.doc), 'broadcast after restart');
  assert.match(reportXml(reader.doc), /After restart: /);
  const live2 = await serverDoc(second, report.id);
  assert.deepEqual(summary(live2), summary(editor.doc));
});
