/**
 * Updates that become durable together are broadcast together: when several peers' updates wait
 * for the same commit, every other peer receives them as one merged update (one message), and an
 * author receives the others' updates, never its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { MessageType } from '../../shared/protocol.js';
import {
  applySyncFrames,
  Cleanup,
  editRaw,
  frameType,
  joinRaw,
  reportXml,
} from '../helpers/clients.js';
import { startTestServer, type TestServer, tempDir, waitFor } from '../helpers/server.js';
import { Gate, openTestStorage, type TestStorage } from '../helpers/storage.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

/** The updates (sync step 2 or update messages) among `frames`. */
function updatesIn(frames: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const dec = decoding.createDecoder(f);
    if (decoding.readVarUint(dec) !== 0) continue;
    const sub = decoding.readVarUint(dec);
    if (sub === 1 || sub === 2) out.push(decoding.readVarUint8Array(dec));
  }
  return out;
}

/** Yjs client ids with content in `update`. */
function writersIn(update: Uint8Array): number[] {
  return [...new Set(Y.decodeUpdate(update).structs.map((s) => s.id.client))].sort();
}

describe('broadcasts of one storage batch', () => {
  let server: TestServer;
  let storage: TestStorage;

  before(async () => {
    const dataDir = tempDir();
    storage = await openTestStorage(dataDir);
    server = await startTestServer({ dataDir, deps: { storage } });
    cleanup.add(() => server.close());
  });

  test('updates durable together reach each peer as one update, never back to their author', async (t) => {
    const report = await server.createReport('Batched broadcast', 'gge-report');
    const a = await joinRaw(server, report.id, server.chair, cleanup);
    const b = await joinRaw(server, report.id, server.chair, cleanup);
    const c = await joinRaw(server, report.id, server.chair, cleanup);
    const d = await joinRaw(server, report.id, server.chair, cleanup);

    // Hold every append's acknowledgement: both edits are written, neither is broadcast yet.
    const gate = new Gate();
    storage.appendGate = gate;
    t.after(() => {
      gate.open();
      storage.appendGate = null;
    });
    const calls = storage.appendCalls;
    editRaw(a, 0, 'From A. ');
    editRaw(b, 1, 'From B. ');
    editRaw(a, 2, 'From A again. ');
    await waitFor(() => storage.appendCalls >= calls + 3, 'the server to append all three edits');
    const peers = [a, b, c, d];
    const seen = peers.map((r) => r.sock.frames.length);
    gate.open();
    storage.appendGate = null;

    /** What reached peer `i` since the gate opened. */
    const since = (i: number) => peers[i]!.sock.frames.slice(seen[i]);
    const holdsAll = (i: number) => {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(peers[i]!.doc));
      applySyncFrames(copy, since(i));
      const xml = reportXml(copy);
      copy.destroy();
      return ['From A. ', 'From B. ', 'From A again. '].every((s) => xml.includes(s));
    };
    for (let i = 0; i < peers.length; i++)
      await waitFor(() => holdsAll(i), 'every edit at every peer');

    const toA = updatesIn(since(0));
    const toB = updatesIn(since(1));
    const toC = updatesIn(since(2));
    const toD = updatesIn(since(3));
    // Onlookers: one message holding all three edits, by both authors.
    for (const got of [toC, toD]) {
      assert.equal(got.length, 1, 'one broadcast for the whole batch');
      assert.deepEqual(writersIn(got[0]!), [a.doc.clientID, b.doc.clientID].sort());
    }
    // Authors: one message with the other's edit only.
    assert.equal(toA.length, 1);
    assert.deepEqual(writersIn(toA[0]!), [b.doc.clientID]);
    assert.equal(toB.length, 1);
    assert.deepEqual(writersIn(toB[0]!), [a.doc.clientID]);

    // And a lone update afterwards is broadcast on its own, as before.
    const seenNow = [a, b, c].map((r) => r.sock.frames.length);
    editRaw(c, 3, 'From C alone. ');
    await waitFor(
      () => updatesIn(a.sock.frames.slice(seenNow[0])).length === 1,
      'the lone edit at A',
    );
    await waitFor(
      () => updatesIn(b.sock.frames.slice(seenNow[1])).length === 1,
      'the lone edit at B',
    );
    assert.deepEqual(writersIn(updatesIn(a.sock.frames.slice(seenNow[0]))[0]!), [c.doc.clientID]);
    // A round trip on C's socket: whatever the server sent C before the reply has arrived.
    c.sock.ws.send(Uint8Array.of(MessageType.QueryAwareness), { binary: true });
    await waitFor(
      () => c.sock.frames.slice(seenNow[2]).some((f) => frameType(f) === MessageType.Awareness),
      'awareness reply',
    );
    assert.equal(updatesIn(c.sock.frames.slice(seenNow[2])).length, 0, 'nothing back to C');
  });
});
