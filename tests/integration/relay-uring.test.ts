/**
 * Relays over io_uring (server/sync/uring.ts, and frame.ts's Relay) through real sockets on
 * 127.0.0.1: one system call sends a frame to many sockets; each socket's answer is its own (a
 * full socket, a reset peer, an fd that is no socket); what the kernel did not take reaches the
 * reader later and in order; a ring that fails is given up and the frames still arrive.
 *
 * io_uring may be forbidden by the kernel (kernel.io_uring_disabled) or a seccomp profile: the
 * first test says which case this machine is in, and the ring tests run wherever a ring opens.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { binaryFrame, FrameSink, openRelay, Relay } from '../../server/sync/frame.js';
import { openRing } from '../../server/sync/uring.js';
import { assertNumbered, numbered } from '../helpers/frames.js';
import { startTestServer, waitFor } from '../helpers/server.js';

const sysctl = (() => {
  try {
    return fs.readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim();
  } catch {
    return null; // a kernel without the switch (before 6.6): allowed unless seccomp says no
  }
})();
const probe = openRing();
probe.ring?.close();
const withRing = probe.ring ? test : test.skip;

test('io_uring opens where the kernel allows it, and says why not where it does not', () => {
  if (process.platform !== 'linux') {
    assert.equal(probe.reason, 'not Linux');
  } else if (sysctl === '2') {
    assert.match(probe.reason ?? '', /EPERM/);
  } else {
    // This is the machine the suite runs on in CI: the ring must open there.
    assert.equal(probe.reason, null, `io_uring allowed (sysctl ${sysctl}) but: ${probe.reason}`);
  }
});

/** `count` loopback TCP connections: the accepting ends, and what each client end received. */
async function tcpPairs(count: number) {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepted: net.Socket[] = [];
  server.on('connection', (s) => accepted.push(s));
  const clients: net.Socket[] = [];
  const received: Buffer[][] = [];
  for (let i = 0; i < count; i++) {
    const chunks: Buffer[] = [];
    received.push(chunks);
    const c = net.connect(port, '127.0.0.1');
    c.on('data', (d) => chunks.push(d));
    clients.push(c);
  }
  await waitFor(() => accepted.length === count, `${count} connections`);
  const fds = Int32Array.from(
    accepted,
    (s) => (s as unknown as { _handle: { fd: number } })._handle.fd,
  );
  return {
    fds,
    accepted,
    clients,
    bytes: (i: number) => Buffer.concat(received[i]!),
    close() {
      for (const s of [...accepted, ...clients]) s.destroy();
      server.close();
    },
  };
}

withRing(
  'one submission sends a frame to every socket, in batches larger than the ring',
  async (t) => {
    // 8 slots for 50 sockets: the send goes in 7 submissions.
    const { ring } = openRing(8);
    assert.ok(ring);
    const pairs = await tcpPairs(50);
    t.after(() => {
      ring.close();
      pairs.close();
    });
    const results = new Int32Array(50);
    for (let round = 0; round < 3; round++) {
      const frame = Buffer.from(`round ${round}: ${'x'.repeat(60)}|`);
      assert.equal(ring.send(pairs.fds, 50, frame, results), true);
      assert.deepEqual([...results], Array(50).fill(frame.length));
    }
    const expected = [0, 1, 2].map((r) => `round ${r}: ${'x'.repeat(60)}|`).join('');
    await waitFor(
      () => pairs.clients.every((_, i) => pairs.bytes(i).length === expected.length),
      'every client to receive three rounds',
    );
    for (let i = 0; i < 50; i++) assert.equal(pairs.bytes(i).toString(), expected, `client ${i}`);
  },
);

withRing(
  'an fd that is no socket, or no fd at all, gets its own error; the others are sent',
  async (t) => {
    const { ring } = openRing();
    assert.ok(ring);
    const pairs = await tcpPairs(2);
    const file = fs.openSync('/dev/null', 'w');
    t.after(() => {
      fs.closeSync(file);
      ring.close();
      pairs.close();
    });
    const frame = Buffer.from('hello');
    const fds = Int32Array.from([pairs.fds[0]!, file, pairs.fds[1]!, 1 << 20]);
    const results = new Int32Array(4);
    assert.equal(ring.send(fds, 4, frame, results), true);
    assert.deepEqual([...results], [5, -88 /* ENOTSOCK */, 5, -9 /* EBADF */]);
    await waitFor(() => pairs.bytes(0).length === 5 && pairs.bytes(1).length === 5, 'both sockets');
  },
);

withRing(
  'after close, send refuses and answers every fd "not sent" (the caller writes it)',
  async (t) => {
    const { ring } = openRing();
    assert.ok(ring);
    const pairs = await tcpPairs(2);
    t.after(() => pairs.close());
    ring.close();
    const results = new Int32Array(2);
    assert.equal(ring.send(pairs.fds, 2, Buffer.from('x'), results), false);
    assert.deepEqual([...results], [-11, -11]);
    assert.equal(ring.failure, 'closed');
  },
);

interface WsPair {
  server: WebSocket;
  client: WebSocket;
  sink: FrameSink;
  received: Buffer[];
  raw: { pause(): void; resume(): void; resetAndDestroy(): void };
}

