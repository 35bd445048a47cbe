/**
 * Every domain store on one engine's Db, as the one Storage the server uses. The domain stores
 * hold the SQL (written once for both engines); an engine subclass (sqlite.ts, postgres.ts) adds
 * its connection, its hand-tuned update appends (group commit) and its close.
 */

import type { ReadMarker, ThreadView } from '../../shared/comments.js';
import type { ParagraphHistoryResponse, SilenceView } from '../../shared/consensus.js';
import type { DocumentMetadata, MetadataView } from '../../shared/metadata.js';
import type { AdoptionView, RevisionSummary } from '../../shared/revisions.js';
import type { Role } from '../../shared/roles.js';
import { SqlAuditStore } from '../audit/store.js';
import { SqlAccountStore } from '../auth/store.js';
import { SqlThreadStore } from '../comments/store.js';
import { SqlConsensusStore } from '../consensus/store.js';
import { SqlMetadataStore } from '../documents/metadata.js';
import { SqlDocuments } from '../documents/store.js';
import { SqlRevisionStore } from '../revisions/store.js';
import type { Db, Engine } from './sql.js';
import type {
  Appended,
  AuditEvent,
  AuditRecord,
  ClientBinding,
  ConsensusCommand,
  ConsensusCommandResult,
  ConsensusRecord,
  GroupRecord,
  InitialMetadata,
  InvitationRecord,
  IssuedRevision,
  MemberRecord,
  MemberView,
  MessageRef,
  MetadataChange,
  NewRevision,
  ReportRecord,
  RevisionRecord,
  SessionRecord,
  Snapshot,
  Storage,
  StoredDocument,
  StoredEvent,
  StoredInboxItem,
  ThreadCommand,
  ThreadCommandResult,
  UserRecord,
} from './types.js';

export abstract class SqlStorage implements Storage {
  abstract readonly kind: Engine;
  protected readonly documents: SqlDocuments;
  protected readonly metadata: SqlMetadataStore;
  protected readonly accounts: SqlAccountStore;
  protected readonly audit: SqlAuditStore;
  protected readonly threads: SqlThreadStore;
  protected readonly consensus: SqlConsensusStore;
  protected readonly revisions: SqlRevisionStore;

  constructor(readonly db: Db) {
    this.documents = new SqlDocuments(db);
    this.metadata = new SqlMetadataStore(db);
    this.accounts = new SqlAccountStore(db);
    this.audit = new SqlAuditStore(db);
    this.threads = new SqlThreadStore(db);
    this.consensus = new SqlConsensusStore(db);
    this.revisions = new SqlRevisionStore(db);
  }

  abstract appendUpdate(
    reportId: string,
    seq: number,
    update: Uint8Array,
    binding?: ClientBinding,
  ): Promise<Appended>;
  abstract close(): Promise<void>;

  ping(): Promise<void> {
    return this.db.ping();
  }

