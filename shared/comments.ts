/**
 * Comment threads: the types client and server share, and the one rule for who may see a
 * thread. Threads point at a paragraph id, never at a number. No Node or DOM imports.
 */
import type { PositionView, SilenceView, StatusView } from './consensus.js';
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

/** Pushed over the sync socket (MessageType.Event) to clients that may see it. */
export type ReportEvent =
  | { seq: number; type: 'thread'; thread: ThreadView }
  | { seq: number; type: 'status'; status: StatusView }
  | { seq: number; type: 'position'; position: PositionView }
  | { seq: number; type: 'silence'; silence: SilenceView };

export interface InboxItem {
  threadId: string;
  reportId: string;
  messageId: string;
  reason: 'mention' | 'reply';
  unread: boolean;
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
