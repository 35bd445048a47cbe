/**
 * Who "I" am in presence. Signed in: the account's name and colour (the server stamps the same
 * onto what others see). A guest: a display name kept in localStorage and a colour derived from
 * it (so the same name has the same colour in every browser).
 */

import { presenceColor } from '../../shared/presence.js';

const NAME_KEY = 'concord.userName';
export const USER_NAME_MAX = 40;

export interface UserIdentity {
  name: string;
  /** #rrggbb */
  color: string;
}

/** A guest's colour, from the name (an account's comes from its user id, as on the server). */
export function colorForName(name: string): string {
  return presenceColor(name);
}

/** Trims and bounds a name typed by the user; empty stays empty. */
export function normalizeName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().slice(0, USER_NAME_MAX);
}

function readStorage(): string | null {
  try {
    return localStorage.getItem(NAME_KEY);
  } catch {
    return null;
  }
}

function writeStorage(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Private mode or storage disabled: the name lasts for this page only.
  }
}

let current: UserIdentity = (() => {
  let name = normalizeName(readStorage() ?? '');
  if (!name) {
    name = `Guest ${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
    writeStorage(name);
  }
  return { name, color: colorForName(name) };
})();

const listeners = new Set<(user: UserIdentity) => void>();

export function currentUser(): UserIdentity {
  return current;
}

let fromAccount = false;

/** True when the name is the signed-in account's (the server shows that name to others). */
export function nameFromAccount(): boolean {
  return fromAccount;
}

/**
 * Uses the signed-in account's display name, and the colour the server gives it (derived from
 * the user id), from now on. The guest name stays stored for later.
 */
export function useAccount(account: { id: string; displayName: string }): void {
  const name = normalizeName(account.displayName);
  if (!name) return;
  fromAccount = true;
  current = { name, color: presenceColor(account.id) };
  for (const listener of listeners) listener(current);
}

/** Changes the guest name (ignored when empty or signed in) and tells every listener. */
export function setUserName(raw: string): void {
  const name = normalizeName(raw);
  if (fromAccount || !name || name === current.name) return;
  current = { name, color: colorForName(name) };
  writeStorage(name);
  for (const listener of listeners) listener(current);
}

export function onUserChange(listener: (user: UserIdentity) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
