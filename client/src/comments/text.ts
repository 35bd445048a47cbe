/** How comments read on screen: audiences, people, times. */
import type { ThreadVisibility } from '../../../shared/comments.js';
import type { Role } from '../../../shared/roles.js';
import { affiliation } from '../identity.js';

export const VISIBILITY_TEXT: Record<ThreadVisibility, string> = {
  group: 'Whole group',
  delegation: 'My delegation',
  chair: 'Chair and secretariat',
};

/** "Ana Souza · Brazil" (the State, or the role when there is none). */
export function personText(p: { name: string; role: Role; represents: string | null }): string {
  const aff = affiliation(p.role, p.represents);
  return aff ? `${p.name} · ${aff}` : p.name;
}

/** A short local date and time. */
export function timeText(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
