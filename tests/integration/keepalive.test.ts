/**
 * Keepalive: a peer that stops answering (a network gone without a goodbye) is closed after a
 * missed ping, its presence removed and its report free to unload; a live peer is kept.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer, waitFor } from '../helpers/server.js';

let server: TestServer | null = null;
after(async () => {
  await server?.close();
});

function open(url: string, cookie: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { cookie } });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('a silent peer is closed after a missed ping; an answering one stays', async () => {
  server = await startTestServer({ config: { keepaliveMs: 150, unloadGraceMs: 50 } });
  const { id } = await server.createReport('Keepalive', 'blank');
  const live = await open(`${server.wsUrl}/${id}`, server.chair.cookie);
  const silent = await open(`${server.wsUrl}/${id}`, server.chair.cookie);
  // Stop reading: pings are never seen, so never answered (ws answers pongs automatically).
  (silent as unknown as { _socket: { pause(): void } })._socket.pause();
  await waitFor(
    () => server!.app.websocketServer.clients.size === 1,
    'the silent socket closed by the server',
    5000,
  );
  assert.equal(live.readyState, WebSocket.OPEN, 'the answering peer was closed');
  // The server side is gone whatever the client notices; the remaining one keeps the report.
  assert.equal(server.app.registry.openCount, 1);
  live.close();
  await waitFor(() => server!.app.registry.openCount === 0, 'the report unloaded');
});
