/**
 * Malformed input on the sync socket. Raw `ws` sockets send random bytes, truncated updates,
 * unknown message types, text frames, messages with trailing bytes, updates with missing
 * dependencies and oversized frames. Each is closed with its documented code (CloseCode in
 * shared/protocol.ts): 1003 malformed, 1008 refused, 1009 too big. The server stays up, the
 * document does not change (server, a connected stock client, storage after a restart), and the
 * stock client next to it is untouched: still connected, still receiving edits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as prng from 'lib0/prng';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, MessageType } from '../../shared/protocol.js';
import {
  Cleanup,
  connectClient,
  frameType,
  isLive,
  paragraphs,
  paragraphText,
  rawSocket,
  reportXml,
  serverDoc,
  stateVector,
  syncFrame,
  type TestClient,
  within,
} from '../helpers/clients.js';
import { crossCycle, flipBits, forwardReference } from '../helpers/forge.js';
import { startTestServer, type TestServer, waitFor } from '../helpers/server.js';

const MAX_MESSAGE_BYTES = 64 * 1024;
/** Bit-flipped frames per run; WIRE_FLIP_RUNS for a longer one. */
const FLIP_RUNS = Number(process.env['WIRE_FLIP_RUNS'] ?? 40);
const FLIP_SEED = Number(process.env['WIRE_FLIP_SEED'] ?? 1207);

const cleanup = new Cleanup();
after(() => cleanup.run());

let server: TestServer;
let reportId: string;
let observer: TestClient;
let editor: TestClient;
let live: Y.Doc;
let edits = 0;

interface DocState {
  xml: string;
  sv: Record<string, number>;
  snapshot: Y.Snapshot;
}

function capture(doc: Y.Doc): DocState {
  return { xml: reportXml(doc), sv: stateVector(doc), snapshot: Y.snapshot(doc) };
}

function assertSameState(doc: Y.Doc, expected: DocState, who: string): void {
  assert.equal(reportXml(doc), expected.xml, `${who}: content unchanged`);
  assert.deepEqual(stateVector(doc), expected.sv, `${who}: state vector unchanged`);
  assert.ok(Y.equalSnapshots(Y.snapshot(doc), expected.snapshot), `${who}: deletions unchanged`);
}

/** A copy of the server's current document (a would-be client that knows everything). */
function cloneLive(): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(live));
  cleanup.add(() => doc.destroy());
  return doc;
}

/** The update of one change made to a copy of the live document. */
function updateOf(change: (doc: Y.Doc) => void, doc = cloneLive()): Uint8Array {
  let captured: Uint8Array | null = null;
  const grab = (u: Uint8Array) => {
    captured = u;
  };
  doc.on('update', grab);
  doc.transact(() => change(doc));
  doc.off('update', grab);
  assert.ok(captured, 'the change produced an update');
  return captured;
}

const insertText = (text: string) => (doc: Y.Doc) =>
  paragraphText(paragraphs(doc)[0]!).insert(0, text);

/**
 * Opens an authenticated raw socket, waits for the server's greeting (sync step 1), runs `send`,
 * and checks the outcome: closed with `code`, nothing changed, the neighbour unaffected.
 */
async function expectClose(
  code: number,
  send: (ws: WebSocket) => void,
  what: string,
): Promise<void> {
  const beforeLive = capture(live);
  const beforeObserver = capture(observer.doc);
  assert.equal(beforeObserver.xml, beforeLive.xml, 'observer in sync before the case');
  const sock = rawSocket(`${server.wsUrl}/${reportId}`, { cookie: server.chair.cookie }, cleanup);
  await within(sock.opened, 10_000, 'raw socket open');
  await waitFor(() => sock.frames.length > 0, 'server greeting');
  assert.equal(frameType(sock.frames[0]!), MessageType.Sync);
  send(sock.ws);
  const closed = await within(sock.closed, 10_000, `close after ${what}`);
  assert.equal(closed.code, code, `${what}: close code (reason: ${closed.reason})`);

  // The server is up and the document did not change.
  const health = await fetch(`${server.baseUrl}/healthz`);
  assert.equal(health.status, 200);
  assertSameState(live, beforeLive, `${what}: server`);
  assertSameState(observer.doc, beforeObserver, `${what}: observer`);
  // The neighbour is still connected and still receives edits.
  assert.ok(isLive(observer), `${what}: observer still connected`);
  assert.deepEqual(observer.closes, [], `${what}: observer never closed`);
  const marker = `edit-${++edits} `;
  paragraphText(paragraphs(editor.doc)[1]!).insert(0, marker);
  await waitFor(() => reportXml(observer.doc).includes(marker), `${what}: observer gets edits`);
  await waitFor(() => reportXml(live) === reportXml(editor.doc), 'server has the edit');
}

