/**
 * Comment threads: the types client and server share, and the one rule for who may see a
 * thread. Threads point at a paragraph id, never at a number. No Node or DOM imports.
 */
import { type Role, roleCan } from './roles.js';

export const THREAD_VISIBILITIES = ['group', 'delegation', 'chair'] as const;
export type ThreadVisibility = (typeof THREAD_VISIBILITIES)[number];
export const THREAD_KINDS = ['comment', 'proposal'] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];
export type ThreadStatus = 'open' | 'resolved';

/** Longest message, quote or proposal, in characters. */
export const COMMENT_MAX = 10000;
/** Longest client-made idempotency key. */
export const IDEMPOTENCY_KEY_MAX = 64;

export interface PersonView {
  id: string;
  name: string;
  role: Role;
  represents: string | null;
}

export interface MessageView {
  id: string;
  author: PersonView;
  /** '' when deleted. */
  body: string;
  mentions: string[];
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}

export interface ThreadView {
  id: string;
  reportId: string;
  paragraphId: string;
  kind: ThreadKind;
  visibility: ThreadVisibility;
  /** The State whose experts see a delegation thread; null otherwise. */
  delegation: string | null;
  quote: string | null;
  proposal: string | null;
  status: ThreadStatus;
  author: PersonView;
  createdAt: string;
  resolvedBy: PersonView | null;
  resolvedAt: string | null;
  appliedBy: PersonView | null;
  appliedAt: string | null;
  messages: MessageView[];
  /** The report event sequence number of the thread's last change. */
  seq: number;
}

/**
 * What the caller has read of a thread (stored by POST /api/threads/:tid/read): the thread's seq
 * and the createdAt of its newest message at that moment. The same on every device.
 */
export interface ReadMarker {
  seq: number;
  /** '' when the thread had no message. */
  lastMessageAt: string;
}

/** GET /api/reports/:id/threads */
export interface ThreadListResponse {
  threads: ThreadView[];
  /** The report's last event seq when the list was read. */
  seq: number;
  /** Thread id → the caller's read marker; threads never read are absent. */
  reads: Record<string, ReadMarker>;
}

/**
 * Why an item is in someone's inbox: a message mentions them or replies to their thread, or a
 * silence procedure of their group ended (adopted at its deadline, or broken).
 */
export type InboxReason = 'mention' | 'reply' | 'silence-adopted' | 'silence-broken';

/** One entry of GET /api/inbox: a message for the caller, or how a silence procedure ended. */
export interface InboxItem {
  /** The message's thread; null for a silence outcome. */
  threadId: string | null;
  reportId: string;
  /** The report's title now. */
  reportTitle: string;
  /** The paragraph the thread points at, or the first one under the silence (it may have been deleted since). */
  paragraphId: string;
  /** Its number in the report's text as it is now ("13 (a)"); null when it was deleted. */
  paragraph: string | null;
  /** The message, or the silence procedure: the id that marks this item read. */
  messageId: string;
  reason: InboxReason;
  unread: boolean;
  /**
   * Who wrote the message (name, role and State as they were when it was written); who broke
   * the silence; for an adopted silence, the chair who ran it.
   */
  author: PersonView;
  /**
   * The message's text as it is now (a broken silence: the statement; adopted: what that
   * means), as one line of plain text, at most INBOX_EXCERPT_MAX characters.
   */
  excerpt: string;
  /** When the message was written, or the silence ended. */
  createdAt: string;
}

/** What an inbox item says about how a silence procedure ended. */
export function silenceOutcomeText(
  outcome: 'adopted' | 'broken',
  paragraphs: number,
  statement: string | null,
): string {
  const which = paragraphs === 1 ? 'The paragraph' : `The ${paragraphs} paragraphs`;
  return outcome === 'adopted'
    ? `No one broke silence before the deadline: ${which.toLowerCase()} under it ${paragraphs === 1 ? 'is' : 'are'} agreed.`
    : `“${statement ?? ''}” ${which} under silence ${paragraphs === 1 ? 'is' : 'are'} under discussion again.`;
}

/** GET /api/inbox: the caller's items, newest first, and how many of them are unread. */
export interface InboxResponse {
  items: InboxItem[];
  unread: number;
}

/** GET /api/inbox returns at most this many items (the newest); `unread` counts them all. */
export const INBOX_LIST_MAX = 200;

/** Longest inbox excerpt, in characters (an ellipsis included). */
export const INBOX_EXCERPT_MAX = 200;

/**
 * A message as an inbox excerpt: whitespace and line breaks folded into single spaces, cut to
 * INBOX_EXCERPT_MAX characters (never inside a surrogate pair) with an ellipsis when cut.
 */
export function inboxExcerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= INBOX_EXCERPT_MAX) return flat;
  return `${chars
    .slice(0, INBOX_EXCERPT_MAX - 1)
    .join('')
    .trimEnd()}…`;
}

/** Who is looking: their id and membership in the report's group. */
export interface Viewer {
  userId: string;
  role: Role;
  represents: string | null;
}

/** What decides a thread's audience. */
export interface ThreadAudience {
  visibility: ThreadVisibility;
  delegation: string | null;
  authorId: string;
}

/**
 * The one visibility rule: group threads for every member; delegation threads for the experts
 * of that State only; chair threads for the chair and secretariat, and their author.
 */
export function canSeeThread(viewer: Viewer, t: ThreadAudience): boolean {
  switch (t.visibility) {
    case 'group':
      return true;
    case 'delegation':
      return (
        roleCan(viewer.role, 'delegationThreads') &&
        t.delegation !== null &&
        viewer.represents === t.delegation
      );
    case 'chair':
      return roleCan(viewer.role, 'chairThreads') || viewer.userId === t.authorId;
  }
}

/** An audience as one string, stored with each event: 'group', 'delegation:<State>', 'chair:<author>'. */
export function audienceKey(t: ThreadAudience): string {
  if (t.visibility === 'group') return 'group';
  if (t.visibility === 'delegation') return `delegation:${t.delegation ?? ''}`;
  return `chair:${t.authorId}`;
}

export function parseAudienceKey(key: string): ThreadAudience {
  const i = key.indexOf(':');
  const kind = i < 0 ? key : key.slice(0, i);
  const rest = i < 0 ? '' : key.slice(i + 1);
  if (kind === 'delegation') return { visibility: 'delegation', delegation: rest, authorId: '' };
  if (kind === 'chair') return { visibility: 'chair', delegation: null, authorId: rest };
  return { visibility: 'group', delegation: null, authorId: '' };
}
