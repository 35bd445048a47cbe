/**
 * The sync channel's bandwidth cannot be turned against the server (issue 15, item 7): SyncStep1
 * repeated on one connection is answered with what changed, not the whole report each time, and a
 * reader that stops reading is closed (CloseCode.TooFarBehind) once the bytes queued for it pass
 * the limit, so its backlog cannot grow the server's memory.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import type { SyncConnection } from '../../server/sync/connection.js';
import { MessageType } from '../../shared/protocol.js';
import {
  applySyncFrames,
  Cleanup,
  editRaw,
  frameType,
  joinRaw,
  reportXml,
  syncFrame,
} from '../helpers/clients.js';
import { startTestServer, waitFor } from '../helpers/server.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

/** The SyncStep2 replies among `frames`. */
function syncReplies(frames: Uint8Array[]): Uint8Array[] {
  return frames.filter((f) => {
    const dec = decoding.createDecoder(f);
    return decoding.readVarUint(dec) === 0 && decoding.readVarUint(dec) === 1;
  });
}

test('200 SyncStep1 on one connection: one full reply, then only what changed', async () => {
  const server = await startTestServer({ config: { maxMessageBytes: 4 * 1024 * 1024 } });
  cleanup.add(() => server.close());
  const report = await server.createReport('Flood', 'gge-report');
  const writer = await joinRaw(server, report.id, server.chair, cleanup, { saved: true });
  // About 1 MiB of text, so a whole-report reply is at least that.
  editRaw(writer, 0, 'Long agreed language. '.repeat(48_000));
  const expert = await server.addUser('expert');
  const flooder = await joinRaw(server, report.id, expert, cleanup, { saved: true });
  const full = syncReplies(flooder.sock.frames)[0]!.length;
  assert.ok(full > 1024 * 1024, `the report is large (${full} bytes)`);
  // A fresh document's state vector every time: the old server answered each with the whole report.
  const empty = Y.encodeStateVector(new Y.Doc());
  for (let i = 0; i < 100; i++) flooder.sock.ws.send(syncFrame(0, empty), { binary: true });
  editRaw(writer, 1, 'Changed during the flood. ');
  for (let i = 0; i < 100; i++) flooder.sock.ws.send(syncFrame(0, empty), { binary: true });
  await waitFor(() => syncReplies(flooder.sock.frames).length === 201, 'all 200 replies', 30_000);
  const sent = flooder.sock.frames.reduce((n, f) => n + f.length, 0);
  // Old code: 201 × the report (about 200 MiB).
  assert.ok(sent < 2 * full, `${sent} bytes sent for 200 repeats of a ${full}-byte report`);
  // What it got still makes the whole report, the change during the flood included (once the
  // broadcast of that change, which waits for its commit, has arrived too).
  assert.ok(reportXml(writer.doc).includes('Changed during the flood. '));
  await waitFor(() => {
    const rebuilt = new Y.Doc();
    applySyncFrames(rebuilt, flooder.sock.frames);
    return reportXml(rebuilt) === reportXml(writer.doc);
  }, 'the flooder to hold the same report as the writer');
});

test('a reader that never reads is closed when its queue passes the limit; memory stays bounded', async () => {
  const limit = 512 * 1024;
  const server = await startTestServer({
    config: { maxMessageBytes: 4 * 1024 * 1024 },
    deps: { maxQueuedBytes: limit },
  });
  cleanup.add(() => server.close());
  const report = await server.createReport('Slow reader', 'gge-report');
  const writer = await joinRaw(server, report.id, server.chair, cleanup, { saved: true });
  const expert = await server.addUser('expert');
  const slow = await joinRaw(server, report.id, expert, cleanup, { saved: true });
  const peers = () =>
    server.app.registry.withReport(report.id, (r) => [...r.peers] as unknown as SyncConnection[]);
  const slowConn = (await peers()).find((p) => p.userId === expert.id)!;
  // The reader stops reading: the kernel's buffers fill, then the server's queue grows.
  (slow.sock.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const chunk = 'Text nobody reads. '.repeat(13_000); // about 250 KB per update
  let maxQueued = 0;
  const sampler = setInterval(() => {
    maxQueued = Math.max(maxQueued, slowConn.queuedBytes);
  }, 2);
  cleanup.add(() => clearInterval(sampler));
  let edits = 0;
  // Up to 200 edits (50 MB): far more than loopback's buffers hold. One at a time (each durable
  // before the next), so each goes out as its own message.
  const saved = () => writer.sock.frames.filter((f) => frameType(f) === MessageType.Saved).length;
  while (!slowConn.isClosed && edits < 200) {
    const before = saved();
    editRaw(writer, edits % 3, chunk);
    edits++;
    await waitFor(() => saved() > before, 'the edit to be durable');
  }
  clearInterval(sampler);
  assert.ok(slowConn.isClosed, `the slow reader is closed (after ${edits} edits)`);
  assert.ok(
    maxQueued <= limit + chunk.length + 1024,
    `at most the limit plus one message was queued (${maxQueued})`,
  );
  // It is gone from the report, and its socket lets go of the backlog.
  await waitFor(async () => !(await peers()).includes(slowConn), 'the report to drop it');
  await waitFor(() => slowConn.queuedBytes === 0, 'the backlog to be released', 10_000);
  // The writer is unaffected: its later edits still reach a new reader.
  editRaw(writer, 0, 'After the slow reader. ');
  const fresh = await joinRaw(server, report.id, expert, cleanup, { saved: true });
  await waitFor(() => {
    applySyncFrames(fresh.doc, fresh.sock.frames);
    return reportXml(fresh.doc).includes('After the slow reader. ');
  }, 'a new reader to get the text');
});
