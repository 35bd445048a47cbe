/** The reports API: list, create (from a template), read, rename. Schema-first: bad input is a 400. */
import type { FastifyInstance } from 'fastify';
import type { ReportSummary } from '../../shared/api.js';
import { REPORT_TITLE_MAX } from '../../shared/api.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import { TEMPLATE_IDS, TEMPLATES, type TemplateId } from '../../shared/templates.js';
import { newReportId, templateUpdate } from '../reports.js';
import type { ReportRecord } from '../storage/types.js';

const title = {
  type: 'string',
  minLength: 1,
  maxLength: REPORT_TITLE_MAX,
  pattern: '\\S',
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: REPORT_ID_PATTERN } },
} as const;

const present = (r: ReportRecord): ReportSummary => ({ ...r });

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  app.get('/api/templates', async () => ({ templates: TEMPLATES }));

  app.get('/api/reports', async () => ({ reports: (await storage.listReports()).map(present) }));

  app.post<{ Body: { title: string; template: TemplateId } }>(
    '/api/reports',
    {
      schema: {
        body: {
          type: 'object',
          required: ['title', 'template'],
          additionalProperties: false,
          properties: { title, template: { type: 'string', enum: [...TEMPLATE_IDS] } },
        },
      },
    },
    async (req, reply) => {
      const now = new Date().toISOString();
      const record: ReportRecord = {
        id: newReportId(),
        title: req.body.title.trim(),
        template: req.body.template,
        createdAt: now,
        updatedAt: now,
      };
      await storage.createReport(record, templateUpdate(record.template, record.title));
      req.log.info({ report: record.id, template: record.template }, 'report created');
      return reply.code(201).send({ report: present(record) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/reports/:id',
    { schema: { params: idParams } },
    async (req, reply) => {
      const record = await storage.getReport(req.params.id);
      if (!record)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', message: 'No such report.' });
      return { report: present(record) };
    },
  );

  app.patch<{ Params: { id: string }; Body: { title: string } }>(
    '/api/reports/:id',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['title'],
          additionalProperties: false,
          properties: { title },
        },
      },
    },
    async (req, reply) => {
      const record = await storage.renameReport(
        req.params.id,
        req.body.title.trim(),
        new Date().toISOString(),
      );
      if (!record)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', message: 'No such report.' });
      return { report: present(record) };
    },
  );
}
