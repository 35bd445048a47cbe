/** Account operations shared by the CLI, the demo seed and tests (HTTP routes have their own, audited per request). */
import type { Role } from '../shared/roles.js';
import { hashPassword } from './auth/passwords.js';
import { hashToken, newId, newToken } from './auth/tokens.js';
import type { AuditEvent, GroupRecord, Storage, UserRecord } from './storage/types.js';

export function operatorEvent(
  action: string,
  groupId: string | null,
  target: string | null,
  detail: Record<string, unknown> | null,
): AuditEvent {
  return {
    at: new Date().toISOString(),
    groupId,
    actorId: null,
    actor: 'operator (CLI)',
    action,
    target,
    detail,
    ip: null,
    requestId: null,
  };
}

export async function createGroup(storage: Storage, name: string): Promise<GroupRecord> {
  const group = { id: newId('g'), name: name.trim(), createdAt: new Date().toISOString() };
  await storage.createGroup(
    group,
    operatorEvent('group.create', group.id, group.id, { name: group.name }),
  );
  return group;
}

export interface NewAccount {
  email: string;
  displayName: string;
  password: string;
  membership?: { groupId: string; role: Role; represents: string | null };
}

export async function createAccount(storage: Storage, a: NewAccount): Promise<UserRecord> {
  const user: UserRecord = {
    id: newId('u'),
    email: a.email.trim().toLowerCase(),
    displayName: a.displayName.trim(),
    passwordHash: await hashPassword(a.password),
    createdAt: new Date().toISOString(),
  };
  const m = a.membership;
  await storage.createUser(
    user,
    m
      ? {
          groupId: m.groupId,
          userId: user.id,
          role: m.role,
          represents: m.represents,
          createdAt: user.createdAt,
        }
      : null,
    operatorEvent(
      'user.create',
      m?.groupId ?? null,
      user.id,
      m ? { role: m.role, represents: m.represents } : null,
    ),
  );
  return user;
}

export async function createInvitation(
  storage: Storage,
  groupId: string,
  role: Role,
  represents: string | null,
  hours: number,
): Promise<{ token: string; expiresAt: number }> {
  const token = newToken();
  const now = Date.now();
  const expiresAt = now + hours * 3_600_000;
  await storage.createInvitation(
    {
      tokenHash: hashToken(token),
      groupId,
      role,
      represents,
      createdBy: 'operator',
      createdAt: now,
      expiresAt,
      acceptedAt: null,
      acceptedBy: null,
    },
    operatorEvent('invitation.create', groupId, null, { role, represents }),
  );
  return { token, expiresAt };
}
