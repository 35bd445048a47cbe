/** The reports API: list, create (from a template), read, rename. Schema-first: bad input is a 400. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReportSummary } from '../../shared/api.js';
import { ReportParams } from '../../shared/routes/common.js';
import { CreateReportRequest, RenameReportRequest } from '../../shared/routes/reports.js';
import { TEMPLATES } from '../../shared/templates.js';
import { can, HttpError } from '../auth/policy.js';
import { newReportId, templateUpdate } from '../reports.js';
import type { ReportRecord } from '../storage/types.js';
import { requireLogin } from './auth-routes.js';
import { memberFor } from './group-routes.js';

const present = (r: ReportRecord): ReportSummary => ({ ...r });

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  /** The report and the caller's membership in its group, checked for `action`. 404 for strangers. */
  async function reportFor(
    req: Parameters<typeof requireLogin>[0],
    id: string,
    action: 'read' | 'createReport',
  ) {
    requireLogin(req);
    const record = await storage.getReport(id);
    if (!record?.groupId) throw new HttpError(404, 'No such report.');
    const member = await memberFor(app, req, record.groupId, action).catch((err: unknown) => {
      if (err instanceof HttpError && err.statusCode === 404)
        throw new HttpError(404, 'No such report.');
      throw err;
    });
    return { record, member };
  }

  app.get('/api/templates', async () => ({ templates: TEMPLATES }));

  app.get('/api/reports', async (req) => {
    const auth = requireLogin(req);
    // The reports of the groups where the policy lets this user read (membership alone is not
    // the rule: the matrix is).
    const readable = new Set(
      (await storage.listMemberships(auth.user.id))
        .filter(({ member }) => can(member, 'read'))
        .map(({ group }) => group.id),
    );
    const reports = await storage.listReportsForUser(auth.user.id);
    return {
      reports: reports.filter((r) => r.groupId !== null && readable.has(r.groupId)).map(present),
    };
  });

  app.post('/api/reports', { schema: { body: CreateReportRequest } }, async (req, reply) => {
    await memberFor(app, req, req.body.groupId, 'createReport');
    const now = new Date().toISOString();
    const record: ReportRecord = {
      id: newReportId(),
      groupId: req.body.groupId,
      title: req.body.title.trim(),
      template: req.body.template,
      createdAt: now,
      updatedAt: now,
    };
    await storage.createReport(record, templateUpdate(record.template, record.title));
    await storage.appendAudit(
      app.auditEvent(req, {
        action: 'report.create',
        groupId: record.groupId,
        target: record.id,
        detail: { title: record.title, template: record.template },
      }),
    );
    req.log.info({ report: record.id, template: record.template }, 'report created');
    return reply.code(201).send({ report: present(record) });
  });

  app.get('/api/reports/:id', { schema: { params: ReportParams } }, async (req) => {
    const { record, member } = await reportFor(req, req.params.id, 'read');
    return {
      report: present(record),
      role: member.role,
      represents: member.represents,
      wordLimit: app.config.wordLimit,
    };
  });

  app.patch(
    '/api/reports/:id',
    { schema: { params: ReportParams, body: RenameReportRequest } },
    async (req) => {
      const { record: before } = await reportFor(req, req.params.id, 'createReport');
      const record = await storage.renameReport(
        req.params.id,
        req.body.title.trim(),
        new Date().toISOString(),
      );
      if (!record) throw new HttpError(404, 'No such report.');
      await storage.appendAudit(
        app.auditEvent(req, {
          action: 'report.rename',
          groupId: record.groupId,
          target: record.id,
          detail: { from: before.title, to: record.title },
        }),
      );
      return { report: present(record) };
    },
  );
};
