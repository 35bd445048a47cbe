/**
 * Contract: documents and their update log, on every engine. Appends are keyed by the owner's
 * seq and answered after their commit with which one closes the report's part of that commit;
 * compaction drops exactly what the snapshot covers, whatever order commits finished in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { templateUpdate } from '../../server/reports.js';
import type { Storage, StoredDocument } from '../../server/storage/types.js';
import { StorageError } from '../../server/storage/types.js';
import { DEFAULT_METADATA, type DocumentMetadata } from '../../shared/metadata.js';
import { audit, contract, group, groupWithReport, member, user } from './harness.js';

/** A Y.Doc rebuilt from what storage returned. */
function rebuild(stored: StoredDocument): Y.Doc {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return doc;
}

/** An editor on a copy of the document: each call returns the update of one more edit. */
function editor(base: Uint8Array, clientID: number) {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  Y.applyUpdate(doc, base);
  const text = doc.getText('notes');
  return (s: string): Uint8Array => {
    const before = Y.encodeStateVector(doc);
    text.insert(text.length, s);
    return Y.encodeStateAsUpdate(doc, before);
  };
}

const notes = (doc: Y.Doc) => doc.getText('notes').toString();

const TEMPLATE = templateUpdate('gge-report', 'Contract');

async function report(storage: Storage) {
  return groupWithReport(storage, TEMPLATE);
}

