/**
 * POST /api/groups/:id/import/preview?format=text|docx|akn — what the file would become (nothing
 * written); POST /api/groups/:id/import?format=…[&title=…] — the same reading, created as a new
 * report with its masthead metadata in one transaction (201); POST /api/reports/:id/import
 * [/preview]?format=… — the same as a new draft of an existing report: its text replaced as one
 * change through the live report (its metadata kept). The body is the file itself
 * (any content type), bounded before it is read; who may: the matrix's `importDocument`.
 */
import type {
  FastifyPluginAsyncTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { REPORT_TITLE_MAX } from '../../shared/api.js';
import { IMPORT_MAX_BYTES, type ImportPreview } from '../../shared/import.js';
import {
  DEFAULT_METADATA,
  type DocumentMetadata,
  validateMetadata,
} from '../../shared/metadata.js';
import { DEFAULT_META, type DocumentMeta } from '../../shared/outline.js';
import { ReportParams } from '../../shared/routes/common.js';
import { ImportParams, ImportQuery } from '../../shared/routes/import.js';
import { REPORT_FRAGMENT } from '../../shared/schema.js';
import { HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { memberFor } from '../http/group-routes.js';
import { documentUpdate, newReportId } from '../reports.js';
import type { ReportRecord } from '../storage/types.js';
import { buildDocument, previewOf } from './build.js';
import { readImport } from './read.js';
import { ImportError } from './source.js';

const MIB = IMPORT_MAX_BYTES / (1024 * 1024);

/** Recognised masthead values merged over the defaults; a value the rules refuse is dropped. */
function metadataOf(found: Partial<DocumentMetadata>): DocumentMetadata {
  const merged = { ...DEFAULT_METADATA, ...found };
  const checked = validateMetadata(merged);
  if (checked.ok) return checked.value;
  const safe: DocumentMetadata = { ...DEFAULT_METADATA };
  for (const k of Object.keys(found) as Array<keyof DocumentMetadata>) {
    const one = validateMetadata({ ...safe, [k]: found[k] });
    if (one.ok) Object.assign(safe, one.value);
  }
  return safe;
}

function metaForOutline(m: DocumentMetadata): DocumentMeta {
  return {
    ...DEFAULT_META,
    symbol: m.symbol || null,
    distribution: m.distribution,
    date: m.date || DEFAULT_META.date,
    originalLanguage: m.originalLanguage,
    sessionLines: [m.session, m.agendaItem].filter((l) => l !== ''),
  };
}

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The file is the body, whatever it calls itself: read as bytes, bounded.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );
    // Refused on its declared length before a byte is read.
    scope.addHook('onRequest', async (req: FastifyRequest) => {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > IMPORT_MAX_BYTES)
        throw new ImportError(413, `The file is larger than ${MIB} MiB: nothing was imported.`);
    });

    const schema = { params: ImportParams, querystring: ImportQuery };

    /** Reads the upload into a document and its preview; throws a 400/413 on bad input. */
    async function read(req: FastifyRequest, params: ImportParams, query: ImportQuery) {
      await memberFor(app, req, params.id, 'importDocument');
      return readBody(req, query);
    }

    async function readBody(req: FastifyRequest, query: ImportQuery) {
      const bytes = req.body as unknown;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0)
        throw new ImportError(400, 'The file is empty: nothing to import.');
      const recognised = await readImport(query.format, bytes);
      const built = buildDocument(recognised);
      const metadata = metadataOf(recognised.metadata);
      const preview: ImportPreview = previewOf(
        query.format,
        recognised,
        built,
        metaForOutline(metadata),
      );
      return { built, metadata, preview };
    }

    scope.post(
      '/api/groups/:id/import/preview',
      { schema, bodyLimit: IMPORT_MAX_BYTES },
      async (req) => (await read(req, req.params, req.query)).preview,
    );

    scope.post(
      '/api/groups/:id/import',
      { schema, bodyLimit: IMPORT_MAX_BYTES },
      async (req, reply) => {
        const auth = requireLogin(req);
        const { built, metadata, preview } = await read(req, req.params, req.query);
        const title =
          (req.query.title ?? preview.title)
            .replace(/\s+/g, ' ')
            .trim()
            .slice(0, REPORT_TITLE_MAX) || 'Imported text';
        const now = new Date().toISOString();
        const record: ReportRecord = {
          id: newReportId(),
          groupId: req.params.id,
          title,
          template: preview.type === 'resolution' ? 'ga-resolution' : 'blank',
          createdAt: now,
          updatedAt: now,
        };
        await storage.createReport(record, documentUpdate(built.doc), {
          value: metadata,
          by: auth.user.displayName,
        });
        await storage.appendAudit(
          app.auditEvent(req, {
            action: 'report.import',
            groupId: record.groupId,
            target: record.id,
            detail: {
              title,
              format: req.query.format,
              bytes: (req.body as Buffer).length,
              counts: preview.counts,
            },
          }),
        );
        req.log.info({ report: record.id, format: req.query.format }, 'report imported');
        return reply.code(201).send({ report: record, preview });
      },
    );

    /** The report to replace, its group membership checked (404 for strangers, as elsewhere). */
    async function target(req: FastifyRequest, id: string) {
      requireLogin(req);
      const report = await storage.getReport(id);
      if (!report?.groupId) throw new HttpError(404, 'No such report.');
      await memberFor(app, req, report.groupId, 'importDocument').catch((err: unknown) => {
        if (err instanceof HttpError && err.statusCode === 404)
          throw new HttpError(404, 'No such report.');
        throw err;
      });
      return report;
    }

    const replaceSchema = { params: ReportParams, querystring: ImportQuery };

    scope.post(
      '/api/reports/:id/import/preview',
      { schema: replaceSchema, bodyLimit: IMPORT_MAX_BYTES },
      async (req) => {
        await target(req, req.params.id);
        return (await readBody(req, req.query)).preview;
      },
    );

    // A new draft of an existing report: its whole text replaced by the file's, as one change
    // through the live report (appended, then broadcast to everyone in it). Refused while any
    // paragraph is locked (agreed, under silence, adopted): a new draft must not undo agreement.
    scope.post(
      '/api/reports/:id/import',
      { schema: replaceSchema, bodyLimit: IMPORT_MAX_BYTES },
      async (req) => {
        const report = await target(req, req.params.id);
        const { built, preview } = await readBody(req, req.query);
        await app.registry.withReport(report.id, async (live) => {
          if (live.lockedIds.size > 0)
            throw new HttpError(
              409,
              `${live.lockedIds.size} paragraph(s) of this report are agreed or locked: a new draft would replace them. Import it as a new report instead.`,
            );
          const ydoc = live.ydoc();
          ydoc.transact(() => {
            prosemirrorToYXmlFragment(built.doc, ydoc.getXmlFragment(REPORT_FRAGMENT));
          });
          await live.readDurable(() => null);
        });
        await storage.appendAudit(
          app.auditEvent(req, {
            action: 'report.import',
            groupId: report.groupId,
            target: report.id,
            detail: {
              replace: true,
              format: req.query.format,
              bytes: (req.body as Buffer).length,
              counts: preview.counts,
            },
          }),
        );
        req.log.info({ report: report.id, format: req.query.format }, 'new draft imported');
        return { report, preview };
      },
    );
  });
};
