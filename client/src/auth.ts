/**
 * The signed-in account (GET /api/me) as the whole client sees it, and the group the user is
 * working in now (the header shows their role and State there). Held in signals: a component
 * that reads `currentMe()` or `currentMembership()` re-renders when they change; code outside
 * components listens with `onAuthChange`.
 */
import { computed, effect, signal, untracked } from '@preact/signals';
import type { Me } from '../../shared/api.js';
import type { Role } from '../../shared/roles.js';
import { getMe } from './api.js';

export type Membership = Me['groups'][number];

const me = signal<Me | null>(null);
const currentGroupId = signal<string | null>(null);

/** The signed-in account, or null. */
export function currentMe(): Me | null {
  return me.value;
}

export function setMe(next: Me | null): void {
  me.value = next;
}

/** Asks the server again (after a role change, a removal…); keeps the old value on failure. */
export async function refreshMe(): Promise<Me | null> {
  try {
    setMe(await getMe());
  } catch {
    // Offline: keep what we know.
  }
  return me.peek();
}

/** Listens to changes of the account or of the current group (not called at once). */
export function onAuthChange(listener: () => void): () => void {
  let first = true;
  return effect(() => {
    void me.value;
    void currentGroupId.value;
    if (first) {
      first = false;
      return;
    }
    untracked(listener);
  });
}

export function membership(groupId: string | null): Membership | null {
  const account = me.value;
  if (!account || !groupId) return null;
  return account.groups.find((g) => g.id === groupId) ?? null;
}

/**
 * The group shown in the header: the one a page said it is about, else the only (or first)
 * group of the account.
 */
const shownMembership = computed<Membership | null>(() => {
  const account = me.value;
  if (!account) return null;
  return membership(currentGroupId.value) ?? account.groups[0] ?? null;
});

export function currentMembership(): Membership | null {
  return shownMembership.value;
}

/** A page tells the shell which group it is about (null: none in particular). */
export function setCurrentGroup(groupId: string | null): void {
  currentGroupId.value = groupId;
}

/**
 * Overrides the role of one membership as another answer from the server reported it (e.g. the
 * report endpoint after a role change), so the header agrees with the editor.
 */
export function updateMembership(groupId: string, role: Role, represents: string | null): void {
  const account = me.peek();
  if (!account) return;
  const found = account.groups.find((g) => g.id === groupId);
  if (!found || (found.role === role && found.represents === represents)) return;
  me.value = {
    ...account,
    groups: account.groups.map((g) => (g.id === groupId ? { ...g, role, represents } : g)),
  };
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
