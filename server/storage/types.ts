/**
 * The storage interfaces, one per domain, and the records they carry. SQLite (the embedded
 * default) and PostgreSQL implement every one of them; the contract suites in tests/contract run
 * each domain against both engines. Every call is asynchronous even where SQLite answers
 * synchronously, and every write that must be atomic is one call (one transaction). One file
 * (about 400 lines) because the records cross domains: a thread command is carried by a
 * consensus command, an audit event by nearly every write.
 */

import type { ReportSummary } from '../../shared/api.js';
import type {
  InboxItem,
  PersonView,
  ReadMarker,
  ThreadKind,
  ThreadView,
  ThreadVisibility,
} from '../../shared/comments.js';
import type {
  ParagraphHistoryResponse,
  ParagraphStatus,
  Position,
  PositionView,
  SilenceView,
  StatusView,
} from '../../shared/consensus.js';
import type { DocumentMetadata, MetadataView } from '../../shared/metadata.js';
import type { AdoptionView, RevisionSummary } from '../../shared/revisions.js';
import type { Role } from '../../shared/roles.js';
import type { Engine } from './sql.js';

export { ConflictError, StorageError } from './errors.js';

/** A report's metadata as stored: the same shape the API presents (shared/api.ts). */
export type ReportRecord = ReportSummary;

/** A whole document as one Yjs update, with its state vector (kept so a cold load needs no parse). */
export interface Snapshot {
  update: Uint8Array;
  stateVector: Uint8Array;
}

/** What is needed to rebuild a report's Y.Doc: the latest snapshot and the updates after it. */
export interface StoredDocument {
  snapshot: Snapshot | null;
  /** Updates appended after the snapshot, in append order. */
  updates: Uint8Array[];
  /** Sequence number of the last update included (snapshot or log); 0 when empty. */
  lastSeq: number;
  /** Yjs client id → the user who first wrote with it in this report. */
  clientBindings: Map<number, string>;
}

/** Binds Yjs client ids to the user who first wrote with them (first use wins). */
export interface ClientBinding {
  userId: string;
  clientIds: readonly number[];
}

