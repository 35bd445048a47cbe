/**
 * What a screen reader is told when someone else changes the consensus state of the open report:
 * a paragraph locked (agreed, agreed ad referendum, deleted by agreement) or reopened, a silence
 * started, broken or passed. Pure: the page passes the event, what the store held before it, who
 * is reading and how to cite paragraphs; one's own acts and replayed events say nothing.
 */
import {
  LOCKED_STATUSES,
  type SilenceView,
  STATUS_LABELS,
  type StatusView,
} from '../../../shared/consensus.js';
import type { ReportEvent } from '../../../shared/events.js';

export interface AnnounceContext {
  /** The reader's user id (their own acts are not announced to them). */
  userId: string | null;
  /** "Paragraph 13" / "Paragraphs 13, 14": current numbers of paragraph ids. */
  cite(paragraphIds: readonly string[]): string;
}

/** The record the store held before the event (null: none). */
export type Previous = StatusView | SilenceView | null;

function who(p: { name: string; represents: string | null } | null): string {
  if (!p) return '';
  return p.represents ? ` by ${p.name} (${p.represents})` : ` by ${p.name}`;
}

function statusText(s: StatusView, old: StatusView | null, ctx: AnnounceContext): string | null {
  if (old && old.seq >= s.seq) return null;
  if (s.by?.id === ctx.userId) return null;
  const where = ctx.cite([s.paragraphId]);
  if (LOCKED_STATUSES.has(s.status) && !LOCKED_STATUSES.has(s.from))
    return `${where} is now ${STATUS_LABELS[s.status].toLowerCase()}${who(s.by)}; its text is locked.`;
  if (!LOCKED_STATUSES.has(s.status) && LOCKED_STATUSES.has(s.from))
    return `${where} was reopened${who(s.by)} (${STATUS_LABELS[s.status].toLowerCase()}); its text may be edited.`;
  return null;
}

function silenceText(s: SilenceView, old: SilenceView | null, ctx: AnnounceContext): string | null {
  if (old && (old.seq >= s.seq || old.state === s.state)) return null;
  const where = ctx.cite(s.paragraphIds);
  switch (s.state) {
    case 'running':
      if (s.startedBy.id === ctx.userId) return null;
      return `Silence procedure started on ${lower(where)}${who(s.startedBy)}, until ${new Date(s.deadline).toLocaleString()}; the text is locked.`;
    case 'broken':
      if (s.brokenBy?.id === ctx.userId) return null;
      return `Silence broken on ${lower(where)}${who(s.brokenBy)}; the text is open again.`;
    case 'adopted':
      return `Silence passed unbroken: ${lower(where)} agreed.`;
    case 'cancelled':
      return `Silence procedure on ${lower(where)} cancelled; the text is open again.`;
    default:
      return null;
  }
}

function lower(cited: string): string {
  return cited.charAt(0).toLowerCase() + cited.slice(1);
}

/** The sentence for a pushed event, or null when it is not worth interrupting a reader for. */
export function eventAnnouncement(
  event: ReportEvent,
  previous: Previous,
  ctx: AnnounceContext,
): string | null {
  if (event.type === 'status' && event.status)
    return statusText(event.status, previous as StatusView | null, ctx);
  if (event.type === 'silence' && event.silence)
    return silenceText(event.silence, previous as SilenceView | null, ctx);
  return null;
}
