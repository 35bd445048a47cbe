/**
 * Saved acknowledgements (MessageType.Saved = 100): a client that asks with `?saved=<clientID>`
 * is told, once its change is durable, the clock up to which its changes are saved. A stock client
 * that does not ask never receives message type 100 (it would not know it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { decodeSavedBody, MessageType, type SavedClock } from '../../shared/protocol.js';
import {
  applySyncFrames,
  Cleanup,
  connectClient,
  frameType,
  isLive,
  paragraphs,
  paragraphText,
  rawSocket,
  reportXml,
  syncFrame,
  type TestClient,
  within,
} from '../helpers/clients.js';
import { startTestServer, type TestServer, tempDir, waitFor } from '../helpers/server.js';
import { Gate, openTestStorage, type TestStorage } from '../helpers/storage.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

type Handler = (encoder: unknown, decoder: decoding.Decoder) => void;

/** Records the Saved messages a provider receives (and counts any type-100 message). */
function recordSaved(client: TestClient): SavedClock[][] {
  const saved: SavedClock[][] = [];
  const handlers = client.provider.messageHandlers as unknown as Array<Handler | undefined>;
  handlers[MessageType.Saved] = (_enc, dec) => {
    saved.push(decodeSavedBody(dec));
  };
  // Concord notices (101) go to the same clients; ignore them quietly.
  handlers[MessageType.Notice] = () => {};
  return saved;
}

const clockIn = (saved: SavedClock[][], client: number) =>
  Math.max(0, ...saved.flat().flatMap((c) => (c.client === client ? [c.clock] : [])));

/** A round trip on the provider's socket: everything the server sent before is received. */
async function roundTrip(client: TestClient): Promise<void> {
  const awarenessBefore = client.received.filter((t) => t === MessageType.Awareness).length;
  (client.provider.ws as unknown as { send(d: Uint8Array): void }).send(
    Uint8Array.of(MessageType.QueryAwareness),
  );
  await waitFor(
    () => client.received.filter((t) => t === MessageType.Awareness).length > awarenessBefore,
    'query-awareness reply',
  );
}

