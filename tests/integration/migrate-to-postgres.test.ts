/**
 * `npm run concord -- migrate-to-postgres`: a SQLite installation (the schema-5 fixture, upgraded,
 * plus what a running server then wrote) is copied into an empty PostgreSQL database, verified,
 * and served from there: the same documents, threads, consensus and audit log, and a client that
 * connects sees the text. A database that already holds anything is refused and left as it was.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { newReportId, templateUpdate } from '../../server/reports.js';
import { PostgresStorage } from '../../server/storage/postgres.js';
import { SQLITE_FILE, SqliteStorage } from '../../server/storage/sqlite.js';
import type { StoredDocument } from '../../server/storage/types.js';
import { Cleanup, connectClient, isLive, reportXml } from '../helpers/clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { startTestServer, tempDir, waitFor } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(root, 'tests/fixtures/concord-schema-v5.sqlite');
const cleanup = new Cleanup();
const databases: TestDatabase[] = [];
after(async () => {
  await cleanup.run();
  for (const d of databases) await d.drop();
});

function cli(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/bin/concord.ts', ...args], {
      cwd: root,
      env: { ...process.env, CONCORD_DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, out }));
  });
}

function rebuild(stored: StoredDocument): string {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return reportXml(doc);
}

test('a SQLite installation is copied, verified, and served from PostgreSQL', async () => {
  const dataDir = tempDir();
  fs.copyFileSync(FIXTURE, path.join(dataDir, SQLITE_FILE));
  // A server on the SQLite installation writes some more: a new report, edited.
  const before = await startTestServer({
    dataDir,
    config: { databaseUrl: null },
    deps: { storage: new SqliteStorage({ dataDir }) },
  });
  // (Made through storage: the fixture's group id predates the API's id pattern.)
  const now = new Date().toISOString();
  const report = {
    id: newReportId(),
    groupId: before.groupId,
    title: 'Written on SQLite',
    template: 'gge-report' as const,
    createdAt: now,
    updatedAt: now,
  };
  await before.app.storage.createReport(report, templateUpdate('gge-report', report.title));
  const writer = connectClient(before, report.id, {}, cleanup);
  await waitFor(() => isLive(writer), 'writer sync');
  writer.doc.getText('notes').insert(0, 'typed before the move');
  await waitFor(
    async () => (await before.app.storage.loadDocument(report.id))!.updates.length > 1,
    'the edit stored',
  );
  writer.destroy();
  await before.close();

  const target = await createTestDatabase();
  databases.push(target);
  const run = await cli({ CONCORD_DATA_DIR: dataDir }, ['migrate-to-postgres', '--to', target.url]);
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /verified: every table's row count, and 3 document\(s\) equal by hash/);
  assert.match(run.out, /audit_log: \d+ rows/);

  const source = new SqliteStorage({ dataDir });
  const copy = await PostgresStorage.open({ url: target.url });
  try {
    for (const id of ['rfixtureaaaaaaaa', 'rfixturebbbbbbbb', report.id]) {
      const [a, b] = [(await source.loadDocument(id))!, (await copy.loadDocument(id))!];
      assert.equal(rebuild(b), rebuild(a), id);
      assert.equal(b.lastSeq, a.lastSeq);
      assert.deepEqual([...b.clientBindings], [...a.clientBindings]);
    }
    assert.deepEqual(
      await copy.listThreads('rfixtureaaaaaaaa'),
      await source.listThreads('rfixtureaaaaaaaa'),
    );
    assert.deepEqual(
      await copy.getConsensus('rfixtureaaaaaaaa'),
      await source.getConsensus('rfixtureaaaaaaaa'),
    );
    assert.deepEqual(
      await copy.listEvents('rfixtureaaaaaaaa', 0),
      await source.listEvents('rfixtureaaaaaaaa', 0),
    );
    assert.deepEqual(
      await copy.listAudit('g_fixture', { limit: 500 }),
      await source.listAudit('g_fixture', { limit: 500 }),
    );
    assert.deepEqual(await copy.listInbox('u_brazil'), await source.listInbox('u_brazil'));
    // Identities continue after the copied rows.
    await copy.appendAudit({
      at: new Date().toISOString(),
      groupId: 'g_fixture',
      actorId: null,
      actor: 'test',
      action: 'after.copy',
      target: null,
      detail: null,
      ip: null,
      requestId: null,
    });
    const [newest] = await copy.listAudit('g_fixture', { limit: 1 });
    assert.equal(newest?.action, 'after.copy');
  } finally {
    await source.close();
    await copy.close();
  }

  // Served from PostgreSQL: a client sees what was typed on SQLite.
  const after = await startTestServer({ dataDir: tempDir(), config: { databaseUrl: target.url } });
  cleanup.add(() => after.close());
  assert.equal(after.app.storage.kind, 'postgres');
  const reader = connectClient(after, report.id, {}, cleanup);
  await waitFor(() => isLive(reader), 'reader sync on PostgreSQL');
  assert.equal(reader.doc.getText('notes').toString(), 'typed before the move');

  // Again into the same (now filled) database: refused, nothing changed.
  const again = await cli({ CONCORD_DATA_DIR: dataDir }, [
    'migrate-to-postgres',
    '--to',
    target.url,
  ]);
  assert.equal(again.code, 2);
  assert.match(again.out, /not empty \(users: \d+/);
});

test('without a target or a SQLite file it says what is missing', async () => {
  const empty = tempDir();
  const noTarget = await cli({ CONCORD_DATA_DIR: empty }, ['migrate-to-postgres']);
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.out, /--to postgres:\/\//);
  const db = await createTestDatabase();
  databases.push(db);
  const noSource = await cli({ CONCORD_DATA_DIR: empty }, ['migrate-to-postgres', '--to', db.url]);
  assert.equal(noSource.code, 2);
  assert.match(noSource.out, /no SQLite database at/);
});
