/**
 * The broadcast write path (server/sync/frame.ts) over real sockets on 127.0.0.1: prebuilt frames
 * written to the net.Socket arrive whole and in order, also between large messages that ws sends
 * in pieces, and also when the reader stops reading and the socket has to queue them.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { binaryFrame, binaryFrameStart, FrameSink } from '../../server/sync/frame.js';
import { assertNumbered, numbered } from '../helpers/frames.js';
import { waitFor } from '../helpers/server.js';

interface Pair {
  server: WebSocket;
  client: WebSocket;
  received: Buffer[];
  close(): Promise<void>;
}

async function pair(): Promise<Pair> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const received: Buffer[] = [];
  client.binaryType = 'nodebuffer';
  client.on('message', (data) => received.push(data as Buffer));
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const server = await accepted;
  return {
    server,
    client,
    received,
    async close() {
      client.terminate();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

test('direct frames and large ws sends arrive whole and in their order', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  const sink = new FrameSink(p.server);
  const sizes: number[] = [];
  for (let i = 0; i < 600; i++) {
    // Every 100th message is 2 MB, sent by ws: the kernel takes it in pieces, so the net.Socket
    // still holds bytes when the next frames come, and they must wait their turn.
    if (i % 100 === 0) {
      sizes.push(2 * 1024 * 1024);
      p.server.send(numbered(i, sizes[i]!), { binary: true });
    } else {
      sizes.push(40 + (i % 50));
      assert.equal(sink.write(binaryFrame(numbered(i, sizes[i]!))), true);
    }
  }
  await waitFor(() => p.received.length === 600, 'all 600 messages', 20_000);
  for (const [i, got] of p.received.entries()) assertNumbered(got, i, sizes[i]!);
});

test('a reader that stops reading: frames queue in order and all arrive when it reads again', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  const sink = new FrameSink(p.server);
  const raw = (p.client as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  const size = 16 * 1024;
  let queuedSeen = 0;
  // 64 MB: more than loopback's socket buffers hold, so the socket has to queue part of it.
  const count = 4096;
  for (let i = 0; i < count; i++) {
    assert.equal(sink.write(binaryFrame(numbered(i, size))), true);
    queuedSeen = Math.max(queuedSeen, sink.queuedBytes);
  }
  assert.ok(queuedSeen > 0, 'the kernel took everything at once: the queued path was not tested');
  raw.resume();
  await waitFor(() => p.received.length === count, `all ${count} frames`, 30_000);
  for (const [i, got] of p.received.entries()) assertNumbered(got, i, size);
  await waitFor(() => sink.queuedBytes === 0, 'the queue to drain');
});

test('a frame written in two parts (a small start, then a large body as it is) arrives as one message', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  const sink = new FrameSink(p.server);
  const sizes: number[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 4 === 1) {
      // 3 MB: over the kernel's appetite, so the body is queued behind its start.
      const whole = numbered(i, 3 * 1024 * 1024);
      sizes.push(whole.length);
      const start = binaryFrameStart(whole.subarray(0, 7), whole.length - 7);
      assert.equal(sink.writeParts(start, whole.subarray(7)), true);
    } else if (i % 4 === 2) {
      sizes.push(70_000);
      p.server.send(numbered(i, 70_000), { binary: true });
    } else {
      sizes.push(100 + i);
      assert.equal(sink.write(binaryFrame(numbered(i, 100 + i))), true);
    }
  }
  await waitFor(() => p.received.length === 40, 'all 40 messages', 20_000);
  for (const [i, got] of p.received.entries()) assertNumbered(got, i, sizes[i]!);
});

test('a closed socket takes no frame', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  const sink = new FrameSink(p.server);
  const closed = new Promise((resolve) => p.server.once('close', resolve));
  p.client.terminate();
  await closed;
  assert.equal(sink.write(binaryFrame(numbered(1, 10))), false);
  assert.equal(sink.queuedBytes, 0);
});
