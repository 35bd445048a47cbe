/**
 * The report registry: one load however many clients arrive at once; unload after the last
 * client leaves plus the grace period (and not when someone comes back within it); a client that
 * arrives while an unload is still flushing waits for it and sees every earlier write.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as Y from 'yjs';
import {
  Cleanup,
  connectClient,
  isLive,
  paragraphs,
  paragraphText,
  reportXml,
  serverDoc,
  type TestClient,
} from '../helpers/clients.js';
import { startTestServer, tempDir, waitFor } from '../helpers/server.js';
import { Gate, openTestStorage } from '../helpers/storage.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

async function serverWith(unloadGraceMs: number) {
  const dataDir = tempDir();
  const storage = await openTestStorage(dataDir);
  const server = await startTestServer({ dataDir, config: { unloadGraceMs }, deps: { storage } });
  cleanup.add(() => server.close());
  return { server, storage };
}

describe('report registry', () => {
  test('50 clients connecting in the same millisecond cause one load', async () => {
    const { server, storage } = await serverWith(60_000);
    const report = await server.createReport('Stampede', 'gge-report');
    assert.equal(server.app.registry.openCount, 0, 'creating a report does not load it');
    const loads = server.app.registry.loads;
    const clients: TestClient[] = [];
    for (let i = 0; i < 50; i++) clients.push(connectClient(server, report.id, {}, cleanup));
    await waitFor(() => clients.every(isLive), '50 clients to sync', 30_000);
    assert.equal(server.app.registry.loads - loads, 1, 'loaded once');
    assert.equal(storage.loadCalls, 1, 'storage read once');
    assert.equal(server.app.registry.openCount, 1);
    const xml = reportXml(clients[0]!.doc);
    assert.match(xml, /Introduction/);
    for (const c of clients) assert.equal(reportXml(c.doc), xml);
    for (const c of clients) c.destroy();
  });

  test('the last client leaving unloads the report after the grace period', async () => {
    const { server, storage } = await serverWith(50);
    const report = await server.createReport('Grace', 'gge-report');
    const a = connectClient(server, report.id, {}, cleanup);
    const b = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => isLive(a) && isLive(b), 'sync');
    paragraphText(paragraphs(a.doc)[0]!).insert(0, 'Kept across unloads. ');
    await waitFor(() => reportXml(b.doc).includes('Kept across unloads. '), 'broadcast');
    assert.equal(server.app.registry.openCount, 1);

    a.destroy();
    // One client is still there: nothing is scheduled, whatever the grace period.
    await waitFor(() => server.app.websocketServer.clients.size === 1, 'a gone');
    assert.equal(server.app.registry.openCount, 1);
    b.destroy();
    await waitFor(() => server.app.registry.openCount === 0, 'the report to unload', 10_000);
    // The report leaves the registry when its unload starts; the snapshot is written after that.
    await waitFor(() => storage.compactsCompleted >= 1, 'unloading to flush a snapshot');

    const loads = server.app.registry.loads;
    const c = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => isLive(c), 'sync after unload');
    assert.equal(server.app.registry.loads, loads + 1, 'loaded again');
    assert.match(reportXml(c.doc), /Kept across unloads\. /);
  });

  test('a client coming back within the grace period keeps the report loaded', async () => {
    const { server } = await serverWith(60_000);
    const report = await server.createReport('Back soon', 'gge-report');
    const a = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => isLive(a), 'sync');
    const loads = server.app.registry.loads;
    a.destroy();
    await waitFor(() => server.app.websocketServer.clients.size === 0, 'a gone');
    const b = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => isLive(b), 'sync again');
    assert.equal(server.app.registry.loads, loads, 'not loaded again');
    assert.equal(server.app.registry.openCount, 1);
  });

  test('a client joining while an unload is in progress sees every earlier write', async () => {
    const { server, storage } = await serverWith(50);
    const report = await server.createReport('Unload race', 'gge-report');
    const writer = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => isLive(writer), 'writer sync');
    const live = await serverDoc(server, report.id);
    for (let i = 0; i < 10; i++) {
      paragraphText(paragraphs(writer.doc)[i % 7]!).insert(0, `write ${i}. `);
    }
    writer.doc.getText('notes').insert(0, 'last write');
    await waitFor(
      () => Y.equalSnapshots(Y.snapshot(live), Y.snapshot(writer.doc)),
      'server has every write',
    );
    const expected = reportXml(writer.doc);

    // The unload blocks in its final compaction.
    const gate = new Gate();
    storage.compactGate = gate;
    cleanup.add(() => gate.open());
    const compactions = storage.compactCalls;
    const loads = server.app.registry.loads;
    writer.destroy();
    await waitFor(() => storage.compactCalls > compactions, 'the unload to start compacting');
    assert.equal(server.app.registry.openCount, 0, 'no longer live, still unloading');

    const late = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => server.app.websocketServer.clients.size === 1, 'late socket open');
    await waitFor(() => late.provider.wsconnected, 'late client connected');
    // Give a wrong server every chance to answer early (a negative check, not a timing one).
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(late.provider.synced, false, 'not answered while the unload flushes');
    assert.deepEqual(late.received, []);
    assert.equal(server.app.registry.loads, loads, 'no load before the unload finished');

    gate.open();
    storage.compactGate = null;
    await waitFor(() => isLive(late), 'late client sync after the unload');
    assert.equal(server.app.registry.loads, loads + 1, 'a fresh load after the unload');
    assert.equal(reportXml(late.doc), expected);
    assert.equal(late.doc.getText('notes').toString(), 'last write');
    for (let i = 0; i < 10; i++) assert.match(reportXml(late.doc), new RegExp(`write ${i}\\. `));
  });
});

describe('server-side work without a socket', () => {
  test('a report held by one export is not unloaded when another export on it finishes', async () => {
    const server = await startTestServer({ config: { unloadGraceMs: 30 } });
    try {
      const { id } = await server.createReport('Held');
      let releaseSecond!: () => void;
      const secondHeld = new Promise<void>((resolve) => {
        releaseSecond = resolve;
      });
      let destroyedUnderSecond = false;
      const second = server.app.registry.withReport(id, async (live) => {
        await secondHeld;
        // The document must still be usable after the first export's grace period has passed.
        destroyedUnderSecond = live.ydoc().isDestroyed;
      });
      await server.app.registry.withReport(id, () => {});
      // Several grace periods pass while the second export still holds the report.
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(server.app.registry.openCount, 1, 'the report was unloaded while still held');
      releaseSecond();
      await second;
      assert.equal(destroyedUnderSecond, false);
      await waitFor(() => server.app.registry.openCount === 0, 'unload after the last hold');
    } finally {
      await server.close();
    }
  });
});
