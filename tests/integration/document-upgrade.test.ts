/**
 * A report stored by schema version 1 is upgraded when the server loads it (shared/upgrade.ts
 * through LiveReport): the upgrade is the server's own change, stored like any other, so the
 * document in storage is current after a restart and clients receive it; loading again writes
 * nothing more. The stored document is tests/fixtures/report-schema-v1.b64 (made by the
 * version-1 code, see tests/unit/document-upgrade.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import * as Y from 'yjs';
import { newReportId, reportToProseMirror } from '../../server/reports.js';
import { idsAreUniqueAndPresent } from '../../shared/ids.js';
import { SCHEMA_VERSION } from '../../shared/schema.js';
import { documentSchemaVersion } from '../../shared/upgrade.js';
import { connectClient, serverDoc } from '../helpers/clients.js';
import { startTestServer, waitFor } from '../helpers/server.js';

const V1 = Buffer.from(
  fs.readFileSync(new URL('../fixtures/report-schema-v1.b64', import.meta.url), 'utf8'),
  'base64',
);

async function storedDoc(storage: { loadDocument(id: string): Promise<unknown> }, id: string) {
  const s = (await storage.loadDocument(id)) as {
    snapshot: { update: Uint8Array } | null;
    updates: Uint8Array[];
    lastSeq: number;
  };
  const doc = new Y.Doc();
  if (s.snapshot) Y.applyUpdate(doc, s.snapshot.update);
  for (const u of s.updates) Y.applyUpdate(doc, u);
  return { doc, lastSeq: s.lastSeq };
}

test('a version-1 report is upgraded on load, stored, and sent to clients', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const id = newReportId();
  const now = new Date().toISOString();
  await server.app.storage.createReport(
    {
      id,
      groupId: server.groupId,
      title: 'Old',
      template: 'gge-report',
      createdAt: now,
      updatedAt: now,
    },
    V1,
  );
  const before = await storedDoc(server.app.storage, id);
  assert.equal(documentSchemaVersion(before.doc), 1);

  const client = connectClient(server, id);
  t.after(() => client.destroy());
  await waitFor(() => documentSchemaVersion(client.doc) === SCHEMA_VERSION, 'the client upgraded');
  assert.ok(idsAreUniqueAndPresent(reportToProseMirror(client.doc)));

  const live = await serverDoc(server, id);
  assert.equal(documentSchemaVersion(live), SCHEMA_VERSION);
  await waitFor(
    async () =>
      documentSchemaVersion((await storedDoc(server.app.storage, id)).doc) === SCHEMA_VERSION,
    'the upgrade stored',
  );
  const after = await storedDoc(server.app.storage, id);
  assert.equal(after.lastSeq, before.lastSeq + 1, 'one update: the upgrade');
  reportToProseMirror(after.doc).check();
  assert.equal(
    reportToProseMirror(after.doc).textContent,
    reportToProseMirror(before.doc).textContent,
  );
});
