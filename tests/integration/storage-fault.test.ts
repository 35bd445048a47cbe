/**
 * Storage faults. An append that fails closes the report's sockets with 4503 and broadcasts nothing:
 * no other client sees the unsaved edit. The editing client keeps it and resends it when it
 * reconnects (stock y-websocket does that by itself), so once storage recovers the edit becomes
 * durable. /readyz answers 503 while storage does not answer. The HTTP API answers bad input
 * with 400 and a JSON message, never 500, and a storage fault with 503.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CloseCode } from '../../shared/protocol.js';
import {
  Cleanup,
  connectClient,
  isLive,
  paragraphs,
  paragraphText,
  reportXml,
  serverDoc,
} from '../helpers/clients.js';
import { startTestServer, type TestServer, tempDir, waitFor } from '../helpers/server.js';
import { openTestStorage, type TestStorage } from '../helpers/storage.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

async function faultyServer(): Promise<{ server: TestServer; storage: TestStorage }> {
  const dataDir = tempDir();
  const storage = await openTestStorage(dataDir);
  const server = await startTestServer({ dataDir, deps: { storage } });
  cleanup.add(() => server.close());
  return { server, storage };
}

describe('a failing append', () => {
  test('closes with 4503, broadcasts nothing, and the edit is saved once storage recovers', async () => {
    const { server, storage } = await faultyServer();
    const report = await server.createReport('Faults', 'gge-report');
    const editor = connectClient(server, report.id, {}, cleanup);
    const reader = connectClient(server, report.id, {}, cleanup);
    await waitFor(() => isLive(editor) && isLive(reader), 'clients sync');
    // A saved edit first: the harness can tell a broadcast edit.
    paragraphText(paragraphs(editor.doc)[0]!).insert(0, 'Saved before. ');
    await waitFor(() => reportXml(reader.doc).includes('Saved before. '), 'first edit broadcast');
    const loadsBefore = server.app.registry.loads;

    storage.failAppends = true;
    const UNSAVED = 'Written while the disk was full. ';
    paragraphText(paragraphs(editor.doc)[1]!).insert(0, UNSAVED);
    await waitFor(
      () => editor.closes.some((e) => e.code === CloseCode.StorageUnavailable),
      'the editor to be closed with 4503',
    );
    // It reconnects and resends; storage still fails; it is closed again.
    await waitFor(
      () => editor.closes.filter((e) => e.code === CloseCode.StorageUnavailable).length >= 2,
      'a second 4503 after the automatic reconnect',
    );
    assert.ok(storage.failedAppends >= 2, `appends failed: ${storage.failedAppends}`);
    assert.ok(reportXml(editor.doc).includes(UNSAVED), 'the editor keeps its edit');
    assert.ok(!reportXml(reader.doc).includes(UNSAVED), 'the reader never received it');
    assert.ok(server.app.registry.loads > loadsBefore, 'the failed report was dropped');

    storage.failAppends = false;
    await waitFor(
      () => isLive(editor) && isLive(reader) && reportXml(reader.doc).includes(UNSAVED),
      'the edit to reach the reader once storage recovers',
      20_000,
    );
    const live = await serverDoc(server, report.id);
    await waitFor(() => reportXml(live) === reportXml(editor.doc), 'server has everything');
    assert.ok(!editor.closes.some((e) => e.code !== CloseCode.StorageUnavailable));

    // Durable: a new server on the same data directory has it.
    const expected = reportXml(editor.doc);
    await server.close();
    editor.destroy();
    reader.destroy();
    const again = await startTestServer({ dataDir: server.dataDir });
    cleanup.add(() => again.close());
    const fresh = connectClient(again, report.id, {}, cleanup);
    await waitFor(() => isLive(fresh), 'fresh sync after restart');
    assert.equal(reportXml(fresh.doc), expected);
    assert.ok(reportXml(fresh.doc).includes(UNSAVED));
    assert.equal(reportXml(fresh.doc).split(UNSAVED).length - 1, 1, 'saved once');
  });
});

describe('a failing load', () => {
  test('closes with 4503; the client retries by itself and syncs once storage recovers', async () => {
    const { server, storage } = await faultyServer();
    const report = await server.createReport('Load fault', 'gge-report');
    storage.failLoad = true;
    const client = connectClient(server, report.id, {}, cleanup);
    await waitFor(
      () => client.closes.filter((e) => e.code === CloseCode.StorageUnavailable).length >= 2,
      'two 4503 closes while the load fails',
    );
    assert.equal(client.provider.synced, false);
    assert.equal(server.app.registry.openCount, 0, 'a failed load leaves nothing behind');
    assert.equal(server.app.registry.loads, 0);
    storage.failLoad = false;
    await waitFor(() => isLive(client), 'sync after recovery', 20_000);
    assert.match(reportXml(client.doc), /Introduction/);
    assert.equal(server.app.registry.loads, 1);
  });
});

describe('readiness', () => {
  test('/readyz answers 503 while storage does not answer, 200 again after', async () => {
    const { server, storage } = await faultyServer();
    const ok = await fetch(`${server.baseUrl}/readyz`);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { status: string }).status, 'ready');
    storage.failPing = true;
    const down = await fetch(`${server.baseUrl}/readyz`);
    assert.equal(down.status, 503);
    const body = (await down.json()) as { status: string; message: string };
    assert.equal(body.status, 'unavailable');
    assert.match(body.message, /injected fault/);
    const health = await fetch(`${server.baseUrl}/healthz`);
    assert.equal(health.status, 200, 'liveness does not depend on storage');
    storage.failPing = false;
    assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
  });
});

describe('POST /api/reports', () => {
  test('bad bodies are a 400 with a JSON message, never a 500', async () => {
    const { server } = await faultyServer();
    const groupId = server.groupId;
    const good = { title: 'A report', template: 'gge-report', groupId };
    const cases: Array<[string, unknown, Record<string, string>?]> = [
      ['missing title', { template: 'blank', groupId }],
      ['empty title', { ...good, title: '' }],
      ['whitespace title', { ...good, title: ' \t\n ' }],
      ['301-character title', { ...good, title: 'x'.repeat(301) }],
      ['unknown template', { ...good, template: 'minutes' }],
      ['missing template', { title: 'A report', groupId }],
      ['missing group', { title: 'A report', template: 'blank' }],
      ['extra property', { ...good, colour: 'blue' }],
      ['array body', [good]],
      ['non-JSON body', '{"title": "A report",', { 'content-type': 'application/json' }],
      ['empty JSON body', '', { 'content-type': 'application/json' }],
      ['plain-text body', 'A report', { 'content-type': 'text/plain' }],
      ['JSON null', 'null', { 'content-type': 'application/json' }],
      ['JSON string', '"A report"', { 'content-type': 'application/json' }],
      ['title of the wrong type', { ...good, title: { text: 'A report' } }],
      ['title as an array (not coerced)', { ...good, title: ['A report'] }],
      ['title as a number (not coerced)', { ...good, title: 42 }],
    ];
    const before = (await (await server.request('GET', '/api/reports')).json()) as {
      reports: unknown[];
    };
    for (const [name, body, headers] of cases) {
      const res = await server.request('POST', '/api/reports', { body, headers });
      const text = await res.text();
      assert.equal(res.status, 400, `${name}: ${res.status} ${text}`);
      let parsed: { message?: unknown };
      try {
        parsed = JSON.parse(text) as { message?: unknown };
      } catch {
        assert.fail(`${name}: the answer is not JSON: ${text}`);
      }
      assert.equal(typeof parsed.message, 'string', `${name}: has a message`);
      assert.ok((parsed.message as string).length > 0);
    }
    const afterList = (await (await server.request('GET', '/api/reports')).json()) as {
      reports: unknown[];
    };
    assert.equal(afterList.reports.length, before.reports.length, 'nothing was created');

    // The boundary itself is fine (300 characters); titles are stored trimmed (a tab is a
    // control character, refused in titles: tests/integration/input-text.test.ts).
    for (const [title, stored] of [
      ['y'.repeat(300), 'y'.repeat(300)],
      ['  Padded title   ', 'Padded title'],
    ]) {
      const res = await server.request('POST', '/api/reports', { body: { ...good, title } });
      assert.equal(res.status, 201, await res.clone().text());
      const { report } = (await res.json()) as { report: { title: string } };
      assert.equal(report.title, stored);
    }
  });

  test('a storage fault on create is a 503 with a message; nothing is created', async () => {
    const { server, storage } = await faultyServer();
    storage.failCreate = true;
    const res = await server.request('POST', '/api/reports', {
      body: { title: 'During the fault', template: 'blank', groupId: server.groupId },
    });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { message: string };
    assert.match(body.message, /storage/i);
    storage.failCreate = false;
    const list = (await (await server.request('GET', '/api/reports')).json()) as {
      reports: Array<{ title: string }>;
    };
    assert.ok(!list.reports.some((r) => r.title === 'During the fault'));
    const retry = await server.request('POST', '/api/reports', {
      body: { title: 'After the fault', template: 'blank', groupId: server.groupId },
    });
    assert.equal(retry.status, 201);
  });
});