  // --- documents ---
  createReport(
    record: ReportRecord,
    initialUpdate: Uint8Array,
    metadata?: InitialMetadata,
  ): Promise<void> {
    return this.documents.createReport(record, initialUpdate, metadata);
  }
  getReport(id: string): Promise<ReportRecord | null> {
    return this.documents.getReport(id);
  }
  listReports(): Promise<ReportRecord[]> {
    return this.documents.listReports();
  }
  listReportsForUser(userId: string): Promise<ReportRecord[]> {
    return this.documents.listReportsForUser(userId);
  }
  renameReport(id: string, title: string, at: string): Promise<ReportRecord | null> {
    return this.documents.renameReport(id, title, at);
  }
  loadDocument(id: string): Promise<StoredDocument | null> {
    return this.documents.loadDocument(id);
  }
  compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    return this.documents.compact(reportId, snapshot, throughSeq);
  }
  getMetadata(reportId: string): Promise<MetadataView> {
    return this.metadata.getMetadata(reportId);
  }
  setMetadata(
    reportId: string,
    metadata: DocumentMetadata,
    by: string,
    at: string,
    audit: AuditEvent,
  ): Promise<MetadataChange> {
    return this.metadata.setMetadata(reportId, metadata, by, at, audit);
  }

  // --- accounts, groups, sessions, invitations ---
  countUsers(): Promise<number> {
    return this.accounts.countUsers();
  }
  getUserByEmail(email: string): Promise<UserRecord | null> {
    return this.accounts.getUserByEmail(email);
  }
  getUser(id: string): Promise<UserRecord | null> {
    return this.accounts.getUser(id);
  }
  createUser(user: UserRecord, membership: MemberRecord | null, audit: AuditEvent): Promise<void> {
    return this.accounts.createUser(user, membership, audit);
  }
  setPassword(
    userId: string,
    passwordHash: string,
    keepSession: string | null,
    audit: AuditEvent,
  ): Promise<void> {
    return this.accounts.setPassword(userId, passwordHash, keepSession, audit);
  }
  createGroup(group: GroupRecord, audit: AuditEvent): Promise<void> {
    return this.accounts.createGroup(group, audit);
  }
  getGroup(id: string): Promise<GroupRecord | null> {
    return this.accounts.getGroup(id);
  }
  listGroups(): Promise<GroupRecord[]> {
    return this.accounts.listGroups();
  }
  setupFirstChair(user: UserRecord, group: GroupRecord, audit: AuditEvent): Promise<void> {
    return this.accounts.setupFirstChair(user, group, audit);
  }
  getMembership(groupId: string, userId: string): Promise<MemberRecord | null> {
    return this.accounts.getMembership(groupId, userId);
  }
  listMemberships(userId: string): Promise<Array<{ group: GroupRecord; member: MemberRecord }>> {
    return this.accounts.listMemberships(userId);
  }
  listMembers(groupId: string): Promise<MemberView[]> {
    return this.accounts.listMembers(groupId);
  }
  addMember(member: MemberRecord, audit: AuditEvent): Promise<void> {
    return this.accounts.addMember(member, audit);
  }
  updateMember(
    groupId: string,
    userId: string,
    change: { role: Role; represents: string | null },
    audit: AuditEvent,
  ): Promise<MemberRecord> {
    return this.accounts.updateMember(groupId, userId, change, audit);
  }
  removeMember(groupId: string, userId: string, audit: AuditEvent): Promise<MemberRecord> {
    return this.accounts.removeMember(groupId, userId, audit);
  }
  createInvitation(invitation: InvitationRecord, audit: AuditEvent): Promise<void> {
    return this.accounts.createInvitation(invitation, audit);
  }
  getInvitation(tokenHash: string): Promise<InvitationRecord | null> {
    return this.accounts.getInvitation(tokenHash);
  }
  acceptInvitation(
    tokenHash: string,
    user: UserRecord,
    now: number,
    audit: AuditEvent,
  ): Promise<MemberRecord> {
    return this.accounts.acceptInvitation(tokenHash, user, now, audit);
  }
  createSession(session: SessionRecord): Promise<void> {
    return this.accounts.createSession(session);
  }
  getSession(tokenHash: string): Promise<SessionRecord | null> {
    return this.accounts.getSession(tokenHash);
  }
  touchSession(tokenHash: string, at: number): Promise<void> {
    return this.accounts.touchSession(tokenHash, at);
  }
  deleteSession(tokenHash: string): Promise<void> {
    return this.accounts.deleteSession(tokenHash);
  }
  deleteSessionsOf(userId: string, except: string | null): Promise<void> {
    return this.accounts.deleteSessionsOf(userId, except);
  }

  // --- audit ---
  appendAudit(event: AuditEvent): Promise<void> {
    return this.audit.appendAudit(event);
  }
  countAudit(bucket: string, event: AuditEvent): Promise<void> {
    return this.audit.countAudit(bucket, event);
  }
  listAudit(
    groupId: string,
    options: { limit: number; beforeId?: number },
  ): Promise<AuditRecord[]> {
    return this.audit.listAudit(groupId, options);
  }

  // --- comment threads, inbox, report events ---
  applyThreadCommand(
    reportId: string,
    command: ThreadCommand,
    audit: AuditEvent,
    notify: ReadonlyArray<{ userId: string; reason: 'mention' | 'reply' }>,
  ): Promise<ThreadCommandResult> {
    return this.threads.applyThreadCommand(reportId, command, audit, notify);
  }
  getThread(id: string): Promise<ThreadView | null> {
    return this.threads.getThread(id);
  }
  getMessage(id: string): Promise<MessageRef | null> {
    return this.threads.getMessage(id);
  }
  listThreads(reportId: string): Promise<ThreadView[]> {
    return this.threads.listThreads(reportId);
  }
  listEvents(reportId: string, afterSeq: number): Promise<StoredEvent[]> {
    return this.threads.listEvents(reportId, afterSeq);
  }
  lastEventSeq(reportId: string): Promise<number> {
    return this.threads.lastEventSeq(reportId);
  }
  listInbox(userId: string): Promise<StoredInboxItem[]> {
    return this.threads.listInbox(userId);
  }
  markInboxRead(userId: string, messageIds: readonly string[]): Promise<number> {
    return this.threads.markInboxRead(userId, messageIds);
  }
  markThreadRead(userId: string, threadId: string): Promise<void> {
    return this.threads.markThreadRead(userId, threadId);
  }
  listThreadReads(userId: string, reportId: string): Promise<Map<string, ReadMarker>> {
    return this.threads.listThreadReads(userId, reportId);
  }

  // --- consensus ---
  applyConsensusCommand(
    reportId: string,
    command: ConsensusCommand,
    audit: AuditEvent,
  ): Promise<ConsensusCommandResult> {
    return this.consensus.applyConsensusCommand(reportId, command, audit);
  }
  getConsensus(reportId: string): Promise<ConsensusRecord> {
    return this.consensus.getConsensus(reportId);
  }
  getParagraphHistory(reportId: string, paragraphId: string): Promise<ParagraphHistoryResponse> {
    return this.consensus.getParagraphHistory(reportId, paragraphId);
  }
  getSilence(id: string): Promise<SilenceView | null> {
    return this.consensus.getSilence(id);
  }
  listRunningSilences(): Promise<SilenceView[]> {
    return this.consensus.listRunningSilences();
  }
  lockedParagraphIds(reportId: string): Promise<Set<string>> {
    return this.consensus.lockedParagraphIds(reportId);
  }

  // --- revisions ---
  issueRevision(
    reportId: string,
    revision: NewRevision,
    audit: AuditEvent,
  ): Promise<IssuedRevision> {
    return this.revisions.issueRevision(reportId, revision, audit);
  }
  listRevisions(reportId: string): Promise<RevisionSummary[]> {
    return this.revisions.listRevisions(reportId);
  }
  getRevision(id: string): Promise<RevisionRecord | null> {
    return this.revisions.getRevision(id);
  }
  getLastRevision(reportId: string): Promise<RevisionRecord | null> {
    return this.revisions.getLastRevision(reportId);
  }
  getAdoption(reportId: string): Promise<AdoptionView | null> {
    return this.revisions.getAdoption(reportId);
  }
  getKeepNumbers(reportId: string): Promise<boolean> {
    return this.revisions.getKeepNumbers(reportId);
  }
  setKeepNumbers(reportId: string, on: boolean, audit: AuditEvent): Promise<StoredEvent | null> {
    return this.revisions.setKeepNumbers(reportId, on, audit);
  }
}
