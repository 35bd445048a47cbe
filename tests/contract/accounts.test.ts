/**
 * Contract: accounts, groups, memberships, invitations and sessions, on every engine. The
 * read-then-write rules (first start once, one account per email, a group keeps a chair, an
 * invitation is used once) hold when the writes race, not only one after another.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, StorageError } from '../../server/storage/types.js';
import { audit, contract, group, member, settleAll, user } from './harness.js';

const conflictCode = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' && r.reason instanceof ConflictError ? r.reason.code : r.status;

contract('accounts', (fresh) => {
  test('users: created with their membership, found by id and by email (any case)', async () => {
    const { storage } = await fresh();
    const g = group('GGE');
    await storage.createGroup(g, audit('group.create', g.id));
    const u = user('Mixed@Case.example'.toLowerCase());
    await storage.createUser(u, member(g.id, u.id, 'expert', 'Kenya'), audit('user.create', g.id));
    assert.equal(await storage.countUsers(), 1);
    assert.deepEqual(await storage.getUser(u.id), u);
    assert.deepEqual(await storage.getUserByEmail('MIXED@case.EXAMPLE'), u);
    assert.equal(await storage.getUser('u_nobody'), null);
    assert.deepEqual((await storage.getMembership(g.id, u.id))?.represents, 'Kenya');
    assert.deepEqual(
      (await storage.listMemberships(u.id)).map((m) => [m.group.name, m.member.role]),
      [['GGE', 'expert']],
    );
  });

  test('one account per email, also when two creations race', async () => {
    const { storage } = await fresh();
    const email = 'race@contract.example';
    const outcomes = await settleAll(
      Array.from({ length: 6 }, () => storage.createUser(user(email), null, audit('user.create'))),
    );
    assert.deepEqual(outcomes.map(conflictCode).sort(), [
      'email-taken',
      'email-taken',
      'email-taken',
      'email-taken',
      'email-taken',
      'fulfilled',
    ]);
    assert.equal(await storage.countUsers(), 1);
  });

  test('first start happens once, also when two setups race', async () => {
    const { storage } = await fresh();
    const now = new Date().toISOString();
    await storage.createReport(
      {
        id: 'r_before',
        groupId: null,
        title: 'Before',
        template: 'blank',
        createdAt: now,
        updatedAt: now,
      },
      new Uint8Array([0, 0]),
    );
    const attempts = [group('One'), group('Two'), group('Three')].map((g) =>
      storage.setupFirstChair(user(), g, audit('setup', g.id)),
    );
    const outcomes = await settleAll(attempts);
    assert.deepEqual(outcomes.map(conflictCode).sort(), ['fulfilled', 'setup-done', 'setup-done']);
    const groups = await storage.listGroups();
    assert.equal(groups.length, 1);
    assert.equal((await storage.getReport('r_before'))?.groupId, groups[0]!.id, 'reports adopted');
    const [chair] = await storage.listMembers(groups[0]!.id);
    assert.equal(chair?.role, 'chair');
  });

  test('a group keeps at least one chair, also when two chairs step down at once', async () => {
    const { storage } = await fresh();
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    const a = user();
    const b = user();
    await storage.createUser(a, member(g.id, a.id, 'chair'), audit('user.create', g.id));
    await storage.createUser(b, member(g.id, b.id, 'chair'), audit('user.create', g.id));
    const outcomes = await settleAll([
      storage.updateMember(g.id, a.id, { role: 'secretariat', represents: null }, audit('m', g.id)),
      storage.updateMember(g.id, b.id, { role: 'secretariat', represents: null }, audit('m', g.id)),
    ]);
    assert.deepEqual(outcomes.map(conflictCode).sort(), ['fulfilled', 'last-chair']);
    const chairs = (await storage.listMembers(g.id)).filter((m) => m.role === 'chair');
    assert.equal(chairs.length, 1);
    await assert.rejects(
      storage.removeMember(g.id, chairs[0]!.userId, audit('m', g.id)),
      (err: unknown) => err instanceof ConflictError && err.code === 'last-chair',
    );
    await assert.rejects(
      storage.addMember(member(g.id, chairs[0]!.userId, 'expert', 'Peru'), audit('m', g.id)),
      (err: unknown) => err instanceof ConflictError && err.code === 'last-chair',
    );
    await assert.rejects(
      storage.updateMember(g.id, 'u_nobody', { role: 'expert', represents: 'x' }, audit('m', g.id)),
      (err: unknown) => err instanceof ConflictError && err.code === 'not-found',
    );
  });

  test('members: added, changed, removed; the record before the change is returned', async () => {
    const { storage } = await fresh();
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    const chair = user();
    await storage.createUser(chair, member(g.id, chair.id, 'chair'), audit('u', g.id));
    const u = user();
    await storage.createUser(u, null, audit('u'));
    await storage.addMember(member(g.id, u.id, 'observer', 'European Union'), audit('m', g.id));
    const before = await storage.updateMember(
      g.id,
      u.id,
      { role: 'expert', represents: 'France' },
      audit('m', g.id),
    );
    assert.equal(before.role, 'observer');
    assert.equal((await storage.getMembership(g.id, u.id))?.represents, 'France');
    const removed = await storage.removeMember(g.id, u.id, audit('m', g.id));
    assert.equal(removed.role, 'expert');
    assert.equal(await storage.getMembership(g.id, u.id), null);
    assert.deepEqual(
      (await storage.listMembers(g.id)).map((m) => m.email),
      [chair.email],
    );
  });

  test('an invitation is used once, also when two acceptances race; expired and unknown ones refuse', async () => {
    const { storage } = await fresh();
    const g = group();
    await storage.createGroup(g, audit('group.create', g.id));
    const now = Date.now();
    const invitation = (tokenHash: string, expiresAt: number) => ({
      tokenHash,
      groupId: g.id,
      role: 'expert' as const,
      represents: 'Chile',
      createdBy: 'u_chair',
      createdAt: now,
      expiresAt,
      acceptedAt: null,
      acceptedBy: null,
    });
    await storage.createInvitation(invitation('hash-1', now + 60_000), audit('invite', g.id));
    await storage.createInvitation(invitation('hash-old', now - 1), audit('invite', g.id));
    const outcomes = await settleAll(
      [user(), user(), user()].map((u) =>
        storage.acceptInvitation('hash-1', u, now, audit('accept', g.id)),
      ),
    );
    assert.deepEqual(outcomes.map(conflictCode).sort(), [
      'fulfilled',
      'invitation-used',
      'invitation-used',
    ]);
    const accepted = await storage.getInvitation('hash-1');
    assert.equal(typeof accepted?.acceptedAt, 'number');
    assert.equal((await storage.listMembers(g.id)).length, 1);
    await assert.rejects(
      storage.acceptInvitation('hash-old', user(), now, audit('accept', g.id)),
      (err: unknown) => err instanceof ConflictError && err.code === 'invitation-expired',
    );
    await assert.rejects(
      storage.acceptInvitation('hash-none', user(), now, audit('accept', g.id)),
      (err: unknown) => err instanceof ConflictError && err.code === 'invitation-unknown',
    );
    assert.equal(await storage.countUsers(), 1, 'nothing written by the refusals');
  });

  test('sessions: created, touched, and deleted one by one or all but one', async () => {
    const { storage } = await fresh();
    const u = user();
    await storage.createUser(u, null, audit('u'));
    const t0 = 1_800_000_000_000;
    for (const h of ['s1', 's2', 's3'])
      await storage.createSession({ tokenHash: h, userId: u.id, createdAt: t0, lastSeenAt: t0 });
    await storage.touchSession('s1', t0 + 5_000);
    assert.deepEqual(await storage.getSession('s1'), {
      tokenHash: 's1',
      userId: u.id,
      createdAt: t0,
      lastSeenAt: t0 + 5_000,
    });
    await storage.deleteSession('s2');
    assert.equal(await storage.getSession('s2'), null);
    await storage.deleteSessionsOf(u.id, 's3');
    assert.equal(await storage.getSession('s1'), null);
    assert.ok(await storage.getSession('s3'));
    await storage.setPassword(u.id, 'new-hash', null, audit('password'));
    assert.equal(
      await storage.getSession('s3'),
      null,
      'a password change with no session kept ends all',
    );
    assert.equal((await storage.getUser(u.id))?.passwordHash, 'new-hash');
    // A session for a user that does not exist is refused (foreign key), as a StorageError.
    await assert.rejects(
      storage.createSession({ tokenHash: 'x', userId: 'u_nobody', createdAt: t0, lastSeenAt: t0 }),
      StorageError,
    );
  });
});
