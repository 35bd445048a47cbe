/**
 * Accounts, groups, memberships, invitations and sessions, in SQL both engines run. Writes that
 * read first take a lock (sql.ts TxOptions): `accounts` for the first-start check and new users,
 * `group:<id>` for the last-chair rule, so they hold on PostgreSQL with several writers too.
 * One piece (a little over 400 lines): users, memberships and invitations share their rows and
 * rules (one account per email, a group keeps a chair); sessions are an account's too.
 */
import { writeAudit } from '../audit/store.js';
import { type Db, isUniqueViolation, type Sql } from '../storage/sql.js';
import {
  type AccountStore,
  type AuditEvent,
  ConflictError,
  type GroupRecord,
  type InvitationRecord,
  type MemberRecord,
  type MemberView,
  type SessionRecord,
  type UserRecord,
} from '../storage/types.js';

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: string;
}

interface MemberRow {
  group_id: string;
  user_id: string;
  role: string;
  represents: string | null;
  created_at: string;
}

interface InvitationRow {
  token_hash: string;
  group_id: string;
  role: string;
  represents: string | null;
  created_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: string | null;
}

const USER = 'SELECT id, email, display_name, password_hash, created_at FROM users';
const MEMBER =
  'SELECT m.group_id, m.user_id, m.role, m.represents, m.created_at FROM memberships m';
const ACCOUNTS_LOCK = 'accounts';
const groupLock = (groupId: string) => `group:${groupId}`;

function toUser(r: UserRow | undefined): UserRecord | null {
  return r
    ? {
        id: r.id,
        email: r.email,
        displayName: r.display_name,
        passwordHash: r.password_hash,
        createdAt: r.created_at,
      }
    : null;
}

function toMember(r: MemberRow | undefined): MemberRecord | null {
  return r
    ? {
        groupId: r.group_id,
        userId: r.user_id,
        role: r.role as MemberRecord['role'],
        represents: r.represents,
        createdAt: r.created_at,
      }
    : null;
}

function toInvitation(r: InvitationRow | undefined): InvitationRecord | null {
  return r
    ? {
        tokenHash: r.token_hash,
        groupId: r.group_id,
        role: r.role as InvitationRecord['role'],
        represents: r.represents,
        createdBy: r.created_by,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        acceptedAt: r.accepted_at,
        acceptedBy: r.accepted_by,
      }
    : null;
}

const emailTaken = () =>
  new ConflictError('email-taken', 'An account with this email already exists.');