async function wsPairs(count: number) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const pairs: WsPair[] = [];
  for (let i = 0; i < count; i++) {
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    client.binaryType = 'nodebuffer';
    const received: Buffer[] = [];
    client.on('message', (data) => received.push(data as Buffer));
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    const server = await accepted;
    server.on('error', () => {});
    const raw = (client as unknown as { _socket: WsPair['raw'] })._socket;
    pairs.push({ server, client, sink: new FrameSink(server), received, raw });
  }
  return {
    pairs,
    async close() {
      for (const p of pairs) p.client.terminate();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Relays `frame` to every sink the way LiveReport.broadcast does. */
function relayTo(relay: Relay, sinks: FrameSink[], frame: Buffer): void {
  const batched = relay.begin(frame);
  for (const sink of sinks) assert.equal(sink.write(frame, batched ? relay : null), true);
  if (batched) relay.end();
}

withRing(
  'a reader that stops reading: the kernel takes part, libuv the rest, and all arrive in order',
  async (t) => {
    const ws = await wsPairs(3);
    const failures: string[] = [];
    const opened = openRelay((reason) => failures.push(reason));
    assert.ok(opened.relay, opened.reason ?? '');
    const relay = opened.relay;
    t.after(async () => {
      relay.close();
      await ws.close();
    });
    const stalled = ws.pairs[0]!;
    stalled.raw.pause();
    const size = 16 * 1024;
    const count = 4096; // 64 MB: more than loopback's buffers hold for the stalled reader
    let queuedSeen = 0;
    for (let i = 0; i < count; i++) {
      relayTo(
        relay,
        ws.pairs.map((p) => p.sink),
        binaryFrame(numbered(i, size)),
      );
      queuedSeen = Math.max(queuedSeen, stalled.sink.queuedBytes);
      // Let the readers keep up, so that only the stalled one fills.
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.ok(
      queuedSeen > 0,
      'the stalled socket never filled: the hand-over to libuv was not tested',
    );
    assert.ok(relay.batches > 0, 'no frame went through the ring');
    assert.deepEqual(failures, []);
    stalled.raw.resume();
    for (const [n, p] of ws.pairs.entries()) {
      await waitFor(() => p.received.length === count, `reader ${n}: all ${count} frames`, 60_000);
      for (const [i, got] of p.received.entries()) assertNumbered(got, i, size, `reader ${n}`);
    }
  },
);

withRing(
  'a peer that reset its connection: its socket is closed, the others get the frame',
  async (t) => {
    // Plain TCP, accepted paused: the server reads nothing, so it has not noticed the reset when
    // the relay comes, and only the send itself can tell.
    const server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const accepted: net.Socket[] = [];
    server.on('connection', (s) => accepted.push(s));
    const clients = [0, 1, 2].map(() => net.connect(port, '127.0.0.1'));
    const received = clients.map((c) => {
      const chunks: Buffer[] = [];
      c.on('data', (d) => chunks.push(d));
      return chunks;
    });
    await waitFor(() => accepted.length === 3, 'three connections');
    const opened = openRelay(() => {});
    assert.ok(opened.relay);
    const relay = opened.relay;
    t.after(() => {
      relay.close();
      for (const s of [...accepted, ...clients]) s.destroy();
      server.close();
    });
    // Each accepted socket in the order its client connected (ports match).
    accepted.sort(
      (a, b) =>
        clients.findIndex((c) => c.localPort === a.remotePort) -
        clients.findIndex((c) => c.localPort === b.remotePort),
    );
    const sinks = accepted.map((s) => new FrameSink({ _socket: s } as unknown as WebSocket));
    const closed = new Promise((resolve) => accepted[0]!.once('close', resolve));
    clients[0]!.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(accepted[0]!.destroyed, false, 'the server noticed the reset before the relay');
    const frame = binaryFrame(numbered(1, 100));
    relayTo(relay, sinks, frame);
    assert.equal(relay.batches, 1);
    await closed;
    for (const i of [1, 2]) {
      await waitFor(() => Buffer.concat(received[i]!).length === frame.length, `client ${i}`);
      assert.deepEqual(Buffer.concat(received[i]!), frame);
    }
  },
);

withRing(
  'a ring that fails: the relay says so once, and frames still arrive socket by socket',
  async (t) => {
    const ws = await wsPairs(3);
    const { ring } = openRing();
    assert.ok(ring);
    const failures: string[] = [];
    const relay = new Relay(ring, (reason) => failures.push(reason));
    t.after(async () => {
      relay.close();
      await ws.close();
    });
    const sinks = ws.pairs.map((p) => p.sink);
    relayTo(relay, sinks, binaryFrame(numbered(0, 50)));
    // The ring closes under the relay (what a failing io_uring_enter leads to).
    ring.close();
    for (let i = 1; i < 4; i++) relayTo(relay, sinks, binaryFrame(numbered(i, 50)));
    assert.deepEqual(failures, ['closed']);
    assert.equal(relay.active, false);
    for (const [n, p] of ws.pairs.entries()) {
      await waitFor(() => p.received.length === 4, `reader ${n}: 4 frames`);
      for (const [i, got] of p.received.entries()) assertNumbered(got, i, 50, `reader ${n}`);
    }
  },
);

test('/readyz says how relays go out: io_uring where it opens, per-socket when turned off', async (t) => {
  const auto = await startTestServer();
  t.after(() => auto.close());
  const off = await startTestServer({ config: { ioUring: 'off' } });
  t.after(() => off.close());
  const relays = async (baseUrl: string) =>
    ((await (await fetch(`${baseUrl}/readyz`)).json()) as { relays: string }).relays;
  assert.equal(await relays(auto.baseUrl), probe.ring ? 'io_uring' : 'per-socket');
  assert.equal(await relays(off.baseUrl), 'per-socket');
});