export interface UserRecord {
  id: string;
  /** Lower-cased. */
  email: string;
  displayName: string;
  /** PHC string (argon2id). */
  passwordHash: string;
  createdAt: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface MemberRecord {
  groupId: string;
  userId: string;
  role: Role;
  /** The State or organisation an expert or observer represents. */
  represents: string | null;
  createdAt: string;
}

/** A member with the user's public fields. */
export interface MemberView extends MemberRecord {
  email: string;
  displayName: string;
}

export interface SessionRecord {
  /** sha256 of the cookie token; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastSeenAt: number;
}

export interface InvitationRecord {
  tokenHash: string;
  groupId: string;
  role: Role;
  represents: string | null;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedBy: string | null;
}

/** One line of the audit log. */
export interface AuditEvent {
  /** ISO 8601, UTC. */
  at: string;
  groupId: string | null;
  actorId: string | null;
  /** Who, readable even after the account is gone (display name and email, or "anonymous"). */
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditRecord extends AuditEvent {
  id: number;
}

/** A new message (opening or reply) as the command service made it. */
export interface NewMessage {
  id: string;
  author: PersonView;
  body: string;
  mentions: string[];
  at: string;
}

/** One comment-thread command, applied by Storage.applyThreadCommand in one transaction. */
export type ThreadCommand =
  | {
      type: 'open';
      idempotencyKey: string;
      thread: {
        id: string;
        paragraphId: string;
        kind: ThreadKind;
        visibility: ThreadVisibility;
        delegation: string | null;
        quote: string | null;
        proposal: string | null;
      };
      message: NewMessage;
    }
  | { type: 'reply'; idempotencyKey: string; threadId: string; message: NewMessage }
  | {
      type: 'edit';
      messageId: string;
      body: string;
      at: string;
      /** Who the new text mentions (added to those mentioned before). */
      mentions?: string[];
    }
  | { type: 'delete'; messageId: string; by: string; at: string }
  | { type: 'resolve'; threadId: string; by: PersonView; at: string }
  | { type: 'reopen'; threadId: string; at: string }
  | { type: 'applied'; threadId: string; by: PersonView; at: string };

export interface ThreadCommandResult {
  thread: ThreadView;
  /** False when an idempotency key was replayed: nothing was written. */
  created: boolean;
}

/** A stored report event (one row per thread change, in per-report seq order). */
export interface StoredEvent {
  seq: number;
  audience: string;
  payload: string;
}

/** An inbox item with what is needed to decide whether its owner may still see the thread. */
export interface StoredInboxItem extends Omit<InboxItem, 'paragraph'> {
  groupId: string | null;
  visibility: ThreadVisibility;
  delegation: string | null;
  authorId: string;
}

export interface MessageRef {
  id: string;
  threadId: string;
  authorId: string;
  deleted: boolean;
}

/** One consensus command (shared/consensus.ts), applied by Storage.applyConsensusCommand. */
export type ConsensusCommand =
  | {
      type: 'status';
      paragraphId: string;
      /** The status the caller saw: if it changed meanwhile, nothing is written (conflict). */
      from: ParagraphStatus;
      to: ParagraphStatus;
      note: string | null;
      by: PersonView;
      at: string;
    }
  | {
      type: 'position';
      paragraphId: string;
      state: string;
      position: Position;
      explanation: string | null;
      by: PersonView;
      at: string;
      /**
       * The explanation as a group thread on the paragraph, opened in the same transaction, with
       * the inbox rows of those it mentions.
       */
      thread: {
        command: ThreadCommand & { type: 'open' };
        audit: AuditEvent;
        notify?: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }>;
      } | null;
    }
  | {
      type: 'start-silence';
      id: string;
      paragraphIds: string[];
      deadline: string;
      timeZone: string;
      by: PersonView;
      at: string;
    }
  | { type: 'break-silence'; silenceId: string; statement: string; by: PersonView; at: string }
  | { type: 'cancel-silence'; silenceId: string; by: PersonView; at: string }
  /** The deadline passed: a running silence is adopted (its paragraphs agreed); else nothing. */
  | { type: 'settle-silence'; silenceId: string; at: string };

export interface ConsensusCommandResult {
  /** False when nothing was written (same status again, a silence already settled). */
  changed: boolean;
  /** The report events written, in seq order (publish them after the commit). */
  events: StoredEvent[];
  status?: StatusView;
  position?: PositionView;
  silence?: SilenceView;
  thread?: ThreadView;
}

/** A report's consensus state as stored (GET /api/reports/:id/consensus, without config). */
export interface ConsensusRecord {
  statuses: StatusView[];
  positions: PositionView[];
  silences: SilenceView[];
  seq: number;
}

/** What an append resolves with once the update is durable. */
export interface Appended {
  seq: number;
  /**
   * True for the report's last append in the commit that made it durable: every append of the
   * report up to this one is durable now, and nothing of it is still in that commit. (The report
   * broadcasts the updates of one commit together, on this signal.)
   */
  lastOfCommit: boolean;
}

/**
 * Documents and their update log. The log is keyed by (report, seq); the seq is assigned by the
 * report's owner (the live report that appends), so log order is the order the owner applied
 * the updates, whatever order commits happen to finish in, and compaction's `seq <= through`
 * never drops an update the snapshot lacks.
 */
export interface DocumentStore {
  /**
   * Creates the report row and its first update (seq 1, the template or an imported text), with
   * its metadata when given (an import's masthead), in one transaction.
   */
  createReport(
    record: ReportRecord,
    initialUpdate: Uint8Array,
    metadata?: InitialMetadata,
  ): Promise<void>;
  getReport(id: string): Promise<ReportRecord | null>;
  listReports(): Promise<ReportRecord[]>;
  /** Reports of every group the user belongs to. */
  listReportsForUser(userId: string): Promise<ReportRecord[]>;
  /** Renames; null when the report does not exist. */
  renameReport(id: string, title: string, at: string): Promise<ReportRecord | null>;
  /** null when the report does not exist. */
  loadDocument(id: string): Promise<StoredDocument | null>;
  /**
   * Appends one Yjs update as `seq` (and binds the client ids it introduces to their author, in
   * the same commit); resolves once it is durable. Appends arriving together share one commit
   * (group commit). Rejects when the commit failed (nothing of it was written), also when `seq`
   * is already taken: another writer appended to this report.
   */
  appendUpdate(
    reportId: string,
    seq: number,
    update: Uint8Array,
    binding?: ClientBinding,
  ): Promise<Appended>;
  /**
   * Replaces the snapshot with `snapshot` (which includes every update up to `throughSeq`) and
   * drops those updates, in one transaction. An older snapshot never replaces a newer one.
   */
  compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void>;
  /** The report's metadata (masthead; shared/metadata.ts): the defaults when never set. */
  getMetadata(reportId: string): Promise<MetadataView>;
  /**
   * Replaces the report's metadata, with its audit line (detail gets what changed) and a report
   * event, in one transaction under the report's lock. Unchanged values write nothing.
   */
  setMetadata(
    reportId: string,
    metadata: DocumentMetadata,
    by: string,
    at: string,
    audit: AuditEvent,
  ): Promise<MetadataChange>;
}

/** A new report's metadata and who gave it (createReport). */
export interface InitialMetadata {
  value: DocumentMetadata;
  by: string;
}

/** What setMetadata did. */
export interface MetadataChange {
  metadata: MetadataView;
  /** False when the values were already these: nothing was written. */
  changed: boolean;
  /** The report event written (publish it after the commit), or null. */
  event: StoredEvent | null;
}

/** Accounts, groups, memberships, invitations and sessions (each write one transaction). */
export interface AccountStore {
  countUsers(): Promise<number>;
  getUserByEmail(email: string): Promise<UserRecord | null>;
  getUser(id: string): Promise<UserRecord | null>;
  /** Creates a user (and, with `membership`, their membership), with its audit event. */
  createUser(user: UserRecord, membership: MemberRecord | null, audit: AuditEvent): Promise<void>;
  setPassword(
    userId: string,
    passwordHash: string,
    keepSession: string | null,
    audit: AuditEvent,
  ): Promise<void>;
  createGroup(group: GroupRecord, audit: AuditEvent): Promise<void>;
  getGroup(id: string): Promise<GroupRecord | null>;
  listGroups(): Promise<GroupRecord[]>;
  /**
   * First start: creates the first user as chair of the first group and adopts the reports made
   * before accounts existed. Fails with ConflictError('setup-done') once any user exists.
   */
  setupFirstChair(user: UserRecord, group: GroupRecord, audit: AuditEvent): Promise<void>;
  getMembership(groupId: string, userId: string): Promise<MemberRecord | null>;
  /** The user's groups with their role in each. */
  listMemberships(userId: string): Promise<Array<{ group: GroupRecord; member: MemberRecord }>>;
  listMembers(groupId: string): Promise<MemberView[]>;
  addMember(member: MemberRecord, audit: AuditEvent): Promise<void>;
  /** Changes role/represents; returns the record before the change. ConflictError('last-chair'). */
  updateMember(
    groupId: string,
    userId: string,
    change: { role: Role; represents: string | null },
    audit: AuditEvent,
  ): Promise<MemberRecord>;
  removeMember(groupId: string, userId: string, audit: AuditEvent): Promise<MemberRecord>;
  createInvitation(invitation: InvitationRecord, audit: AuditEvent): Promise<void>;
  getInvitation(tokenHash: string): Promise<InvitationRecord | null>;
  /**
   * Single use: marks the invitation accepted and creates the user (when `user` is given) and the
   * membership, in one transaction. ConflictError when used, expired, unknown or email taken.
   */
  acceptInvitation(
    tokenHash: string,
    user: UserRecord,
    now: number,
    audit: AuditEvent,
  ): Promise<MemberRecord>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(tokenHash: string, at: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(userId: string, except: string | null): Promise<void>;
}

/** The audit log: append-only (the engines' triggers refuse updates and deletes). */
export interface AuditStore {
  appendAudit(event: AuditEvent): Promise<void>;
  /**
   * One more event in the aggregate row `bucket` (written once, then only counted): how events an
   * unauthenticated client can cause at will (refused logins) are logged without growing the log.
   */
  countAudit(bucket: string, event: AuditEvent): Promise<void>;
  /** The group's events and its members' account events, newest first. */
  listAudit(groupId: string, options: { limit: number; beforeId?: number }): Promise<AuditRecord[]>;
}

/**
 * Comment threads, the inbox, and the report events both threads and consensus write: each
 * command one transaction with its audit event and its event row. Event seqs come from a counter
 * row per report (never MAX(seq) + 1, which two writers would both read).
 */
export interface ThreadStore {
  /**
   * Applies one thread command with its audit event, its inbox notifications and a report event
   * row (next per-report seq, `audience` from the thread), in one transaction. A replayed
   * idempotency key (same user) writes nothing and returns the thread as it is now.
   */
  applyThreadCommand(
    reportId: string,
    command: ThreadCommand,
    audit: AuditEvent,
    notify: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }>,
  ): Promise<ThreadCommandResult>;
  getThread(id: string): Promise<ThreadView | null>;
  getMessage(id: string): Promise<MessageRef | null>;
  listThreads(reportId: string): Promise<ThreadView[]>;
  /** Events of a report with seq > afterSeq, in order. */
  listEvents(reportId: string, afterSeq: number): Promise<StoredEvent[]>;
  lastEventSeq(reportId: string): Promise<number>;
  /** The user's inbox items (deleted messages left out), newest message first. */
  listInbox(userId: string): Promise<StoredInboxItem[]>;
  /** Marks the user's inbox items of these messages read (both reasons); returns how many changed. */
  markInboxRead(userId: string, messageIds: readonly string[]): Promise<number>;
  /** Marks the user's inbox items of the thread read and stores their read marker for it. */
  markThreadRead(userId: string, threadId: string): Promise<void>;
  /** The user's read markers for the threads of a report, by thread id. */
  listThreadReads(userId: string, reportId: string): Promise<Map<string, ReadMarker>>;
}

/** Paragraph statuses, positions and silence procedures, with their append-only histories. */
export interface ConsensusStore {
  /**
   * Applies one consensus command with its audit event and its report events (audience 'group'),
   * in one transaction. ConflictError('not-found') for an unknown silence, 'consensus-conflict'
   * when a precondition no longer holds (status changed meanwhile, paragraph under silence or
   * locked, silence no longer running or past its deadline): nothing is written.
   */
  applyConsensusCommand(
    reportId: string,
    command: ConsensusCommand,
    audit: AuditEvent,
  ): Promise<ConsensusCommandResult>;
  getConsensus(reportId: string): Promise<ConsensusRecord>;
  getParagraphHistory(reportId: string, paragraphId: string): Promise<ParagraphHistoryResponse>;
  getSilence(id: string): Promise<SilenceView | null>;
  /** Running silences of every report, earliest deadline first (the scheduler). */
  listRunningSilences(): Promise<SilenceView[]>;
  /** Paragraphs whose text is locked: a status in LOCKED_STATUSES, or under a running silence. */
  lockedParagraphIds(reportId: string): Promise<Set<string>>;
}

/** A revision as the server freezes it (server/revisions/freeze.ts), before it is stored. */
export interface NewRevision {
  id: string;
  label: string;
  date: string;
  coverNote: string | null;
  issuedBy: PersonView;
  issuedAt: string;
  /** The encoded Yjs state (Y.encodeStateAsUpdate) of the durable document. */
  state: Uint8Array;
  /** JSON of shared/revisions.ts RevisionContent. */
  content: string;
  /**
   * The report's last event seq when statuses, positions and threads were read for `content`:
   * if any event was written since, nothing is stored (ConflictError 'revision-changed').
   */
  afterEventSeq: number;
  /** Set for the final revision: the report is adopted in the same transaction. */
  adoption: { statement: string } | null;
}

/** A stored revision with its state and content (its sha256 checked on read). */
export interface RevisionRecord extends RevisionSummary {
  state: Uint8Array;
  content: string;
}

export interface IssuedRevision {
  revision: RevisionSummary;
  event: StoredEvent;
  adoption: AdoptionView | null;
}

/**
 * Revisions: frozen states of a report, never changed once issued (the engines refuse updates and
 * deletes), each checked against its sha256 when read; adoption; the bis/ter switch.
 */
export interface RevisionStore {
  /**
   * Stores a revision with its report event and audit row (and the adoption, for the final one)
   * in one transaction holding the report's lock. ConflictError 'revision-label' when the label
   * is taken (compared without case), 'revision-changed' when a report event was written after
   * `afterEventSeq`, 'adopted' once the report is adopted: nothing is written.
   */
  issueRevision(
    reportId: string,
    revision: NewRevision,
    audit: AuditEvent,
  ): Promise<IssuedRevision>;
  /** The report's revisions, oldest first (no state or content). */
  listRevisions(reportId: string): Promise<RevisionSummary[]>;
  /** A revision with its state and content; RevisionCorrupt (a StorageError) when its hash fails. */
  getRevision(id: string): Promise<RevisionRecord | null>;
  getLastRevision(reportId: string): Promise<RevisionRecord | null>;
  getAdoption(reportId: string): Promise<AdoptionView | null>;
  /** The report's "keep the last revision's numbers" switch (bis/ter). */
  getKeepNumbers(reportId: string): Promise<boolean>;
  /** Sets the switch with its event and audit row; null (nothing written) when already so. */
  setKeepNumbers(reportId: string, on: boolean, audit: AuditEvent): Promise<StoredEvent | null>;
}

/** Every domain on one engine. */
export interface Storage
  extends DocumentStore,
    AccountStore,
    AuditStore,
    ThreadStore,
    ConsensusStore,
    RevisionStore {
  readonly kind: Engine;
  /** Resolves when the storage answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** Flushes pending appends and releases the storage. */
  close(): Promise<void>;
}
