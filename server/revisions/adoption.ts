/**
 * Adoption (issue #16): the chair adopts the report when every paragraph is agreed (or deleted by
 * agreement), no square brackets remain and no silence procedure runs. It issues the final
 * revision, records "Adopted by consensus on <date>" in the same transaction, and locks the whole
 * text on the sync channel: held from the tick the freeze reads the text (so what was checked is
 * what stays), then WHOLE_DOCUMENT_LOCK among the report's stored locks, enforced by the sync
 * guard (server/sync/guard.ts) before any update is applied. Nothing reopens it.
 */
import type { FastifyInstance } from 'fastify';
import type { Node as PMNode } from 'prosemirror-model';
import { hasBrackets } from '../../shared/consensus.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import {
  FINAL_LABEL,
  type IssueRevisionResponse,
  isIsoDate,
  labelProblem,
  REVISION_NOTE_MAX,
  type RevisionContent,
  unDate,
} from '../../shared/revisions.js';
import { isTextBlock } from '../../shared/schema.js';
import { negotiatedText } from '../../shared/text.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { ConflictError } from '../storage/types.js';
import { issueRevision } from './commands.js';
import { forgetNumbering } from './numbering.js';
import { person } from './routes.js';

/** Statuses a paragraph may have at adoption. */
const ADOPTABLE = new Set(['agreed', 'deleted_by_agreement']);

/** How many paragraphs a refusal names before "and N more". */
const NAMED = 12;

function named(citations: string[]): string {
  const shown = citations.slice(0, NAMED).join(', ');
  return citations.length > NAMED ? `${shown} and ${citations.length - NAMED} more` : shown;
}

/** Throws 409 naming what stands in the way of adoption, from what the freeze read. */
export function adoptionProblems(doc: PMNode, content: RevisionContent): void {
  const open = content.nodes.filter(
    (n) => n.kind === 'paragraph' && !ADOPTABLE.has(n.status ?? 'draft'),
  );
  if (open.length > 0)
    throw new HttpError(
      409,
      `Not every paragraph is agreed: ${named(open.map((n) => n.citation || n.id))}.`,
    );
  const citation = new Map(content.nodes.map((n) => [n.id, n.citation]));
  const bracketed: string[] = [];
  doc.descendants((node) => {
    if (!isTextBlock(node)) return !node.isTextblock;
    if (hasBrackets(negotiatedText(node).text)) {
      const id = node.attrs['id'] as string | null;
      bracketed.push((id && citation.get(id)) || id || '?');
    }
    return false;
  });
  if (bracketed.length > 0)
    throw new HttpError(409, `Square brackets remain in paragraph ${named(bracketed)}.`);
}

export async function adoptionRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  app.post<{ Params: { id: string }; Body: { label?: string; date?: string; coverNote?: string } }>(
    '/api/reports/:id/adopt',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: REPORT_ID_PATTERN } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            label: { type: 'string' },
            date: { type: 'string' },
            coverNote: { type: 'string' },
          },
        },
      },
    },
    async (req, reply) => {
      const auth = requireLogin(req);
      const report = await storage.getReport(req.params.id);
      if (!report?.groupId) throw new HttpError(404, 'No such report.');
      const member = await storage.getMembership(report.groupId, auth.user.id);
      if (!member || !can(member, 'read')) throw new HttpError(404, 'No such report.');
      // Adoption declares agreement on the whole text: the chair's (declareAgreement).
      if (!can(member, 'declareAgreement') || !can(member, 'issueRevision'))
        throw new HttpError(403, 'Only the chair adopts the report.');
      if (await storage.getAdoption(report.id))
        throw new HttpError(409, 'The report is adopted already: adoption is never reopened.');
      const consensus = await storage.getConsensus(report.id);
      if (consensus.silences.some((s) => s.state === 'running'))
        throw new HttpError(409, 'A silence procedure is running: adopt once it has ended.');
      const b = req.body ?? {};
      const existing = (await storage.listRevisions(report.id)).map((r) => r.label);
      const label = (b.label ?? FINAL_LABEL).trim().replace(/\s+/g, ' ');
      const problem = labelProblem(label, existing);
      if (problem) throw new HttpError(400, problem);
      const date = b.date?.trim() || new Date().toISOString().slice(0, 10);
      if (!isIsoDate(date)) throw new HttpError(400, `Not a date: "${b.date}" (use YYYY-MM-DD).`);
      const coverNote = b.coverNote?.trim() || null;
      if (coverNote && coverNote.length > REVISION_NOTE_MAX)
        throw new HttpError(400, `A cover note has at most ${REVISION_NOTE_MAX} characters.`);
      const statement = `Adopted by consensus on ${unDate(date)}`;
      const issued = await issueRevision(
        app,
        report,
        { label, date, coverNote, by: person(req, member), adoption: { statement } },
        (id) =>
          app.auditEvent(req, {
            action: 'report.adopt',
            groupId: report.groupId,
            target: report.id,
            detail: { revision: id, label, date },
          }),
        adoptionProblems,
      ).catch((err: unknown) => {
        if (err instanceof ConflictError)
          throw new HttpError(err.code === 'revision-label' ? 400 : 409, err.message);
        throw err;
      });
      forgetNumbering(report.id);
      app.reportEvents.publish(report.id, issued.event);
      const body: IssueRevisionResponse & { statement: string } = {
        revision: issued.revision,
        statement,
      };
      return reply.code(201).send(body);
    },
  );
}
