/**
 * The signed-in account (GET /api/me) as the whole client sees it, and the group the user is
 * working in now (the header shows their role and State there).
 */
import type { Me } from '../../shared/api.js';
import type { Role } from '../../shared/roles.js';
import { getMe } from './api.js';

export type Membership = Me['groups'][number];

let me: Me | null = null;
let currentGroupId: string | null = null;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

/** The signed-in account, or null. */
export function currentMe(): Me | null {
  return me;
}

export function setMe(next: Me | null): void {
  me = next;
  notify();
}

/** Asks the server again (after a role change, a removal…); keeps the old value on failure. */
export async function refreshMe(): Promise<Me | null> {
  try {
    setMe(await getMe());
  } catch {
    // Offline: keep what we know.
  }
  return me;
}

/** Listens to changes of the account or of the current group. */
export function onAuthChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function membership(groupId: string | null): Membership | null {
  if (!me || !groupId) return null;
  return me.groups.find((g) => g.id === groupId) ?? null;
}

/**
 * The group shown in the header: the one a page said it is about, else the only (or first)
 * group of the account.
 */
export function currentMembership(): Membership | null {
  if (!me) return null;
  return membership(currentGroupId) ?? me.groups[0] ?? null;
}

/** A page tells the shell which group it is about (null: none in particular). */
export function setCurrentGroup(groupId: string | null): void {
  if (groupId === currentGroupId) return;
  currentGroupId = groupId;
  notify();
}

/**
 * Overrides the role of one membership as another answer from the server reported it (e.g. the
 * report endpoint after a role change), so the header agrees with the editor.
 */
export function updateMembership(groupId: string, role: Role, represents: string | null): void {
  if (!me) return;
  const found = me.groups.find((g) => g.id === groupId);
  if (!found || (found.role === role && found.represents === represents)) return;
  me = {
    ...me,
    groups: me.groups.map((g) => (g.id === groupId ? { ...g, role, represents } : g)),
  };
  notify();
}

/** A message for the login page (why the user was sent there), shown once. */
let loginNotice: string | null = null;

export function setLoginNotice(message: string | null): void {
  loginNotice = message;
}

export function takeLoginNotice(): string | null {
  const message = loginNotice;
  loginNotice = null;
  return message;
}