contract('documents', (fresh) => {
  test('a new report loads as its template, at seq 1', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await report(storage);
    const stored = (await storage.loadDocument(reportId))!;
    assert.equal(stored.lastSeq, 1);
    assert.equal(stored.snapshot, null);
    assert.equal(stored.updates.length, 1);
    assert.deepEqual(stored.updates[0], TEMPLATE);
    assert.equal((await storage.getReport(reportId))?.groupId, groupId);
    assert.equal(await storage.loadDocument('nosuchreport'), null);
    assert.equal(await storage.getReport('nosuchreport'), null);
  });

  test('appends come back in seq order with their client-id bindings (first binding wins)', async () => {
    const { storage } = await fresh();
    const { reportId } = await report(storage);
    const base = (await storage.loadDocument(reportId))!.updates[0]!;
    const edit = editor(base, 1001);
    const updates = ['a', 'b', 'c'].map(edit);
    const results = await Promise.all(
      updates.map((u, i) =>
        storage.appendUpdate(reportId, i + 2, u, {
          userId: i === 2 ? 'u_other' : 'u_one',
          clientIds: [1001],
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.seq),
      [2, 3, 4],
    );
    const stored = (await storage.loadDocument(reportId))!;
    assert.equal(stored.lastSeq, 4);
    assert.equal(notes(rebuild(stored)), 'abc');
    assert.deepEqual([...stored.clientBindings], [[1001, 'u_one']]);
  });

  test('the last append of each report in a commit says so (broadcasts wait for it, not for a microtask)', async () => {
    const { storage } = await fresh();
    const a = await report(storage);
    const b = await report(storage);
    const baseA = (await storage.loadDocument(a.reportId))!.updates[0]!;
    const baseB = (await storage.loadDocument(b.reportId))!.updates[0]!;
    const editA = editor(baseA, 7);
    const editB = editor(baseB, 8);
    // Appended in the same turn: one commit.
    const all = await Promise.all([
      storage.appendUpdate(a.reportId, 2, editA('1')),
      storage.appendUpdate(b.reportId, 2, editB('1')),
      storage.appendUpdate(a.reportId, 3, editA('2')),
      storage.appendUpdate(b.reportId, 3, editB('2')),
      storage.appendUpdate(a.reportId, 4, editA('3')),
    ]);
    assert.deepEqual(
      all.map((r) => r.lastOfCommit),
      [false, false, false, true, true],
    );
    // Alone in its commit, an append is its report's last.
    assert.equal((await storage.appendUpdate(a.reportId, 5, editA('4'))).lastOfCommit, true);
  });

  test('a taken seq fails the whole commit and writes none of it', async () => {
    const { storage } = await fresh();
    const { reportId } = await report(storage);
    const other = await report(storage);
    const base = (await storage.loadDocument(reportId))!.updates[0]!;
    const edit = editor(base, 42);
    await storage.appendUpdate(reportId, 2, edit('kept '));
    const rejected = await Promise.allSettled([
      storage.appendUpdate(other.reportId, 2, new Uint8Array([0, 0])),
      storage.appendUpdate(reportId, 2, edit('a second writer ')),
    ]);
    for (const r of rejected) {
      assert.equal(r.status, 'rejected');
      assert.ok((r as PromiseRejectedResult).reason instanceof StorageError);
    }
    const stored = (await storage.loadDocument(reportId))!;
    assert.equal(stored.lastSeq, 2);
    assert.equal(notes(rebuild(stored)), 'kept ');
    assert.equal((await storage.loadDocument(other.reportId))!.lastSeq, 1, 'nothing of the batch');
    // The next seq is free again.
    assert.equal((await storage.appendUpdate(reportId, 3, edit('next'))).seq, 3);
  });

  test('compaction keeps every update the snapshot lacks, whatever order commits finished in', async () => {
    const { storage } = await fresh();
    const { reportId } = await report(storage);
    const base = (await storage.loadDocument(reportId))!.updates[0]!;
    const owner = new Y.Doc();
    Y.applyUpdate(owner, base);
    const edit = editor(base, 99);
    const u2 = edit('two ');
    const u3 = edit('three ');
    const u4 = edit('four');
    // The owner numbered them 2, 3, 4; seq 4 commits first, then 2, then 3.
    await storage.appendUpdate(reportId, 4, u4);
    await storage.appendUpdate(reportId, 2, u2);
    Y.applyUpdate(owner, u2);
    // A snapshot of the owner's document through seq 2 (what it has applied in seq order).
    await storage.compact(
      reportId,
      { update: Y.encodeStateAsUpdate(owner), stateVector: Y.encodeStateVector(owner) },
      2,
    );
    await storage.appendUpdate(reportId, 3, u3);
    const stored = (await storage.loadDocument(reportId))!;
    assert.ok(stored.snapshot);
    assert.equal(stored.updates.length, 2, 'seqs 3 and 4 stay in the log');
    assert.equal(stored.lastSeq, 4);
    assert.equal(notes(rebuild(stored)), 'two three four');
  });

  test('an older snapshot never replaces a newer one; the log after it survives', async () => {
    const { storage } = await fresh();
    const { reportId } = await report(storage);
    const base = (await storage.loadDocument(reportId))!.updates[0]!;
    const owner = new Y.Doc();
    Y.applyUpdate(owner, base);
    const edit = editor(base, 5);
    const snapshots: Array<{ update: Uint8Array; stateVector: Uint8Array }> = [];
    for (let seq = 2; seq <= 6; seq++) {
      const u = edit(`${seq}`);
      await storage.appendUpdate(reportId, seq, u);
      Y.applyUpdate(owner, u);
      snapshots[seq] = {
        update: Y.encodeStateAsUpdate(owner),
        stateVector: Y.encodeStateVector(owner),
      };
    }
    await storage.compact(reportId, snapshots[5]!, 5);
    await storage.compact(reportId, snapshots[3]!, 3);
    const stored = (await storage.loadDocument(reportId))!;
    assert.deepEqual(stored.snapshot?.stateVector, snapshots[5]!.stateVector);
    assert.equal(stored.updates.length, 1);
    assert.equal(stored.lastSeq, 6);
    assert.equal(notes(rebuild(stored)), '23456');
  });

  test('a compacted report loads from its snapshot alone, its seq carried on', async () => {
    const { storage } = await fresh();
    const { reportId } = await report(storage);
    const stored = (await storage.loadDocument(reportId))!;
    const doc = rebuild(stored);
    await storage.compact(
      reportId,
      { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) },
      1,
    );
    const again = (await storage.loadDocument(reportId))!;
    assert.equal(again.updates.length, 0);
    assert.equal(again.lastSeq, 1);
    assert.deepEqual(again.snapshot?.stateVector, Y.encodeStateVector(doc));
  });

  test('reports: rename, lists by recent change, and the reports of a member', async () => {
    const { storage } = await fresh();
    const first = await report(storage);
    const second = await report(storage);
    const renamed = await storage.renameReport(
      first.reportId,
      'Renamed',
      '2099-01-01T00:00:00.000Z',
    );
    assert.equal(renamed?.title, 'Renamed');
    assert.equal(await storage.renameReport('nosuchreport', 'x', new Date().toISOString()), null);
    assert.deepEqual(
      (await storage.listReports()).map((r) => r.id),
      [first.reportId, second.reportId],
    );
    const u = user();
    await storage.createUser(
      u,
      member(second.groupId, u.id, 'expert', 'Chile'),
      audit('user.create'),
    );
    assert.deepEqual(
      (await storage.listReportsForUser(u.id)).map((r) => r.id),
      [second.reportId],
    );
    // An append moves a report to the top.
    await storage.appendUpdate(second.reportId, 2, new Uint8Array([0, 0]));
    assert.ok(
      (await storage.getReport(second.reportId))!.updatedAt >
        (await storage.getReport(first.reportId))!.createdAt,
    );
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    assert.deepEqual(await storage.listReportsForUser('u_nobody'), []);
  });
});

