/**
 * Who "I" am in presence, and how a person's role and State read. The name comes from the account
 * (GET /api/me), the colour from the report (the server's presence-color notice; the account's
 * until it arrives), the role and State from the membership in the report's group: the
 * server stamps exactly the same object onto what others see, so it forwards ours unchanged.
 */
import type { Me } from '../../shared/api.js';
import type { PresenceUser } from '../../shared/protocol.js';
import { isRole, ROLE_LABELS, type Role } from '../../shared/roles.js';

/** Longest name or State shown on a caret or chip (the rest is cut, the tooltip has it all). */
export const LABEL_PART_MAX = 40;

/** Our awareness `user` field, in the server's key order (name, color, role, represents). */
export function presenceUser(
  user: Me['user'],
  role: Role,
  represents: string | null,
  color: string | null = null,
): PresenceUser {
  return { name: user.displayName, color: color ?? user.color, role, represents };
}

function clean(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\s+/g, ' ').trim();
  return text ? text : null;
}

/** "Expert · Brazil", "Chair": the role and, for experts and observers, the State. */
export function roleAndState(role: unknown, represents: unknown): string {
  const label = isRole(role) ? ROLE_LABELS[role] : null;
  const state = clean(represents);
  return [label, state].filter(Boolean).join(' · ');
}

/** What follows a name on a caret: the State, or the role when there is none ("Chair"). */
export function affiliation(role: unknown, represents: unknown): string | null {
  const state = clean(represents);
  if (state) return state.slice(0, LABEL_PART_MAX);
  return isRole(role) ? ROLE_LABELS[role] : null;
}
