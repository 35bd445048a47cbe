/**
 * Contract: the audit log, on every engine. What a group's chair reads (its own events and its
 * members' account events, newest first, paged), and that it is append-only in the database
 * itself: the engine's triggers refuse UPDATE and DELETE, as they do on the consensus histories.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SqlStorage } from '../../server/storage/sql-storage.js';
import { audit, contract, group, groupWithReport, member, user } from './harness.js';

contract('audit', (fresh, engine) => {
  test("a group's log: its events and its members' account events, newest first, in pages", async () => {
    const { storage } = await fresh();
    const g = group();
    const other = group();
    await storage.createGroup(g, audit('group.create', g.id));
    await storage.createGroup(other, audit('group.create', other.id));
    const u = user();
    await storage.createUser(u, member(g.id, u.id, 'expert', 'India'), audit('user.create', g.id));
    await storage.appendAudit({ ...audit('login'), actorId: u.id });
    await storage.appendAudit({ ...audit('login.failed'), target: u.email });
    await storage.appendAudit({ ...audit('login'), actorId: 'u_stranger' });
    await storage.appendAudit(audit('report.create', other.id));
    const all = await storage.listAudit(g.id, { limit: 50 });
    assert.deepEqual(
      all.map((e) => e.action),
      ['login.failed', 'login', 'user.create', 'group.create'],
    );
    assert.equal(typeof all[3]!.detail?.['n'], 'number', 'detail comes back as JSON');
    assert.equal(all[0]!.ip, '127.0.0.1');
    const page = await storage.listAudit(g.id, { limit: 2, beforeId: all[1]!.id });
    assert.deepEqual(
      page.map((e) => e.action),
      ['user.create', 'group.create'],
    );
    assert.ok(
      all.every((e, i) => i === 0 || e.id < all[i - 1]!.id),
      'ids decrease',
    );
  });

  test('append-only: the database refuses to change or delete an audit row', async () => {
    const { storage } = await fresh();
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    const db = (storage as SqlStorage).db;
    await assert.rejects(db.run("UPDATE audit_log SET actor = 'someone else'"), /append-only/);
    await assert.rejects(db.run('DELETE FROM audit_log'), /append-only/);
    if (engine === 'postgres') await assert.rejects(db.run('TRUNCATE audit_log'), /append-only/);
    assert.equal((await storage.listAudit(g.id, { limit: 10 }))[0]?.actor, 'contract test');
  });

  test('append-only: status and position histories refuse changes too', async () => {
    const { storage } = await fresh();
    const { reportId } = await groupWithReport(storage);
    const by = { id: 'u_chair', name: 'Chair', role: 'chair', represents: null } as const;
    const at = new Date().toISOString();
    await storage.applyConsensusCommand(
      reportId,
      { type: 'status', paragraphId: 'p1', from: 'draft', to: 'bracketed', note: null, by, at },
      audit('status'),
    );
    await storage.applyConsensusCommand(
      reportId,
      {
        type: 'position',
        paragraphId: 'p1',
        state: 'Chile',
        position: 'can_accept',
        explanation: null,
        by: { ...by, role: 'expert', represents: 'Chile' },
        at,
        thread: null,
      },
      audit('position'),
    );
    const db = (storage as SqlStorage).db;
    for (const table of ['paragraph_status_history', 'position_history']) {
      await assert.rejects(db.run(`UPDATE ${table} SET at = 'x'`), /append-only/, table);
      await assert.rejects(db.run(`DELETE FROM ${table}`), /append-only/, table);
    }
  });
});
