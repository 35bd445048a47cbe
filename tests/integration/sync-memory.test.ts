/**
 * An open sync socket does not keep its HTTP upgrade request alive (headers, the Fastify request
 * and reply, the stand-in ServerResponse): about 3 KB per socket, which is memory per delegate
 * for as long as the editor stays open.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { closeAll, connectSynced, type } from '../helpers/auth.js';
import { startTestServer, waitFor } from '../helpers/server.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('the upgrade request is collectable while its socket stays open', async (t) => {
  const server = await startTestServer();
  t.after(async () => {
    closeAll();
    await server.close();
  });
  const report = await server.createReport('Memory');
  const requests: Array<WeakRef<IncomingMessage>> = [];
  server.app.server.on('upgrade', (req: IncomingMessage) => {
    requests.push(new WeakRef(req));
  });
  const a = await connectSynced(server, server.chair, report.id);
  const expert = await server.addUser('expert');
  const b = await connectSynced(server, expert, report.id);
  type(a, 'still connected');
  await waitFor(() => b.text() === 'still connected', 'the edit to arrive');
  assert.equal(requests.length, 2);
  await waitFor(() => {
    gc();
    return requests.every((r) => r.deref() === undefined);
  }, 'both upgrade requests to be collected');
  // Both sockets are still live after the requests went.
  type(b, ' and live');
  await waitFor(() => a.text() === 'still connected and live', 'an edit after collection');
});