/**
 * As expectClose, for content the server refuses: told in words (permission-denied), never
 * closed (a stock client would reconnect and resend the same bytes), nothing changed.
 */
async function expectRefused(send: (ws: WebSocket) => void, what: string): Promise<void> {
  const beforeLive = capture(live);
  const beforeObserver = capture(observer.doc);
  const sock = rawSocket(`${server.wsUrl}/${reportId}`, { cookie: server.chair.cookie }, cleanup);
  await within(sock.opened, 10_000, 'raw socket open');
  await waitFor(() => sock.frames.length > 0, 'server greeting');
  send(sock.ws);
  await waitFor(
    () => sock.frames.some((f) => frameType(f) === MessageType.Auth),
    `${what}: the refusal`,
  );
  assert.equal(sock.ws.readyState, WebSocket.OPEN, `${what}: still open`);
  assertSameState(live, beforeLive, `${what}: server`);
  assertSameState(observer.doc, beforeObserver, `${what}: observer`);
  sock.ws.close();
}

const sendBytes = (bytes: Uint8Array) => (ws: WebSocket) => ws.send(bytes, { binary: true });

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('malformed frames on the sync socket', () => {
  before(async () => {
    server = await startTestServer({ config: { maxMessageBytes: MAX_MESSAGE_BYTES } });
    cleanup.add(() => server.close());
    reportId = (await server.createReport('Malformed', 'gge-report')).id;
    observer = connectClient(server, reportId, {}, cleanup);
    editor = connectClient(server, reportId, {}, cleanup);
    await waitFor(() => isLive(observer) && isLive(editor), 'clients sync');
    live = await serverDoc(server, reportId);
  });

  test('random bytes (seeded) → 1003', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const gen = prng.create(seed);
      const bytes = prng.uint8Array(gen, prng.int32(gen, 2, 200));
      await expectClose(CloseCode.UnsupportedData, sendBytes(bytes), `random bytes #${seed}`);
    }
  });

  test('truncated frames and truncated updates → 1003', async () => {
    const update = updateOf(insertText('never stored '));
    const frame = syncFrame(2, update);
    for (const keep of [1, 2, 3, Math.floor(frame.length / 2), frame.length - 1]) {
      await expectClose(
        CloseCode.UnsupportedData,
        sendBytes(frame.slice(0, keep)),
        `frame cut to ${keep}/${frame.length} bytes`,
      );
    }
    // Well-framed, but the update inside is cut short.
    for (const keep of [1, 3, Math.floor(update.length / 2), update.length - 1]) {
      await expectClose(
        CloseCode.UnsupportedData,
        sendBytes(syncFrame(2, update.slice(0, keep))),
        `update cut to ${keep}/${update.length} bytes`,
      );
      await expectClose(
        CloseCode.UnsupportedData,
        sendBytes(syncFrame(1, update.slice(0, keep))),
        `sync step 2 cut to ${keep}/${update.length} bytes`,
      );
    }
  });

  test('unknown message types → 1003', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['type 2 (auth, server-to-client only)', Uint8Array.of(2, 0, 0)],
      ['type 4', Uint8Array.of(4)],
      ['type 100 (Saved, server-to-client only)', Uint8Array.of(100, 0)],
      ['type 300 (two-byte varint)', Uint8Array.of(0xac, 0x02)],
      ['sync sub-type 3', syncFrame(0, Uint8Array.of(0)).map((b, i) => (i === 1 ? 3 : b))],
      ['empty frame', new Uint8Array(0)],
    ];
    for (const [name, bytes] of cases) {
      await expectClose(CloseCode.UnsupportedData, sendBytes(bytes), name);
    }
  });

  test('malformed awareness messages → 1003', async () => {
    const awareness = (body: (enc: encoding.Encoder) => void) => {
      const inner = encoding.createEncoder();
      body(inner);
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MessageType.Awareness);
      encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner));
      return encoding.toUint8Array(enc);
    };
    const cases: Array<[string, Uint8Array]> = [
      [
        'state that is not JSON',
        awareness((e) => {
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint(e, 12345);
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, '{"user":');
        }),
      ],
      ['entry count larger than the payload', awareness((e) => encoding.writeVarUint(e, 1000))],
      [
        'trailing bytes after the entries',
        awareness((e) => {
          encoding.writeVarUint(e, 0);
          encoding.writeUint8(e, 9);
        }),
      ],
    ];
    for (const [name, bytes] of cases) {
      await expectClose(CloseCode.UnsupportedData, sendBytes(bytes), name);
    }
  });

  test('text frames → 1003', async () => {
    await expectClose(CloseCode.UnsupportedData, (ws) => ws.send('hello'), 'text frame');
    const update = updateOf(insertText('as text '));
    await expectClose(
      CloseCode.UnsupportedData,
      (ws) => ws.send(Buffer.from(syncFrame(2, update)).toString('latin1')),
      'an update sent as a text frame',
    );
  });

  test('messages with trailing bytes → 1003', async () => {
    const garbage = Uint8Array.of(7, 7, 7);
    const sv = Y.encodeStateVector(live);
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(concat(syncFrame(0, sv), garbage)),
      'sync step 1 + garbage',
    );
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(syncFrame(0, concat(sv, garbage))),
      'state vector + garbage inside the message',
    );
    const update = updateOf(insertText('trailing '));
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(concat(syncFrame(2, update), garbage)),
      'update + garbage',
    );
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(concat(syncFrame(1, update), garbage)),
      'sync step 2 + garbage',
    );
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MessageType.QueryAwareness);
    encoding.writeVarUint(enc, 1);
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(encoding.toUint8Array(enc)),
      'query awareness + garbage',
    );
  });

  test('updates whose dependencies the server never got are refused in words, never by a close', async () => {
    // A client that made two edits; the server only ever sees the second.
    const doc = cloneLive();
    updateOf(insertText('first (never sent) '), doc);
    const second = updateOf((d) => paragraphText(paragraphs(d)[0]!).insert(3, 'second '), doc);
    await expectRefused(sendBytes(syncFrame(2, second)), 'update');
    await expectRefused(sendBytes(syncFrame(1, second)), 'sync step 2');
    // Deleting content the server does not have.
    const doc2 = cloneLive();
    updateOf(insertText('ephemeral '), doc2);
    const deletion = updateOf((d) => paragraphText(paragraphs(d)[0]!).delete(0, 4), doc2);
    await expectRefused(sendBytes(syncFrame(2, deletion)), 'deletion');
    // A new paragraph inside a paragraph the server never saw.
    const doc3 = cloneLive();
    updateOf((d) => {
      const p = new Y.XmlElement('paragraph');
      p.setAttribute('id', 'neverseen000001');
      (d.getXmlFragment('report').get(1) as Y.XmlElement).insert(1, [p]);
    }, doc3);
    const nested = updateOf((d) => {
      const p = paragraphs(d).find((x) => x.getAttribute('id') === 'neverseen000001')!;
      p.insert(0, [new Y.XmlText('child of a missing parent')]);
    }, doc3);
    await expectRefused(sendBytes(syncFrame(2, nested)), 'nested');
  });

  test('an update whose references form a cycle → 1003 before anything is applied (Yjs would throw or park halfway)', async () => {
    // Two insertions of one client, the first referring forward to the second.
    const two = updateOf((d) => {
      insertText('forward ')(d);
      paragraphText(paragraphs(d)[0]!).insert(2, 'never stored ');
    });
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(syncFrame(2, forwardReference(two))),
      'own',
    );
    // Two clients in one update, each building on the other.
    const a = cloneLive();
    a.clientID = 4_000_001;
    const b = cloneLive();
    b.clientID = 4_000_002;
    insertText('never stored a ')(a);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    paragraphText(paragraphs(b)[0]!).insert(3, 'never stored b ');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    const both = Y.encodeStateAsUpdate(a, Y.encodeStateVector(live));
    await expectClose(
      CloseCode.UnsupportedData,
      sendBytes(syncFrame(1, crossCycle(both, 4_000_001, 4_000_002))),
      'across clients',
    );
  });

  test(`bit-flipped update frames (seeded, ${FLIP_RUNS}): a 1003, a refusal in words or a whole update; never half, nothing parked`, async () => {
    const gen = prng.create(FLIP_SEED);
    const seen = new Set<string>();
    for (let i = 0; i < FLIP_RUNS; i++) {
      const doc = cloneLive();
      doc.clientID = 5_000_000 + i;
      const update = updateOf((d) => {
        insertText(`flip ${i} `)(d);
        paragraphText(paragraphs(d)[1]!).format(0, 3, { em: {} });
        paragraphText(paragraphs(d)[0]!).delete(0, 2);
      }, doc);
      const frame = flipBits(syncFrame(2, update), gen);
      const before = capture(live);
      const sock = rawSocket(
        `${server.wsUrl}/${reportId}`,
        { cookie: server.chair.cookie },
        cleanup,
      );
      await within(sock.opened, 10_000, 'raw socket open');
      await waitFor(() => sock.frames.length > 0, 'server greeting');
      sock.ws.send(frame, { binary: true });
      // A marker behind it on the same socket: once it is applied, the frame was handled.
      const marker = `marker-${i} `;
      sock.ws.send(
        syncFrame(
          2,
          updateOf((d) => paragraphText(paragraphs(d)[2]!).insert(0, marker)),
        ),
        {
          binary: true,
        },
      );
      let closed: { code: number; reason: string } | null = null;
      void sock.closed.then((c) => {
        closed = c;
      });
      await waitFor(
        () => closed !== null || reportXml(live).includes(marker),
        `case ${i}: the close or the marker`,
      );
      assert.equal(live.store.pendingStructs, null, `case ${i}: nothing parked`);
      assert.equal(live.store.pendingDs, null, `case ${i}: no deletion parked`);
      const c = closed as { code: number } | null;
      if (c !== null) {
        assert.equal(c.code, CloseCode.UnsupportedData, `case ${i}: close code`);
        assertSameState(live, before, `case ${i}: closed, nothing applied`);
        seen.add('closed');
      } else {
        // Handled in words or applied (whole: see tests/unit/wire-fuzz.test.ts).
        const refused = sock.frames.some((f) => frameType(f) === MessageType.Auth);
        seen.add(refused ? 'refused' : 'taken');
        sock.ws.close();
      }
      await waitFor(
        () => reportXml(observer.doc) === reportXml(live),
        `case ${i}: observer converged`,
      );
      assert.ok(isLive(observer), `case ${i}: the neighbour is still connected`);
    }
    assert.ok(seen.has('closed'), [...seen].join(', '));
  });

  test('a frame over maxMessageBytes → 1009', async () => {
    const huge = updateOf(insertText('x'.repeat(MAX_MESSAGE_BYTES + 1024)));
    assert.ok(huge.length > MAX_MESSAGE_BYTES);
    await expectClose(CloseCode.MessageTooBig, sendBytes(syncFrame(2, huge)), 'oversized update');
    await expectClose(
      CloseCode.MessageTooBig,
      sendBytes(new Uint8Array(MAX_MESSAGE_BYTES + 1)),
      'oversized zeros',
    );
  });

  test('a well-formed update from a raw socket is accepted (the harness can tell)', async () => {
    const before = reportXml(live);
    const update = updateOf(insertText('raw but valid '));
    const sock = rawSocket(`${server.wsUrl}/${reportId}`, { cookie: server.chair.cookie }, cleanup);
    await within(sock.opened, 10_000, 'open');
    sock.ws.send(syncFrame(2, update), { binary: true });
    await waitFor(() => reportXml(observer.doc).includes('raw but valid '), 'broadcast');
    assert.notEqual(reportXml(live), before);
    assert.equal(sock.ws.readyState, WebSocket.OPEN);
    sock.close();
  });

  test('refused upgrades: unknown and invalid ids, old schema; nothing is created', async () => {
    const loads = server.app.registry.loads;
    const open = server.app.registry.openCount;
    const unknownId = 'abcdefghij012345';
    for (const [id, status] of [
      [unknownId, 404],
      ['NOT-A-VALID-ID', 404],
      ['short', 404],
    ] as const) {
      const sock = new WebSocket(`${server.wsUrl}/${id}`, {
        headers: { cookie: server.chair.cookie },
      });
      const got = await within(
        new Promise<number | string>((resolve) => {
          sock.on('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? -1);
            res.resume();
            sock.terminate();
          });
          sock.on('open', () => resolve('open'));
          sock.on('error', () => {});
        }),
        10_000,
        `upgrade of ${id}`,
      );
      assert.equal(got, status, `report id ${id}`);
    }
    // A client built for an older schema is told to reload.
    const old = rawSocket(
      `${server.wsUrl}/${reportId}?schema=0`,
      { cookie: server.chair.cookie },
      cleanup,
    );
    assert.equal((await within(old.closed, 10_000, 'schema close')).code, CloseCode.SchemaTooOld);
    assert.deepEqual(old.frames, [], 'nothing was sent to an outdated client');

    assert.equal(server.app.registry.loads, loads, 'nothing loaded');
    assert.equal(server.app.registry.openCount, open);
    assert.equal(await server.app.storage.getReport(unknownId), null, 'nothing created');
    const res = await server.request('GET', `/api/reports/${unknownId}`);
    assert.equal(res.status, 404);
  });

  test('after all that, storage holds exactly what the clients have', async () => {
    const expected = capture(observer.doc);
    assertSameState(live, expected, 'server');
    await server.close();
    observer.destroy();
    editor.destroy();
    const again = await startTestServer({ dataDir: server.dataDir });
    cleanup.add(() => again.close());
    const fresh = connectClient(again, reportId, {}, cleanup);
    await waitFor(() => isLive(fresh), 'fresh sync after restart');
    assertSameState(fresh.doc, expected, 'after restart');
    assert.ok(!reportXml(fresh.doc).includes('never stored'));
    assert.ok(reportXml(fresh.doc).includes(`edit-${edits} `));
  });
});
