/**
 * Comparing a revision with another revision of the same report, or with the live text
 * (shared/compare.ts does the alignment and the word diff). Both revisions must belong to the
 * report named in the URL, which the caller must be able to read: otherwise 404.
 */
import type { FastifyInstance } from 'fastify';
import { keepRevisionNumbers } from '../../shared/bis-ter.js';
import {
  type CompareNode,
  type CompareResponse,
  compareNodes,
  summarise,
} from '../../shared/compare.js';
import { documentNodes } from '../../shared/document-nodes.js';
import { numberNodes } from '../../shared/numbering.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import type { RevisionContent } from '../../shared/revisions.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { reportToProseMirror } from '../reports.js';
import type { RevisionRecord } from '../storage/types.js';
import { numberingLayer } from './numbering.js';

const REVISION_ID = '^v_[A-Za-z0-9_-]{1,64}$';

function frozenNodes(record: RevisionRecord): CompareNode[] {
  const content = JSON.parse(record.content) as RevisionContent;
  return content.nodes.map(({ openThreads: _threads, ...n }) => n);
}

export async function compareRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  /** The live text's nodes with their statuses now. */
  async function liveNodes(reportId: string): Promise<CompareNode[]> {
    const consensus = await storage.getConsensus(reportId);
    const statuses = new Map(consensus.statuses.map((s) => [s.paragraphId, s.status]));
    const layer = await numberingLayer(app, reportId);
    const nodes = await app.registry.withReport(reportId, (live) => {
      const doc = reportToProseMirror(live.ydoc());
      return documentNodes(doc, layer ? keepRevisionNumbers(numberNodes(doc), layer) : undefined);
    });
    return nodes.map((n) => ({
      ...n,
      status: statuses.get(n.id) ?? (n.kind === 'paragraph' ? 'draft' : null),
    }));
  }

  app.get<{ Params: { id: string }; Querystring: { from: string; to?: string } }>(
    '/api/reports/:id/compare',
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
          properties: {
            from: { type: 'string', pattern: REVISION_ID },
            to: { type: 'string', pattern: `${REVISION_ID}|^live$` },
          },
        },
      },
    },
    async (req) => {
      const auth = requireLogin(req);
      const report = await storage.getReport(req.params.id);
      if (!report?.groupId) throw new HttpError(404, 'No such report.');
      const member = await storage.getMembership(report.groupId, auth.user.id);
      if (!member || !can(member, 'read')) throw new HttpError(404, 'No such report.');
      const revisionOf = async (rid: string) => {
        const record = await storage.getRevision(rid);
        if (!record || record.reportId !== report.id)
          throw new HttpError(404, `No revision ${rid} in this report.`);
        return record;
      };
      const from = await revisionOf(req.query.from);
      const toId = req.query.to ?? 'live';
      const to = toId === 'live' ? null : await revisionOf(toId);
      const rows = compareNodes(
        frozenNodes(from),
        to ? frozenNodes(to) : await liveNodes(report.id),
      );
      const side = (r: RevisionRecord) => ({ id: r.id, label: r.label, date: r.date });
      const body: CompareResponse = {
        from: side(from),
        to: to ? side(to) : null,
        rows,
        summary: summarise(rows),
      };
      return body;
    },
  );
}