async function insertUser(q: Sql, u: UserRecord): Promise<void> {
  if (await q.one('SELECT 1 AS ok FROM users WHERE email = ?', [u.email])) throw emailTaken();
  try {
    await q.run(
      'INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      [u.id, u.email, u.displayName, u.passwordHash, u.createdAt],
    );
  } catch (err) {
    // Another writer took the email between the check and the insert.
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}

async function insertMember(q: Sql, m: MemberRecord): Promise<void> {
  await q.run(
    `INSERT INTO memberships (group_id, user_id, role, represents, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (group_id, user_id) DO UPDATE SET role = excluded.role, represents = excluded.represents`,
    [m.groupId, m.userId, m.role, m.represents, m.createdAt],
  );
}

async function insertGroup(q: Sql, g: GroupRecord): Promise<void> {
  await q.run('INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)', [
    g.id,
    g.name,
    g.createdAt,
  ]);
}

async function memberIn(q: Sql, groupId: string, userId: string): Promise<MemberRecord | null> {
  return toMember(
    await q.one<MemberRow>(`${MEMBER} WHERE m.group_id = ? AND m.user_id = ?`, [groupId, userId]),
  );
}

async function assertNotLastChair(q: Sql, groupId: string, userId: string): Promise<void> {
  const chairs = await q.all<{ user_id: string }>(
    "SELECT user_id FROM memberships WHERE group_id = ? AND role = 'chair'",
    [groupId],
  );
  if (chairs.length === 1 && chairs[0]!.user_id === userId) {
    throw new ConflictError('last-chair', 'A group must keep at least one chair.');
  }
}

export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: Db) {}

  async countUsers(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT count(*) AS n FROM users'))!.n;
  }

  async getUserByEmail(email: string): Promise<UserRecord | null> {
    return toUser(await this.db.one<UserRow>(`${USER} WHERE email = ?`, [email.toLowerCase()]));
  }

  async getUser(id: string): Promise<UserRecord | null> {
    return toUser(await this.db.one<UserRow>(`${USER} WHERE id = ?`, [id]));
  }

  createUser(user: UserRecord, membership: MemberRecord | null, audit: AuditEvent): Promise<void> {
    return this.db.tx(
      'createUser',
      async (q) => {
        await insertUser(q, user);
        if (membership) await insertMember(q, membership);
        await writeAudit(q, audit);
      },
      { lock: ACCOUNTS_LOCK },
    );
  }

  setPassword(
    userId: string,
    passwordHash: string,
    keepSession: string | null,
    audit: AuditEvent,
  ): Promise<void> {
    return this.db.tx('setPassword', async (q) => {
      await q.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, userId]);
      await q.run('DELETE FROM sessions WHERE user_id = ? AND token_hash IS DISTINCT FROM ?', [
        userId,
        keepSession,
      ]);
      await writeAudit(q, audit);
    });
  }

  createGroup(group: GroupRecord, audit: AuditEvent): Promise<void> {
    return this.db.tx('createGroup', async (q) => {
      await insertGroup(q, group);
      await writeAudit(q, audit);
    });
  }

  async getGroup(id: string): Promise<GroupRecord | null> {
    const r = await this.db.one<{ id: string; name: string; created_at: string }>(
      'SELECT id, name, created_at FROM groups WHERE id = ?',
      [id],
    );
    return r ? { id: r.id, name: r.name, createdAt: r.created_at } : null;
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = await this.db.all<{ id: string; name: string; created_at: string }>(
      'SELECT id, name, created_at FROM groups ORDER BY name, id',
    );
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  setupFirstChair(user: UserRecord, group: GroupRecord, audit: AuditEvent): Promise<void> {
    return this.db.tx(
      'setupFirstChair',
      async (q) => {
        if (await q.one('SELECT 1 AS ok FROM users LIMIT 1')) {
          throw new ConflictError(
            'setup-done',
            'Concord is already set up; ask a chair for an invitation.',
          );
        }
        await insertUser(q, user);
        await insertGroup(q, group);
        await insertMember(q, {
          groupId: group.id,
          userId: user.id,
          role: 'chair',
          represents: null,
          createdAt: user.createdAt,
        });
        await q.run('UPDATE reports SET group_id = ? WHERE group_id IS NULL', [group.id]);
        await writeAudit(q, audit);
      },
      { lock: ACCOUNTS_LOCK },
    );
  }

  getMembership(groupId: string, userId: string): Promise<MemberRecord | null> {
    return memberIn(this.db, groupId, userId);
  }

  async listMemberships(
    userId: string,
  ): Promise<Array<{ group: GroupRecord; member: MemberRecord }>> {
    const rows = await this.db.all<MemberRow & { name: string; group_created_at: string }>(
      `SELECT m.group_id, m.user_id, m.role, m.represents, m.created_at, g.name,
              g.created_at AS group_created_at
       FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.name, g.id`,
      [userId],
    );
    return rows.map((r) => ({
      group: { id: r.group_id, name: r.name, createdAt: r.group_created_at },
      member: toMember(r)!,
    }));
  }

  async listMembers(groupId: string): Promise<MemberView[]> {
    const rows = await this.db.all<MemberRow & { email: string; display_name: string }>(
      `SELECT m.group_id, m.user_id, m.role, m.represents, m.created_at, u.email, u.display_name
       FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.group_id = ? ORDER BY u.display_name, u.id`,
      [groupId],
    );
    return rows.map((r) => ({ ...toMember(r)!, email: r.email, displayName: r.display_name }));
  }

  addMember(member: MemberRecord, audit: AuditEvent): Promise<void> {
    return this.db.tx(
      'addMember',
      async (q) => {
        const before = await memberIn(q, member.groupId, member.userId);
        if (before?.role === 'chair' && member.role !== 'chair')
          await assertNotLastChair(q, member.groupId, member.userId);
        await insertMember(q, member);
        await writeAudit(q, audit);
      },
      { lock: groupLock(member.groupId) },
    );
  }

  updateMember(
    groupId: string,
    userId: string,
    change: { role: MemberRecord['role']; represents: string | null },
    audit: AuditEvent,
  ): Promise<MemberRecord> {
    return this.db.tx(
      'updateMember',
      async (q) => {
        const before = await memberIn(q, groupId, userId);
        if (!before) throw new ConflictError('not-found', 'No such member.');
        if (before.role === 'chair' && change.role !== 'chair')
          await assertNotLastChair(q, groupId, userId);
        await q.run(
          'UPDATE memberships SET role = ?, represents = ? WHERE group_id = ? AND user_id = ?',
          [change.role, change.represents, groupId, userId],
        );
        await writeAudit(q, audit);
        return before;
      },
      { lock: groupLock(groupId) },
    );
  }

  removeMember(groupId: string, userId: string, audit: AuditEvent): Promise<MemberRecord> {
    return this.db.tx(
      'removeMember',
      async (q) => {
        const before = await memberIn(q, groupId, userId);
        if (!before) throw new ConflictError('not-found', 'No such member.');
        if (before.role === 'chair') await assertNotLastChair(q, groupId, userId);
        await q.run('DELETE FROM memberships WHERE group_id = ? AND user_id = ?', [
          groupId,
          userId,
        ]);
        await writeAudit(q, audit);
        return before;
      },
      { lock: groupLock(groupId) },
    );
  }

  createInvitation(inv: InvitationRecord, audit: AuditEvent): Promise<void> {
    return this.db.tx('createInvitation', async (q) => {
      await q.run(
        `INSERT INTO invitations (token_hash, group_id, role, represents, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          inv.tokenHash,
          inv.groupId,
          inv.role,
          inv.represents,
          inv.createdBy,
          inv.createdAt,
          inv.expiresAt,
        ],
      );
      await writeAudit(q, audit);
    });
  }

  async getInvitation(tokenHash: string): Promise<InvitationRecord | null> {
    return toInvitation(
      await this.db.one<InvitationRow>('SELECT * FROM invitations WHERE token_hash = ?', [
        tokenHash,
      ]),
    );
  }

  acceptInvitation(
    tokenHash: string,
    user: UserRecord,
    now: number,
    audit: AuditEvent,
  ): Promise<MemberRecord> {
    return this.db.tx(
      'acceptInvitation',
      async (q) => {
        const inv = toInvitation(
          await q.one<InvitationRow>('SELECT * FROM invitations WHERE token_hash = ?', [tokenHash]),
        );
        if (!inv)
          throw new ConflictError('invitation-unknown', 'This invitation link is not valid.');
        if (inv.acceptedAt !== null)
          throw new ConflictError('invitation-used', 'This invitation has already been used.');
        if (inv.expiresAt <= now)
          throw new ConflictError('invitation-expired', 'This invitation has expired.');
        // Single use: of two acceptances racing, only one changes the row.
        const taken = await q.run(
          'UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE token_hash = ? AND accepted_at IS NULL',
          [now, user.id, tokenHash],
        );
        if (taken === 0)
          throw new ConflictError('invitation-used', 'This invitation has already been used.');
        await insertUser(q, user);
        const member: MemberRecord = {
          groupId: inv.groupId,
          userId: user.id,
          role: inv.role,
          represents: inv.represents,
          createdAt: new Date(now).toISOString(),
        };
        await insertMember(q, member);
        await writeAudit(q, audit);
        return member;
      },
      { lock: ACCOUNTS_LOCK },
    );
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
      [s.tokenHash, s.userId, s.createdAt, s.lastSeenAt],
    );
  }

  async getSession(tokenHash: string): Promise<SessionRecord | null> {
    const r = await this.db.one<{
      token_hash: string;
      user_id: string;
      created_at: number;
      last_seen_at: number;
    }>('SELECT token_hash, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = ?', [
      tokenHash,
    ]);
    return r
      ? {
          tokenHash: r.token_hash,
          userId: r.user_id,
          createdAt: r.created_at,
          lastSeenAt: r.last_seen_at,
        }
      : null;
  }

  async touchSession(tokenHash: string, at: number): Promise<void> {
    await this.db.run('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?', [at, tokenHash]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteSessionsOf(userId: string, except: string | null): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE user_id = ? AND token_hash IS DISTINCT FROM ?', [
      userId,
      except,
    ]);
  }
}
