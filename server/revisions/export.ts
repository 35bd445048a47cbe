/**
 * Exports of revisions (issue #17): a frozen revision as a file (`export?revision=<label or id>`,
 * served by server/export/routes.ts through `revisionExport`), and the changes from one revision
 * to another (or to the live text) as a .docx with Word track changes attributed to the Chair on
 * the later revision's date: GET /api/reports/:id/export/changes?from=<rev>&to=<rev|live>.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as Y from 'yjs';
import type { DocumentMetadata } from '../../shared/metadata.js';
import {
  DEFAULT_META,
  type DocumentMeta,
  type Outline,
  outlineFromDoc,
} from '../../shared/outline.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import { normaliseLabel, type RevisionContent } from '../../shared/revisions.js';
import { wordCount } from '../../shared/wordCount.js';
import { HttpError } from '../auth/policy.js';
import { toDocx } from '../export/docx.js';
import { attachment, fileBaseName, liveOutline, metaOf } from '../export/source.js';
import { trackedOutline } from '../export/track.js';
import { requireLogin } from '../http/auth-routes.js';
import { memberFor } from '../http/group-routes.js';
import { reportToProseMirror } from '../reports.js';
import type { ReportRecord, RevisionRecord, Storage } from '../storage/types.js';

/** A revision named in a query: its id, or its label (compared as labels are: without case). */
export const REVISION_REF = { type: 'string', minLength: 1, maxLength: 64 } as const;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The masthead fields of a metadata view (without who changed it). */
export function documentMetadata(view: DocumentMetadata): DocumentMetadata {
  const { symbol, distribution, date, originalLanguage, session, agendaItem, documentType } = view;
  return { symbol, distribution, date, originalLanguage, session, agendaItem, documentType };
}

/** The revision `ref` (an id or a label) of the report; 404 when it has none such. */
export async function findRevision(
  storage: Storage,
  reportId: string,
  ref: string,
): Promise<RevisionRecord> {
  const listed = await storage.listRevisions(reportId);
  const summary =
    listed.find((r) => r.id === ref) ??
    listed.find((r) => normaliseLabel(r.label) === normaliseLabel(ref));
  const record = summary ? await storage.getRevision(summary.id) : null;
  if (!record || record.reportId !== reportId)
    throw new HttpError(404, `No revision "${ref}" in this report.`);
  return record;
}

/** A revision's text, rebuilt from its frozen Yjs state (upgraded as a stored report is). */
function revisionDoc(record: RevisionRecord) {
  const ydoc = new Y.Doc({ gc: true });
  Y.applyUpdate(ydoc, record.state);
  return reportToProseMirror(ydoc);
}

/** The masthead of a revision: its frozen metadata (or today's), its date and label. */
function revisionMeta(
  report: ReportRecord,
  record: RevisionRecord,
  current: DocumentMetadata,
): DocumentMeta {
  const content = JSON.parse(record.content) as RevisionContent;
  const frozen = (content.metadata['document'] as DocumentMetadata | undefined) ?? current;
  return {
    ...metaOf(report),
    symbol: frozen.symbol || null,
    distribution: frozen.distribution,
    originalLanguage: frozen.originalLanguage,
    sessionLines: [frozen.session, frozen.agendaItem].filter(Boolean),
    date: record.date,
    revisionLabel: record.label,
  };
}

/** The outline of revision `ref` and the file name it is exported under (symbol and label). */
export async function revisionExport(
  app: FastifyInstance,
  report: ReportRecord,
  ref: string,
): Promise<{ outline: Outline; baseName: string; revision: RevisionRecord }> {
  const record = await findRevision(app.storage, report.id, ref);
  const meta = revisionMeta(report, record, await app.storage.getMetadata(report.id));
  const outline = outlineFromDoc(revisionDoc(record), mastheadMeta(meta));
  return {
    outline,
    baseName: fileBaseName(meta, `${report.title} ${record.label}`),
    revision: record,
  };
}

/**
 * The meta a masthead shows: a symbol carries only a UN revision suffix ("/Rev.1"); other labels
 * ("Zero draft", "Final") name the file, not the symbol.
 */
function mastheadMeta(meta: DocumentMeta): DocumentMeta {
  return /^Rev\.\d+$/i.test(meta.revisionLabel ?? '') ? meta : { ...meta, revisionLabel: null };
}

export async function revisionExportRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  app.get<{ Params: { id: string }; Querystring: { from: string; to?: string } }>(
    '/api/reports/:id/export/changes',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: REPORT_ID_PATTERN } },
        },
        querystring: {
          type: 'object',
          required: ['from'],
          additionalProperties: false,
          properties: { from: REVISION_REF, to: REVISION_REF },
        },
      },
    },
    async (req, reply: FastifyReply) => {
      requireLogin(req);
      const report = await storage.getReport(req.params.id);
      if (!report?.groupId) throw new HttpError(404, 'No such report.');
      await memberFor(app, req, report.groupId, 'export').catch((err: unknown) => {
        if (err instanceof HttpError && err.statusCode === 404)
          throw new HttpError(404, 'No such report.');
        throw err;
      });
      const earlier = await revisionExport(app, report, req.query.from);
      const to = req.query.to ?? 'live';
      const later =
        to === 'live'
          ? {
              outline: await liveOutline(app, report),
              label: 'live',
              date: new Date().toISOString().slice(0, 10),
            }
          : await revisionExport(app, report, to).then((r) => ({
              outline: r.outline,
              label: r.revision.label,
              date: r.revision.date,
            }));
      const outline = trackedOutline(earlier.outline, later.outline);
      const count = wordCount(later.outline);
      const body = await toDocx(outline, {
        layout: 'manuscript',
        option: 'clean',
        wordCount: count,
        generatedAt: new Date().toISOString(),
        tracking: { author: 'Chair', date: `${later.date}T00:00:00Z` },
      });
      // "A-AC.290-2021-CRP.2-Rev.1-to-Rev.2.docx": the earlier file's name, then the later label.
      const laterName = to === 'live' ? 'current-text' : fileBaseName(DEFAULT_META, later.label);
      const name = `${earlier.baseName}-to-${laterName}.docx`;
      await storage.appendAudit(
        app.auditEvent(req, {
          action: 'report.export',
          groupId: report.groupId,
          target: report.id,
          detail: {
            format: 'docx-changes',
            from: earlier.revision.id,
            to: to === 'live' ? 'live' : later.label,
            words: count.words,
          },
        }),
      );
      return reply
        .type(DOCX)
        .header('content-disposition', attachment(name))
        .header('x-concord-word-count', `${count.words}/${count.limit}`)
        .send(body);
    },
  );
}