const GGE_2015: DocumentMetadata = {
  symbol: 'A/70/174',
  distribution: 'General',
  date: '2015-07-22',
  originalLanguage: 'English',
  session: 'Seventieth session',
  agendaItem: 'Item 93 of the provisional list',
  documentType: 'report',
};

contract('metadata', (fresh) => {
  test('a report without metadata reads the defaults', async () => {
    const { storage } = await fresh();
    const { reportId } = await groupWithReport(storage, templateUpdate('gge-report', 'M'));
    assert.deepEqual(await storage.getMetadata(reportId), {
      ...DEFAULT_METADATA,
      updatedAt: null,
      updatedBy: null,
    });
  });

  test('set: stored, audited with what changed, one report event; the same again writes nothing', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage, templateUpdate('gge-report', 'M'));
    const at = '2026-12-07T18:00:00.000Z';
    const first = await storage.setMetadata(
      reportId,
      GGE_2015,
      'Chair',
      at,
      audit('report.metadata', groupId, reportId),
    );
    assert.equal(first.changed, true);
    assert.deepEqual(first.metadata, { ...GGE_2015, updatedAt: at, updatedBy: 'Chair' });
    assert.deepEqual(await storage.getMetadata(reportId), first.metadata);
    const events = await storage.listEvents(reportId, 0);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.audience, 'group');
    assert.deepEqual(JSON.parse(events[0]!.payload), {
      type: 'metadata',
      seq: events[0]!.seq,
      metadata: first.metadata,
    });
    const lines = (await storage.listAudit(groupId, { limit: 10 })).filter(
      (a) => a.action === 'report.metadata',
    );
    assert.equal(lines.length, 1);
    const changed = lines[0]!.detail!['changed'] as Record<string, { from: string; to: string }>;
    assert.deepEqual(changed['symbol'], { from: '', to: 'A/70/174' });
    assert.equal(changed['distribution'], undefined, 'General before and after: not listed');

    const again = await storage.setMetadata(
      reportId,
      GGE_2015,
      'Secretariat',
      '2026-12-07T18:05:00.000Z',
      audit('report.metadata', groupId, reportId),
    );
    assert.equal(again.changed, false);
    assert.equal(again.event, null);
    assert.equal((await storage.listEvents(reportId, 0)).length, 1);
    assert.equal((await storage.getMetadata(reportId)).updatedBy, 'Chair');

    const revised = await storage.setMetadata(
      reportId,
      { ...GGE_2015, symbol: 'A/70/174/Rev.1', distribution: 'Limited' },
      'Secretariat',
      '2026-12-07T18:10:00.000Z',
      audit('report.metadata', groupId, reportId),
    );
    assert.equal(revised.changed, true);
    assert.ok(revised.event && revised.event.seq > events[0]!.seq);
    assert.equal((await storage.getMetadata(reportId)).symbol, 'A/70/174/Rev.1');
  });

  test('metadata of one report is not another’s', async () => {
    const { storage } = await fresh();
    const a = await groupWithReport(storage, templateUpdate('gge-report', 'A'));
    const b = await groupWithReport(storage, templateUpdate('ga-resolution', 'B'));
    await storage.setMetadata(
      a.reportId,
      GGE_2015,
      'Chair',
      '2026-12-07T18:00:00.000Z',
      audit('report.metadata', a.groupId, a.reportId),
    );
    assert.equal((await storage.getMetadata(b.reportId)).symbol, '');
  });

  test('a report created with metadata (an import) has it from its first read, in the same commit', async () => {
    const { storage } = await fresh();
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    const at = '2026-12-07T20:00:00.000Z';
    const value: DocumentMetadata = {
      ...DEFAULT_METADATA,
      symbol: 'A/C.1/70/L.45',
      distribution: 'Limited',
      date: '2015-10-21',
      documentType: 'draft-resolution',
    };
    const record = {
      id: 'r_imported',
      groupId: g.id,
      title: 'Imported',
      template: 'ga-resolution' as const,
      createdAt: at,
      updatedAt: at,
    };
    await storage.createReport(record, TEMPLATE, { value, by: 'Chair' });
    assert.deepEqual(await storage.getMetadata(record.id), {
      ...value,
      updatedAt: at,
      updatedBy: 'Chair',
    });
    // A second create with the same id fails whole: no row, no metadata change.
    await assert.rejects(
      storage.createReport({ ...record, groupId: g.id }, TEMPLATE, {
        value: { ...value, symbol: 'A/70/174' },
        by: 'Other',
      }),
    );
    assert.equal((await storage.getMetadata(record.id)).symbol, 'A/C.1/70/L.45');
  });
});
