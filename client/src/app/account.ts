/**
 * Signing in and out, for the whole page: which account the open sessions belong to, where to go
 * afterwards, and the shell's own banner (a logout that could not reach the server).
 */
import { signal } from '@preact/signals';
import type { Me } from '../../../shared/api.js';
import { errorMessage, logout, setUnauthorizedHandler } from '../api.js';
import { currentMe, setLoginNotice, setMe } from '../auth.js';
import { dropSessions, resumeSessions } from '../sync/session.js';
import { currentPath, go, hash } from './navigation.js';
import { loginHref, parseRoute } from './routes.js';

/** A message of the shell itself, shown under the header of the page it was said on. */
export const shellBanner = signal<{ text: string; at: string } | null>(null);

/** Whose sessions are open: another account's login drops them. */
let lastUserId: string | null = null;

/** The account the page started with (GET /api/me at boot). */
export function startedAs(me: Me | null): void {
  lastUserId = me?.user.id ?? null;
  setMe(me);
}

/**
 * A login, setup or invitation acceptance succeeded: take the account and open `next` (a hash
 * path such as "/r/abc"; default the home page).
 */
export function signedIn(me: Me, next?: string | null): void {
  if (lastUserId !== null && lastUserId !== me.user.id) dropSessions();
  else resumeSessions();
  lastUserId = me.user.id;
  setLoginNotice(null);
  setMe(me);
  go(`#${next ?? '/'}`);
}

/** Logs out (offline: the session stays valid on the server, and the banner says so). */
export async function logOut(): Promise<void> {
  try {
    await logout();
  } catch (e) {
    shellBanner.value = { text: `Could not log out: ${errorMessage(e)}`, at: hash.peek() };
    return;
  }
  setMe(null);
  lastUserId = null;
  go('#/login');
  await dropSessions(true);
}

/** A request or the sync socket found the session gone: log in again, then come back here. */
setUnauthorizedHandler((message) => {
  if (!currentMe()) return;
  setMe(null);
  setLoginNotice(message);
  const path = currentPath();
  go(loginHref(parseRoute(`#${path}`).name === 'login' ? null : path), true);
});
