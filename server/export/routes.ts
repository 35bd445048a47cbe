/**
 * GET /api/reports/:id/export?format=docx|akn&layout=manuscript|issued&options=clean|brackets|status
 * &revision=… : the report as a file, for the roles the matrix's `export` allows; audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { STATUS_LABELS } from '../../shared/consensus.js';
import { ReportParams } from '../../shared/routes/common.js';
import {
  EXPORT_FORMATS,
  EXPORT_LAYOUTS,
  EXPORT_OPTIONS,
  type ExportFormat,
  ExportQuery,
} from '../../shared/routes/export.js';
import { wordCount } from '../../shared/wordCount.js';
import { HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { memberFor } from '../http/group-routes.js';
import { revisionExport } from '../revisions/export.js';
import { toAkn } from './akn.js';
import { toDocx } from './docx.js';
import { attachment, fileBaseName, liveOutline } from './source.js';

export { EXPORT_FORMATS, EXPORT_LAYOUTS, EXPORT_OPTIONS, type ExportFormat };

const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  akn: 'application/akn+xml; charset=utf-8',
};
const EXTENSIONS: Readonly<Record<ExportFormat, string>> = { docx: 'docx', akn: 'xml' };

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  /** Each paragraph's consensus status, for the margin notes of the Chair's working copy. */
  async function statusNotes(reportId: string) {
    const { statuses } = await storage.getConsensus(reportId);
    return new Map(
      statuses.map((s) => [s.paragraphId, { label: STATUS_LABELS[s.status], at: s.at }]),
    );
  }

  app.get(
    '/api/reports/:id/export',
    { schema: { params: ReportParams, querystring: ExportQuery } },
    async (req, reply) => {
      requireLogin(req);
      const report = await storage.getReport(req.params.id);
      if (!report?.groupId) throw new HttpError(404, 'No such report.');
      await memberFor(app, req, report.groupId, 'export').catch((err: unknown) => {
        if (err instanceof HttpError && err.statusCode === 404)
          throw new HttpError(404, 'No such report.');
        throw err;
      });
      const { format } = req.query;
      const layout = req.query.layout ?? 'manuscript';
      const options = req.query.options ?? 'clean';
      // A frozen revision (server/revisions/export.ts), or the live text.
      const frozen =
        req.query.revision !== undefined
          ? await revisionExport(app, report, req.query.revision)
          : null;
      const outline = frozen?.outline ?? (await liveOutline(app, report));
      const count = wordCount(outline, app.config.wordLimit);
      const generatedAt = new Date().toISOString();
      const body =
        format === 'akn'
          ? toAkn(outline, { generatedAt, fallbackName: report.id, wordCount: count })
          : await toDocx(outline, {
              layout,
              option: options,
              wordCount: count,
              generatedAt,
              statuses: options === 'status' ? await statusNotes(report.id) : undefined,
            });
      const name = `${frozen?.baseName ?? fileBaseName(outline.meta, report.title)}.${EXTENSIONS[format]}`;
      await storage.appendAudit(
        app.auditEvent(req, {
          action: 'report.export',
          groupId: report.groupId,
          target: report.id,
          detail: {
            format,
            layout,
            options,
            revision: frozen?.revision.id ?? null,
            words: count.words,
          },
        }),
      );
      return reply
        .type(CONTENT_TYPES[format])
        .header('content-disposition', attachment(name))
        .header('x-concord-word-count', `${count.words}/${count.limit}`)
        .send(body);
    },
  );
};
