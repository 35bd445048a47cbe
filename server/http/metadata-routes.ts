/**
 * Document metadata (the masthead: symbol, distribution, date, original language, session and
 * agenda item lines, document type) as a read and a command. Route → policy (editMetadata:
 * chair and secretariat, shared/roles.ts) → storage (row, audit line and report event in one
 * transaction) → push of the event to everyone in the report.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { MetadataView } from '../../shared/metadata.js';
import { validateMetadata } from '../../shared/metadata.js';
import { ReportParams } from '../../shared/routes/common.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from './auth-routes.js';

export interface MetadataResponse {
  metadata: MetadataView;
}

export const metadataRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  /** The report and the caller's membership; 404 for strangers and unknown reports. */
  async function access(req: FastifyRequest, reportId: string) {
    const auth = requireLogin(req);
    const report = await storage.getReport(reportId);
    if (!report?.groupId) throw new HttpError(404, 'No such report.');
    const member = await storage.getMembership(report.groupId, auth.user.id);
    if (!member || !can(member, 'read')) throw new HttpError(404, 'No such report.');
    return { report, member, auth };
  }

  app.get(
    '/api/reports/:id/metadata',
    { schema: { params: ReportParams } },
    async (req): Promise<MetadataResponse> => {
      await access(req, req.params.id);
      return { metadata: await storage.getMetadata(req.params.id) };
    },
  );

  // The body is checked field by field by validateMetadata (shared/metadata.ts), not by a schema.
  app.put(
    '/api/reports/:id/metadata',
    { schema: { params: ReportParams } },
    async (req): Promise<MetadataResponse> => {
      const { report, member, auth } = await access(req, req.params.id);
      if (!can(member, 'editMetadata'))
        throw new HttpError(403, 'Your role in this group cannot edit the document metadata.');
      const checked = validateMetadata(req.body);
      if (!checked.ok) throw new HttpError(400, checked.message);
      const change = await storage.setMetadata(
        report.id,
        checked.value,
        auth.user.displayName,
        new Date().toISOString(),
        app.auditEvent(req, {
          action: 'report.metadata',
          groupId: report.groupId,
          target: report.id,
          detail: null,
        }),
      );
      if (change.event) app.reportEvents.publish(report.id, change.event);
      return { metadata: change.metadata };
    },
  );
};
