/** How consensus data reads on screen: people, times in the reader's zone, countdowns. */
import type { PersonView } from '../../../shared/comments.js';
import { affiliation } from '../identity.js';

/** "Ana Souza · Brazil". */
export function personText(p: PersonView | null): string {
  if (!p) return 'the silence procedure';
  const aff = affiliation(p.role, p.represents);
  return aff ? `${p.name} · ${aff}` : p.name;
}

/** The reader's own time zone (IANA name). */
export function readerTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** A moment, short, in the reader's zone (or `timeZone`), with the zone's name. */
export function timeText(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const options: Intl.DateTimeFormatOptions = {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  };
  try {
    const text = new Intl.DateTimeFormat(undefined, options).format(d);
    return timeZone ? `${text} (${timeZone})` : text;
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
      d,
    );
  }
}

/** "2 d 03:04:05 left", "04:05 left", or "deadline passed". */
export function countdownText(deadline: string, now = Date.now()): string {
  const ms = new Date(deadline).getTime() - now;
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'deadline passed';
  let s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = hh > 0 || days > 0 ? `${pad(hh)}:${pad(mm)}:${pad(ss)}` : `${pad(mm)}:${pad(ss)}`;
  return `${days > 0 ? `${days} d ` : ''}${clock} left`;
}
