/**
 * Issuing a revision: read the consensus state and threads, then freeze the document in one
 * synchronous step once everything applied to it is durable (LiveReport.readDurable), and store
 * it all in one transaction. When a report event was written between the reads and the commit
 * (a status set, a thread opened), the transaction refuses and the freeze is taken again, so a
 * revision's statuses and threads are those of its text.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Node as PMNode } from 'prosemirror-model';
import * as Y from 'yjs';
import { audienceKey, type PersonView } from '../../shared/comments.js';
import type { ParagraphStatus } from '../../shared/consensus.js';
import { documentNodes } from '../../shared/document-nodes.js';
import {
  type FrozenNode,
  type RevisionContent,
  WHOLE_DOCUMENT_LOCK,
} from '../../shared/revisions.js';
import { refreshLocks } from '../consensus/publish.js';
import { reportToProseMirror } from '../reports.js';
import {
  type AuditEvent,
  ConflictError,
  type IssuedRevision,
  type ReportRecord,
} from '../storage/types.js';
import { documentMetadata } from './export.js';

/** Freezes taken again at most this often when the report keeps changing under the issue. */
const ATTEMPTS = 4;

export interface IssueInput {
  label: string;
  date: string;
  coverNote: string | null;
  by: PersonView;
  adoption: { statement: string } | null;
}

/** What a freeze holds on the live report until the issue is stored (or refused). */
type Release = () => void;

/** The frozen parts of a revision (state, content) and the event seq they were read at. */
export async function freeze(
  app: FastifyInstance,
  report: ReportRecord,
  /** Locks the whole text in the same tick as the read (adoption): nothing can follow it. */
  lockWhole = false,
): Promise<{
  state: Uint8Array;
  content: RevisionContent;
  afterEventSeq: number;
  doc: PMNode;
  release: Release;
}> {
  const { storage } = app;
  const consensus = await storage.getConsensus(report.id);
  const threads = await storage.listThreads(report.id);
  const statuses = new Map<string, ParagraphStatus>(
    consensus.statuses.map((s) => [s.paragraphId, s.status]),
  );
  const open = new Map<string, string[]>();
  for (const t of threads) {
    if (t.status !== 'open') continue;
    const keys = open.get(t.paragraphId) ?? [];
    keys.push(audienceKey({ ...t, authorId: t.author.id }));
    open.set(t.paragraphId, keys);
  }
  const { state, doc, release } = await app.registry.withReport(report.id, (live) =>
    live.readDurable((ydoc) => ({
      state: Y.encodeStateAsUpdate(ydoc),
      doc: reportToProseMirror(ydoc),
      release: lockWhole ? live.holdLock(WHOLE_DOCUMENT_LOCK) : () => {},
    })),
  );
  const nodes: FrozenNode[] = documentNodes(doc).map((n) => ({
    ...n,
    status: n.kind === 'paragraph' ? (statuses.get(n.id) ?? 'draft') : (statuses.get(n.id) ?? null),
    openThreads: open.get(n.id) ?? [],
  }));
  const content: RevisionContent = {
    doc: doc.toJSON(),
    nodes,
    positions: consensus.positions,
    // The masthead as it was (symbol, distribution, date …): what an export of it shows.
    metadata: {
      title: report.title,
      template: report.template,
      document: documentMetadata(await storage.getMetadata(report.id)),
    },
  };
  return { state, content, afterEventSeq: consensus.seq, doc, release };
}

/** Freezes and stores a revision, taking the freeze again while the report changes under it. */
export async function issueRevision(
  app: FastifyInstance,
  report: ReportRecord,
  input: IssueInput,
  audit: (revisionId: string) => AuditEvent,
  /** Runs on what was frozen, before it is stored: throws to refuse (adoption's conditions). */
  check?: (doc: PMNode, content: RevisionContent) => void,
): Promise<IssuedRevision> {
  for (let attempt = 1; ; attempt++) {
    // An adoption locks the whole text as it freezes it: what it checks is what stays.
    const frozen = await freeze(app, report, input.adoption !== null);
    const id = `v_${crypto.randomBytes(12).toString('base64url')}`;
    try {
      check?.(frozen.doc, frozen.content);
      const issued = await app.storage.issueRevision(
        report.id,
        {
          id,
          label: input.label,
          date: input.date,
          coverNote: input.coverNote,
          issuedBy: input.by,
          issuedAt: new Date().toISOString(),
          state: frozen.state,
          content: JSON.stringify(frozen.content),
          afterEventSeq: frozen.afterEventSeq,
          adoption: input.adoption,
        },
        audit(id),
      );
      // Stored: the report's own locks now hold the whole text before the freeze lets go.
      if (input.adoption) await refreshLocks(app, report.id);
      return issued;
    } catch (err) {
      if (!(err instanceof ConflictError && err.code === 'revision-changed') || attempt >= ATTEMPTS)
        throw err;
    } finally {
      frozen.release();
    }
  }
}
