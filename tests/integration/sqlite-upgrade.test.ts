/**
 * A SQLite file made by the code before PostgreSQL (schema version 5: one global AUTOINCREMENT
 * for the update log, event seqs as MAX(seq) + 1) upgrades in place at start, and everything in
 * it reads as before: documents (one compacted), bindings, threads, events and their seqs,
 * consensus, sessions, the audit log. Appends and events then continue from where it stopped.
 *
 * tests/fixtures/concord-schema-v5.sqlite was written by that code (commit 5b5313c) through its
 * own storage calls: a group with a chair and an expert, two reports edited in turns (so each
 * report's seqs are every other number), the first compacted midway, two threads and a reply
 * (one delegation-only), a status, a position and a running silence.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { SQLITE_FILE, SqliteStorage } from '../../server/storage/sqlite.js';
import { SQLITE_MIGRATIONS } from '../../server/storage/sqlite-migrations.js';
import type { StoredDocument } from '../../server/storage/types.js';
import { reportXml } from '../helpers/clients.js';
import { tempDir } from '../helpers/server.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/concord-schema-v5.sqlite',
);
const A = 'rfixtureaaaaaaaa';
const B = 'rfixturebbbbbbbb';

function rebuild(stored: StoredDocument): Y.Doc {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return doc;
}

test('a schema-5 file upgrades in place and reads as before', async (t) => {
  const dataDir = tempDir();
  fs.copyFileSync(FIXTURE, path.join(dataDir, SQLITE_FILE));
  const storage = new SqliteStorage({ dataDir });
  t.after(() => storage.close());
  assert.equal(storage.schemaVersion, SQLITE_MIGRATIONS.length);

  const a = (await storage.loadDocument(A))!;
  const b = (await storage.loadDocument(B))!;
  assert.ok(a.snapshot, 'the compacted report keeps its snapshot');
  assert.equal(a.updates.length, 3, 'and the three updates after it');
  assert.equal(a.lastSeq, 13, "the old global seqs stay each report's own");
  assert.equal(b.snapshot, null);
  assert.equal(b.updates.length, 7);
  assert.equal(b.lastSeq, 14);
  for (const stored of [a, b])
    assert.match(reportXml(rebuild(stored)), /edit 5 edit 4 edit 3 edit 2 edit 1 edit 0 /);
  assert.equal(a.clientBindings.get(5000), 'u_brazil');
  assert.equal(b.clientBindings.get(5001), 'u_brazil');

  // Appends continue after the last seq; events after the last event.
  const doc = rebuild(b);
  const before = Y.encodeStateVector(doc);
  doc.getText('upgrade').insert(0, 'after the upgrade');
  assert.equal(
    (await storage.appendUpdate(B, b.lastSeq + 1, Y.encodeStateAsUpdate(doc, before))).seq,
    15,
  );
  assert.equal(
    rebuild((await storage.loadDocument(B))!)
      .getText('upgrade')
      .toString(),
    'after the upgrade',
  );

  assert.equal(await storage.lastEventSeq(A), 6);
  const threads = await storage.listThreads(A);
  assert.deepEqual(
    threads.map((th) => [th.id, th.visibility, th.messages.length]),
    [
      ['t_fix0', 'group', 2],
      ['t_fix1', 'delegation', 1],
    ],
  );
  const replay = await storage.applyThreadCommand(
    A,
    {
      type: 'open',
      idempotencyKey: 'k0',
      thread: {
        id: 't_new',
        paragraphId: 'p1',
        kind: 'comment',
        visibility: 'group',
        delegation: null,
        quote: null,
        proposal: null,
      },
      message: {
        id: 'm_new',
        author: { id: 'u_brazil', name: 'Ana Souza', role: 'expert', represents: 'Brazil' },
        body: 'again',
        mentions: [],
        at: new Date().toISOString(),
      },
    },
    {
      at: new Date().toISOString(),
      groupId: 'g_fixture',
      actorId: 'u_brazil',
      actor: 'Ana',
      action: 'thread.open',
      target: null,
      detail: null,
      ip: null,
      requestId: null,
    },
    [],
  );
  assert.equal(replay.created, false, 'idempotency keys survive');
  const resolved = await storage.applyThreadCommand(
    A,
    {
      type: 'resolve',
      threadId: 't_fix0',
      by: { id: 'u_chair', name: 'The Chair', role: 'chair', represents: null },
      at: new Date().toISOString(),
    },
    {
      at: new Date().toISOString(),
      groupId: 'g_fixture',
      actorId: 'u_chair',
      actor: 'The Chair',
      action: 'thread.resolve',
      target: null,
      detail: null,
      ip: null,
      requestId: null,
    },
    [],
  );
  assert.equal(resolved.thread.seq, 7, 'the next event seq follows the stored ones');
  assert.equal((await storage.listInbox('u_brazil')).length, 1);

  const consensus = await storage.getConsensus(A);
  assert.deepEqual(
    consensus.statuses.map((s) => [s.paragraphId, s.status]),
    [['p1', 'under_discussion']],
  );
  assert.deepEqual(
    consensus.positions.map((p) => [p.state, p.position]),
    [['Brazil', 'can_accept']],
  );
  assert.deepEqual(
    (await storage.listRunningSilences()).map((s) => s.id),
    ['s_fix'],
  );
  assert.deepEqual([...(await storage.lockedParagraphIds(A))], ['p2']);
  assert.equal(consensus.seq, 7);

  assert.equal((await storage.getSession('sessionhash'))?.userId, 'u_chair');
  assert.equal((await storage.getUserByEmail('brazil@fixture.example'))?.displayName, 'Ana Souza');
  const log = await storage.listAudit('g_fixture', { limit: 100 });
  assert.ok(log.length >= 9, `audit rows kept: ${log.length}`);
  assert.deepEqual(log.at(-1)?.detail, { fixture: true });
});

test('opening it again changes nothing (migrations run once)', async (t) => {
  const dataDir = tempDir();
  fs.copyFileSync(FIXTURE, path.join(dataDir, SQLITE_FILE));
  await new SqliteStorage({ dataDir }).close();
  const again = new SqliteStorage({ dataDir });
  t.after(() => again.close());
  assert.equal(again.schemaVersion, SQLITE_MIGRATIONS.length);
  assert.equal((await again.loadDocument(B))?.lastSeq, 14);
});
