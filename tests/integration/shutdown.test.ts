/**
 * Graceful shutdown: SIGTERM flushes storage and closes every socket (1001) within the configured
 * timeout (10 s), exits 0, and nothing acknowledged is lost. Also: a first start on an empty data
 * directory prints the one-time setup link, and a bad configuration value stops the server with a
 * message naming the variable.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { decodeSavedBody, MessageType } from '../../shared/protocol.js';
import { SCHEMA_VERSION } from '../../shared/schema.js';
import { seedDataDir, startChildServer } from '../helpers/child.js';
import { login, tempDir, waitFor, webSocketWith } from '../helpers/server.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('SIGTERM flushes, closes sockets with 1001 and exits 0 within 10 s; the text survives', async () => {
  const dataDir = tempDir();
  const { groupId } = await seedDataDir(dataDir);
  const server = await startChildServer(dataDir);
  cleanups.push(() => server.proc.exitCode === null && server.proc.kill('SIGKILL'));
  const cookie = await login(server.baseUrl, 'chair@test.example', 'chair-password');
  const res = await fetch(`${server.baseUrl}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ title: 'Shutdown', template: 'blank', groupId }),
  });
  assert.equal(res.status, 201);
  const { report } = (await res.json()) as { report: { id: string } };

  const doc = new Y.Doc();
  let durable = 0;
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}/sync`, report.id, doc, {
    WebSocketPolyfill: webSocketWith({ cookie }) as never,
    disableBc: true,
    params: { saved: String(doc.clientID), schema: String(SCHEMA_VERSION) },
  });
  provider.messageHandlers[MessageType.Saved] = (_enc, dec) => {
    for (const c of decodeSavedBody(dec))
      if (c.client === doc.clientID) durable = Math.max(durable, c.clock);
  };
  const closeCodes: number[] = [];
  provider.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code);
  });
  cleanups.push(() => {
    provider.destroy();
    doc.destroy();
  });
  await waitFor(() => provider.synced, 'sync');
  doc.getText('t').insert(0, 'adopted by consensus');
  await waitFor(() => durable >= Y.getState(doc.store, doc.clientID), 'Saved ack');
  provider.shouldConnect = false;

  const started = Date.now();
  server.proc.kill('SIGTERM');
  const code = await server.exited;
  const took = Date.now() - started;
  assert.equal(code, 0, server.output());
  assert.ok(took < 10_000, `shutdown took ${took} ms`);
  await waitFor(() => closeCodes.length > 0, 'close event');
  assert.equal(closeCodes[0], 1001);

  const again = await startChildServer(dataDir);
  cleanups.push(() => again.proc.exitCode === null && again.proc.kill('SIGKILL'));
  const cookie2 = await login(again.baseUrl, 'chair@test.example', 'chair-password');
  const fresh = new Y.Doc();
  const p2 = new WebsocketProvider(`ws://127.0.0.1:${again.port}/sync`, report.id, fresh, {
    WebSocketPolyfill: webSocketWith({ cookie: cookie2 }) as never,
    disableBc: true,
    params: { schema: String(SCHEMA_VERSION) },
  });
  cleanups.push(() => {
    p2.destroy();
    fresh.destroy();
  });
  await waitFor(
    () => p2.synced && fresh.getText('t').toString() === 'adopted by consensus',
    'text after restart',
  );
  again.proc.kill('SIGTERM');
  assert.equal(await again.exited, 0);
});

test('first start on an empty data directory prints a one-time setup link', async () => {
  const server = await startChildServer(tempDir());
  cleanups.push(() => server.proc.exitCode === null && server.proc.kill('SIGKILL'));
  await waitFor(() => /#\/setup\/[A-Za-z0-9_-]{20,}/.test(server.output()), 'setup link on stdout');
  const setup = (await (await fetch(`${server.baseUrl}/api/setup`)).json()) as { needed: boolean };
  assert.equal(setup.needed, true);
  server.proc.kill('SIGTERM');
  assert.equal(await server.exited, 0);
});

test('a bad configuration value stops the server with a message naming the variable', async () => {
  await assert.rejects(
    startChildServer(tempDir(), { CONCORD_SQLITE_SYNCHRONOUS: 'sometimes' }),
    /CONCORD_SQLITE_SYNCHRONOUS/,
  );
});
