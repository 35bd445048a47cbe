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

  test('an aggregate row: written once per bucket, then only its count rises', async () => {
    const { storage } = await fresh();
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    const u = user();
    await storage.createUser(u, member(g.id, u.id, 'expert', 'India'), audit('user.create', g.id));
    const db = (storage as SqlStorage).db;
    const rows = async () =>
      Number((await db.one<{ n: number | string }>('SELECT COUNT(*) AS n FROM audit_log'))!.n);
    const before = await rows();
    const first = { ...audit('login.failure', null, u.email), requestId: 'first' };
    for (let i = 0; i < 30; i++)
      await storage.countAudit(`login.failure:account:1:${u.email}`, {
        ...first,
        at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(),
        requestId: i === 0 ? 'first' : `later-${i}`,
      });
    await storage.countAudit('login.failure:account:2:' + u.email, first);
    assert.equal(await rows(), before + 2, 'one row per bucket');
    const listed = (await storage.listAudit(g.id, { limit: 10 })).filter(
      (e) => e.action === 'login.failure',
    );
    assert.equal(listed.length, 2);
    const counted = listed.find((e) => e.detail?.['attempts'] === 30);
    assert.ok(counted, JSON.stringify(listed));
    assert.equal(counted.requestId, 'first', 'the row keeps what it was written with');
    assert.equal(counted.detail?.['lastAt'], '2030-01-01T00:00:29.000Z');
    // Only the count may change, and only upwards; nothing else of it, and no other row.
    await assert.rejects(
      db.run("UPDATE audit_log SET actor = 'x' WHERE bucket IS NOT NULL"),
      /append-only/,
    );
    await assert.rejects(
      db.run('UPDATE audit_log SET count = count - 1 WHERE bucket IS NOT NULL'),
      /append-only/,
    );
    await assert.rejects(
      db.run('UPDATE audit_log SET count = 5 WHERE bucket IS NULL'),
      /append-only/,
    );
    await assert.rejects(db.run('DELETE FROM audit_log WHERE bucket IS NOT NULL'), /append-only/);
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