describe('Saved acknowledgements', () => {
  let server: TestServer;
  let storage: TestStorage;

  before(async () => {
    const dataDir = tempDir();
    storage = await openTestStorage(dataDir);
    server = await startTestServer({ dataDir, deps: { storage } });
    cleanup.add(() => server.close());
  });

  test('a client that asks is told its change is saved, only once it is durable', async (t) => {
    const report = await server.createReport('Saved', 'gge-report');
    const doc = new Y.Doc();
    const client = connectClient(
      server,
      report.id,
      { doc, params: { saved: String(doc.clientID) } },
      cleanup,
    );
    const saved = recordSaved(client);
    await waitFor(() => isLive(client), 'sync');

    // Hold the append's acknowledgement back: the update is written but not yet confirmed.
    const gate = new Gate();
    storage.appendGate = gate;
    t.after(() => {
      gate.open();
      storage.appendGate = null;
    });
    const calls = storage.appendCalls;
    paragraphText(paragraphs(doc)[0]!).insert(0, 'Adopted by consensus. ');
    const localClock = Y.getState(doc.store, doc.clientID);
    assert.ok(localClock > 0);
    await waitFor(() => storage.appendCalls > calls, 'the server to append the edit');
    await roundTrip(client);
    assert.ok(
      clockIn(saved, doc.clientID) < localClock,
      `no ack before the append is durable: ${JSON.stringify(saved)}`,
    );

    gate.open();
    storage.appendGate = null;
    await waitFor(() => clockIn(saved, doc.clientID) >= localClock, 'Saved covering the edit');
    const last = saved.at(-1)!;
    assert.ok(
      last.some((c) => c.client === doc.clientID && c.clock >= localClock),
      JSON.stringify(last),
    );
    assert.ok(storage.appendsResolved > 0);

    // A second edit advances the ack to the new clock.
    paragraphText(paragraphs(doc)[1]!).insert(0, 'Second. ');
    const clock2 = Y.getState(doc.store, doc.clientID);
    assert.ok(clock2 > localClock);
    await waitFor(() => clockIn(saved, doc.clientID) >= clock2, 'Saved covering the second edit');

    // What was acknowledged is in storage.
    const stored = await server.app.storage.loadDocument(report.id);
    assert.ok(stored);
    const rebuilt = new Y.Doc();
    cleanup.add(() => rebuilt.destroy());
    if (stored.snapshot) Y.applyUpdate(rebuilt, stored.snapshot.update);
    for (const u of stored.updates) Y.applyUpdate(rebuilt, u);
    assert.ok(Y.getState(rebuilt.store, doc.clientID) >= clock2);
    assert.match(reportXml(rebuilt), /Adopted by consensus\. /);
  });

  test('a stock client (no saved parameter) never receives message type 100', async () => {
    const report = await server.createReport('No saved', 'gge-report');
    const stock = connectClient(server, report.id, {}, cleanup);
    const asked = new Y.Doc();
    const asking = connectClient(
      server,
      report.id,
      { doc: asked, params: { saved: String(asked.clientID) } },
      cleanup,
    );
    const invalid = connectClient(server, report.id, { params: { saved: 'abc' } }, cleanup);
    const stockSaved = recordSaved(stock);
    const askingSaved = recordSaved(asking);
    const invalidSaved = recordSaved(invalid);
    await waitFor(() => [stock, asking, invalid].every(isLive), 'sync');

    paragraphText(paragraphs(stock.doc)[0]!).insert(0, 'From the stock client. ');
    paragraphText(paragraphs(invalid.doc)[1]!).insert(0, 'From the invalid one. ');
    paragraphText(paragraphs(asked)[2]!).insert(0, 'From the asking one. ');
    await waitFor(
      () =>
        [stock, asking, invalid].every((c) =>
          ['stock', 'invalid', 'asking'].every((w) => reportXml(c.doc).includes(`From the ${w}`)),
        ),
      'every edit everywhere',
    );
    await waitFor(
      () => clockIn(askingSaved, asked.clientID) >= Y.getState(asked.store, asked.clientID),
      'the asking client is acknowledged (the harness can see type 100)',
    );
    await roundTrip(stock);
    await roundTrip(invalid);
    assert.deepEqual(stockSaved, [], 'stock client: no Saved');
    assert.deepEqual(invalidSaved, [], 'saved=abc: no Saved');
    assert.ok(!stock.received.includes(MessageType.Saved));

    // The same through a raw socket, frame by frame.
    const raw = rawSocket(`${server.wsUrl}/${report.id}`, { cookie: server.chair.cookie }, cleanup);
    await within(raw.opened, 10_000, 'raw open');
    const rawDoc = new Y.Doc();
    cleanup.add(() => rawDoc.destroy());
    await waitFor(() => raw.frames.length > 0, 'greeting');
    raw.ws.send(syncFrame(0, Y.encodeStateVector(rawDoc)), { binary: true });
    await waitFor(() => raw.frames.some((f) => f[0] === 0 && f[1] === 1), 'sync step 2');
    applySyncFrames(rawDoc, raw.frames);
    let update: Uint8Array | null = null;
    rawDoc.on('update', (u: Uint8Array) => {
      update = u;
    });
    rawDoc.transact(() => paragraphText(paragraphs(rawDoc)[3]!).insert(0, 'Raw edit. '));
    raw.ws.send(syncFrame(2, update!), { binary: true });
    await waitFor(() => reportXml(stock.doc).includes('Raw edit. '), 'raw edit broadcast');
    raw.ws.send(Uint8Array.of(MessageType.QueryAwareness), { binary: true });
    await waitFor(
      () => raw.frames.some((f) => frameType(f) === MessageType.Awareness),
      'awareness reply',
    );
    assert.deepEqual(
      raw.frames.map(frameType).filter((t) => t >= MessageType.Saved),
      [],
      'no Concord message to a client that did not ask',
    );
  });
});
