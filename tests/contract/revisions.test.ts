/**
 * Contract: revisions, on every engine. Issuing is one transaction (revision, event, audit row,
 * adoption): when any part fails nothing of it is written. A revision never changes: the engines
 * refuse updates and deletes, and a stored byte changed behind their back fails the sha256 check
 * on read. Two issues racing for one label: exactly one wins it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RevisionCorrupt, revisionHash } from '../../server/revisions/store.js';
import type { SqlStorage } from '../../server/storage/sql-storage.js';
import {
  ConflictError,
  type NewRevision,
  type Storage,
  StorageError,
} from '../../server/storage/types.js';
import type { PersonView } from '../../shared/comments.js';
import { audit, contract, groupWithReport } from './harness.js';

const chair: PersonView = { id: 'u_chair', name: 'Chair', role: 'chair', represents: null };
let n = 0;

function revision(over: Partial<NewRevision> = {}): NewRevision {
  n++;
  return {
    id: `v_contract${n}`,
    label: `Rev.${n}`,
    date: '2026-12-07',
    coverNote: 'Cover note',
    issuedBy: chair,
    issuedAt: new Date().toISOString(),
    state: new Uint8Array([1, 2, 3, n % 256]),
    content: JSON.stringify({ doc: { type: 'doc' }, nodes: [], positions: [], metadata: { n } }),
    afterEventSeq: 0,
    adoption: null,
    ...over,
  };
}

const isConflict = (code: string) => (err: unknown) =>
  err instanceof ConflictError && err.code === code;

/** What an issue writes besides the revision: events and audit rows. */
async function footprint(storage: Storage, reportId: string, groupId: string) {
  return {
    revisions: (await storage.listRevisions(reportId)).length,
    seq: await storage.lastEventSeq(reportId),
    audit: (await storage.listAudit(groupId, { limit: 100 })).length,
  };
}

