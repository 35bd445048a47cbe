/**
 * Protocol convergence: 8 stock y-websocket clients edit the same report at random (seeded),
 * disconnecting and reconnecting mid-run. Once everyone is back and the traffic settles, every
 * client, the server's live document, what storage holds and a client that joins afterwards
 * all have the same content and the same state vector.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as prng from 'lib0/prng';
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
import { startTestServer, type TestServer, waitFor } from '../helpers/server.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => 0x5eed + i * 7919);
const CLIENTS = 8;
const STEPS = 150;
const NOTES = 'notes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One random change to `doc`, made as its user would (one transaction). */
function randomEdit(gen: prng.PRNG, doc: Y.Doc, tag: string): void {
  doc.transact(() => {
    const roll = prng.int32(gen, 0, 99);
    const paras = paragraphs(doc);
    const chaps = chapters(doc);
    if (roll < 30 && paras.length > 0) {
      // Type a word somewhere in a paragraph.
      const text = paragraphText(prng.oneOf(gen, paras));
      text.insert(prng.int32(gen, 0, text.length), `${prng.word(gen, 1, 6)} `);
    } else if (roll < 42 && paras.length > 0) {
      // Delete a range of text.
      const text = paragraphText(prng.oneOf(gen, paras));
      if (text.length > 0) {
        const at = prng.int32(gen, 0, text.length - 1);
        text.delete(at, prng.int32(gen, 1, Math.min(8, text.length - at)));
      }
    } else if (roll < 47 && paras.length > 0) {
      // Bold a range.
      const text = paragraphText(prng.oneOf(gen, paras));
      if (text.length > 1) {
        const at = prng.int32(gen, 0, text.length - 2);
        text.format(at, prng.int32(gen, 1, text.length - at), { strong: {} });
      }
    } else if (roll < 60 && chaps.length > 0) {
      // A new paragraph with its own id, anywhere after a chapter heading.
      const chapter = prng.oneOf(gen, chaps);
      chapter.insert(prng.int32(gen, 1, chapter.length), [
        newParagraph(`p${tag}`, `${prng.word(gen, 2, 8)} `),
      ]);
    } else if (roll < 67 && paras.length > 2) {
      // Delete a paragraph.
      const p = prng.oneOf(gen, paras);
      const parent = p.parent as Y.XmlElement;
      const index = parent.toArray().indexOf(p);
      if (index > 0) parent.delete(index, 1);
    } else if (roll < 73 && paras.length > 0) {
      // Indent or outdent.
      prng.oneOf(gen, paras).setAttribute('level', prng.int32(gen, 0, 3) as unknown as string);
    } else if (roll < 78 && chaps.length > 0) {
      // Retitle a chapter.
      const heading = prng.oneOf(gen, chaps).get(0) as Y.XmlElement;
      const text = paragraphText(heading);
      text.insert(text.length, ` ${prng.word(gen, 1, 5)}`);
    } else {
      // The side notes (a plain Y.Text).
      const notes = doc.getText(NOTES);
      if (notes.length > 10 && prng.bool(gen)) {
        const at = prng.int32(gen, 0, notes.length - 1);
        notes.delete(at, prng.int32(gen, 1, Math.min(5, notes.length - at)));
      } else {
        notes.insert(prng.int32(gen, 0, notes.length), prng.word(gen, 1, 6));
      }
    }
  });
}

interface Content {
  xml: string;
  notes: string;
  sv: Record<string, number>;
}

function content(doc: Y.Doc): Content {
  return { xml: reportXml(doc), notes: doc.getText(NOTES).toString(), sv: stateVector(doc) };
}

function sameDoc(a: Y.Doc, b: Y.Doc): boolean {
  return (
    Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b)) &&
    reportXml(a) === reportXml(b) &&
    a.getText(NOTES).toString() === b.getText(NOTES).toString()
  );
}

describe('protocol convergence (8 stock y-websocket clients, random edits and reconnects)', () => {
  let server: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    server = await startTestServer();
    cleanup.add(() => server.close());
  });
  after(() => cleanup.run());

  for (const seed of SEEDS) {
    test(`seed ${seed}`, async (t) => {
      const local = new Cleanup();
      t.after(() => local.run());
      const report = await server.createReport(`Convergence ${seed}`, 'gge-report');
      const gen = prng.create(seed);
      const clients: TestClient[] = [];
      for (let i = 0; i < CLIENTS; i++) clients.push(connectClient(server, report.id, {}, local));
      await waitFor(() => clients.every(isLive), 'every client to sync', 20_000);
      const initialIds = paragraphIds(clients[0]!.doc);
      assert.equal(
        initialIds.length,
        10,
        'the GGE template: one paragraph per front-matter block, per chapter and in its annex',
      );

      let disconnects = 0;
      let edits = 0;
      for (let step = 0; step < STEPS; step++) {
        const c = prng.oneOf(gen, clients);
        const roll = prng.int32(gen, 0, 99);
        if (roll < 8 && c.provider.shouldConnect) {
          c.provider.disconnect();
          disconnects++;
        } else if (roll < 18 && !c.provider.shouldConnect) {
          c.provider.connect();
        } else {
          randomEdit(gen, c.doc, `${seed}x${step}`);
          edits++;
        }
        // Let traffic flow at random: sometimes edits pile up, sometimes they cross in flight.
        const pause = prng.int32(gen, 0, 3);
        if (pause > 0) await sleep(pause * 2);
      }
      assert.ok(disconnects > 0 && edits > STEPS / 2, `seed exercises both (${disconnects})`);

      for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect();
      const live = await serverDoc(server, report.id);
      await waitFor(
        () => clients.every((c) => isLive(c) && sameDoc(c.doc, live)),
        `seed ${seed}: every client to converge with the server`,
        30_000,
      );

      // Converged: same content and state vector everywhere.
      const expected = content(live);
      assert.ok(expected.xml.length > 0);
      for (const [i, c] of clients.entries()) {
        assert.deepEqual(content(c.doc), expected, `client ${i} equals the server`);
        assert.deepEqual(Y.encodeStateVector(c.doc), Y.encodeStateVector(live));
      }
      if (process.env['CONCORD_TEST_VERBOSE'])
        t.diagnostic(`closes: ${JSON.stringify(clients.map((c) => c.closes))}`);
      // Clients stock y-websocket never send anything malformed.
      for (const c of clients) {
        assert.ok(!c.closes.some((e) => e.code === 1003), `no 1003: ${JSON.stringify(c.closes)}`);
      }
      // Every paragraph id in the converged document is unique (each was created once).
      const ids = paragraphIds(live);
      assert.equal(new Set(ids).size, ids.length, 'paragraph ids unique');

      // What storage holds rebuilds the same document.
      const stored = await server.app.storage.loadDocument(report.id);
      assert.ok(stored);
      const rebuilt = new Y.Doc();
      local.add(() => rebuilt.destroy());
      if (stored.snapshot) Y.applyUpdate(rebuilt, stored.snapshot.update);
      for (const u of stored.updates) Y.applyUpdate(rebuilt, u);
      assert.deepEqual(content(rebuilt), expected, 'storage equals the live document');

      // A client joining afterwards sees the same.
      const fresh = connectClient(server, report.id, {}, local);
      await waitFor(() => isLive(fresh) && sameDoc(fresh.doc, live), 'fresh client sync', 20_000);
      assert.deepEqual(content(fresh.doc), expected, 'a fresh client equals the server');
    });
  }
});