contract('revisions', (fresh, engine) => {
  test('issued, listed and read back whole: state, content, hash, event and audit row', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    const r = revision({ label: 'Zero draft' });
    const issued = await storage.issueRevision(reportId, r, audit('revision.issue', groupId));
    assert.equal(issued.revision.number, 1);
    assert.equal(issued.revision.seq, 1);
    assert.equal(issued.revision.final, false);
    assert.equal(issued.adoption, null);
    assert.equal(issued.revision.bytes, r.state.byteLength + Buffer.byteLength(r.content));
    const read = await storage.getRevision(r.id);
    assert.ok(read);
    assert.deepEqual([...read.state], [...r.state]);
    assert.equal(read.content, r.content);
    assert.equal(read.sha256, revisionHash(read, read.content, read.state));
    assert.deepEqual(read.issuedBy, chair);
    const events = await storage.listEvents(reportId, 0);
    assert.deepEqual(
      events.map((e) => [e.seq, e.audience, JSON.parse(e.payload).type]),
      [[1, 'group', 'revision']],
    );
    assert.equal((await storage.listAudit(groupId, { limit: 5 }))[0]?.action, 'revision.issue');
    const second = await storage.issueRevision(
      reportId,
      revision({ afterEventSeq: 1 }),
      audit('revision.issue', groupId),
    );
    assert.equal(second.revision.number, 2);
    assert.deepEqual(
      (await storage.listRevisions(reportId)).map((x) => x.number),
      [1, 2],
    );
    assert.equal((await storage.getLastRevision(reportId))?.id, second.revision.id);
    assert.equal(await storage.getRevision('v_nonesuch'), null);
  });

  test('a label taken (any case, any spacing) or a stale read: refused, nothing written', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    await storage.issueRevision(reportId, revision({ label: 'Rev.1' }), audit('r', groupId));
    const before = await footprint(storage, reportId, groupId);
    await assert.rejects(
      storage.issueRevision(reportId, revision({ label: 'rev.1', afterEventSeq: 1 }), audit('r')),
      isConflict('revision-label'),
    );
    await assert.rejects(
      storage.issueRevision(reportId, revision({ label: 'Rev.9', afterEventSeq: 0 }), audit('r')),
      isConflict('revision-changed'),
    );
    assert.deepEqual(await footprint(storage, reportId, groupId), before);
  });

  test('a failing insert (an id taken) writes none of the issue', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    const first = revision();
    await storage.issueRevision(reportId, first, audit('r', groupId));
    const before = await footprint(storage, reportId, groupId);
    await assert.rejects(
      storage.issueRevision(
        reportId,
        revision({ id: first.id, afterEventSeq: 1, adoption: { statement: 'Adopted' } }),
        audit('r', groupId),
      ),
      StorageError,
    );
    assert.deepEqual(await footprint(storage, reportId, groupId), before);
    assert.equal(await storage.getAdoption(reportId), null);
  });

  test('two issues racing for one label: exactly one wins it', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    const results = await Promise.allSettled(
      [0, 1, 2].map(() =>
        storage.issueRevision(reportId, revision({ label: 'Rev.1' }), audit('r', groupId)),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results)
      if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError, String(r.reason));
    assert.deepEqual(
      (await storage.listRevisions(reportId)).map((r) => r.label),
      ['Rev.1'],
    );
  });

  test('never changes: the engine refuses updates and deletes; a changed byte fails the hash', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    const r = revision();
    await storage.issueRevision(reportId, r, audit('r', groupId));
    const db = (storage as SqlStorage).db;
    await assert.rejects(db.run("UPDATE revisions SET label = 'Rev.99'"), /never changes/);
    await assert.rejects(db.run('DELETE FROM revisions'), /never changes/);
    if (engine === 'postgres')
      await assert.rejects(db.run('TRUNCATE revisions'), /never changes|foreign key/);
    // Behind the engine's back (its guard removed): the read refuses what it cannot verify.
    if (engine === 'sqlite') await db.run('DROP TRIGGER revisions_no_update');
    else await db.run('ALTER TABLE revisions DISABLE TRIGGER revisions_append_only');
    await db.run('UPDATE revisions SET content = replace(content, \'"n"\', \'"m"\')');
    await assert.rejects(storage.getRevision(r.id), RevisionCorrupt);
    await assert.rejects(storage.getLastRevision(reportId), RevisionCorrupt);
  });

  test('adoption: recorded with the final revision, once; nothing follows it', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    const final = revision({ label: 'Final', adoption: { statement: 'Adopted by consensus' } });
    const issued = await storage.issueRevision(reportId, final, audit('adopt', groupId));
    assert.equal(issued.revision.final, true);
    assert.equal(issued.adoption?.revisionId, final.id);
    const adoption = await storage.getAdoption(reportId);
    assert.equal(adoption?.statement, 'Adopted by consensus');
    assert.deepEqual(adoption?.by, chair);
    assert.equal(JSON.parse(issued.event.payload).adoption.revisionId, final.id);
    await assert.rejects(
      storage.issueRevision(reportId, revision({ afterEventSeq: 1 }), audit('r')),
      isConflict('adopted'),
    );
    // Statuses no longer change (reopening is refused), in the command's own transaction.
    const seq = await storage.lastEventSeq(reportId);
    await assert.rejects(
      storage.applyConsensusCommand(
        reportId,
        {
          type: 'status',
          paragraphId: 'p1',
          from: 'draft',
          to: 'under_discussion',
          note: null,
          by: chair,
          at: new Date().toISOString(),
        },
        audit('consensus.status', groupId),
      ),
      (err: unknown) => isConflict('consensus-conflict')(err) && /adopted/.test(String(err)),
    );
    assert.equal(await storage.lastEventSeq(reportId), seq);
    const db = (storage as SqlStorage).db;
    await assert.rejects(db.run('DELETE FROM report_adoptions'), /never reopened/);
    await assert.rejects(db.run("UPDATE report_adoptions SET at = 'x'"), /never reopened/);
  });

  test('the bis/ter switch: set with its event, the same again writes nothing', async () => {
    const { storage } = await fresh();
    const { reportId, groupId } = await groupWithReport(storage);
    assert.equal(await storage.getKeepNumbers(reportId), false);
    const on = await storage.setKeepNumbers(reportId, true, audit('numbering', groupId));
    assert.deepEqual(JSON.parse(on!.payload), { seq: 1, type: 'numbering', keepNumbers: true });
    assert.equal(await storage.getKeepNumbers(reportId), true);
    assert.equal(await storage.setKeepNumbers(reportId, true, audit('numbering', groupId)), null);
    await storage.setKeepNumbers(reportId, false, audit('numbering', groupId));
    assert.equal(await storage.getKeepNumbers(reportId), false);
    assert.equal(await storage.lastEventSeq(reportId), 2);
  });
});
