/**
 * Revisions over HTTP: list, issue, open (JSON, or the encoded Yjs state), the bis/ter switch.
 * Route → policy (`issueRevision` for issuing and the switch, `read` for the rest) → storage, with
 * the audit row and report event in the same transaction, pushed to everyone in the report once
 * committed. Strangers get 404 for the report and for its revisions alike.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canSeeThread, type PersonView, parseAudienceKey } from '../../shared/comments.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import {
  type IssueRevisionRequest,
  type IssueRevisionResponse,
  isIsoDate,
  labelProblem,
  proposeLabel,
  REVISION_NOTE_MAX,
  type RevisionContent,
  type RevisionListResponse,
  type RevisionResponse,
} from '../../shared/revisions.js';
import type { Action } from '../../shared/roles.js';
import { can, HttpError } from '../auth/policy.js';
import { viewerOf } from '../comments/access.js';
import { requireLogin } from '../http/auth-routes.js';
import { ConflictError, type MemberRecord, type RevisionRecord } from '../storage/types.js';
import { issueRevision } from './commands.js';
import { forgetNumbering } from './numbering.js';

const reportParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: REPORT_ID_PATTERN } },
} as const;
const revisionParams = {
  type: 'object',
  required: ['rid'],
  properties: { rid: { type: 'string', pattern: '^v_[A-Za-z0-9_-]{1,64}$' } },
} as const;

export const person = (req: FastifyRequest, member: MemberRecord): PersonView => ({
  id: member.userId,
  name: req.auth!.user.displayName,
  role: member.role,
  represents: member.represents,
});

/** A revision as one member may see it: open threads counted by the live visibility rules. */
export function presentRevision(record: RevisionRecord, member: MemberRecord): RevisionResponse {
  const { state: _state, content: json, ...revision } = record;
  const content = JSON.parse(json) as RevisionContent;
  const viewer = viewerOf(member);
  return {
    revision,
    doc: content.doc,
    nodes: content.nodes.map(({ openThreads, ...n }) => ({
      ...n,
      openThreads: openThreads.filter((key) => {
        const audience = parseAudienceKey(key);
        return canSeeThread(viewer, audience);
      }).length,
    })),
    positions: content.positions,
    metadata: content.metadata,
  };
}

/** Maps a store refusal to what the caller reads. */
function refusal(err: unknown): never {
  if (err instanceof ConflictError) {
    if (err.code === 'revision-label') throw new HttpError(400, err.message);
    throw new HttpError(409, err.message);
  }
  throw err;
}

export async function revisionRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  /** The report and the caller's membership; 404 for strangers, 403 without `action`. */
  async function reportAccess(req: FastifyRequest, reportId: string, action: Action = 'read') {
    const auth = requireLogin(req);
    const report = await storage.getReport(reportId);
    if (!report?.groupId) throw new HttpError(404, 'No such report.');
    const member = await storage.getMembership(report.groupId, auth.user.id);
    if (!member || !can(member, 'read')) throw new HttpError(404, 'No such report.');
    if (!can(member, action))
      throw new HttpError(403, 'Your role in this group cannot issue revisions.');
    return { report, member };
  }

  /** A revision of a report the caller may read (404 otherwise, whoever's it is). */
  async function revisionAccess(req: FastifyRequest, rid: string) {
    requireLogin(req);
    const record = await storage.getRevision(rid);
    if (!record) throw new HttpError(404, 'No such revision.');
    const access = await reportAccess(req, record.reportId).catch((err: unknown) => {
      if (err instanceof HttpError && err.statusCode === 404)
        throw new HttpError(404, 'No such revision.');
      throw err;
    });
    return { record, ...access };
  }

  app.get<{ Params: { id: string } }>(
    '/api/reports/:id/revisions',
    { schema: { params: reportParams } },
    async (req) => {
      const { report } = await reportAccess(req, req.params.id);
      const [revisions, keepNumbers, adoption] = await Promise.all([
        storage.listRevisions(report.id),
        storage.getKeepNumbers(report.id),
        storage.getAdoption(report.id),
      ]);
      const body: RevisionListResponse = {
        revisions,
        proposedLabel: proposeLabel(revisions.map((r) => r.label)),
        keepNumbers,
        adoption,
      };
      return body;
    },
  );

  app.post<{ Params: { id: string }; Body: IssueRevisionRequest }>(
    '/api/reports/:id/revisions',
    {
      schema: {
        params: reportParams,
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
      const { report, member } = await reportAccess(req, req.params.id, 'issueRevision');
      const b = req.body ?? {};
      const existing = (await storage.listRevisions(report.id)).map((r) => r.label);
      if (await storage.getAdoption(report.id))
        throw new HttpError(409, 'The report is adopted: no revision can follow.');
      const label = (b.label ?? proposeLabel(existing)).trim().replace(/\s+/g, ' ');
      const problem = labelProblem(label, existing);
      if (problem) throw new HttpError(400, problem);
      const date = b.date?.trim() || new Date().toISOString().slice(0, 10);
      if (!isIsoDate(date)) throw new HttpError(400, `Not a date: "${b.date}" (use YYYY-MM-DD).`);
      const coverNote = b.coverNote?.trim() || null;
      if (coverNote && coverNote.length > REVISION_NOTE_MAX)
        throw new HttpError(
          400,
          `A cover note has at most ${REVISION_NOTE_MAX} characters (this one has ${coverNote.length}).`,
        );
      const issued = await issueRevision(
        app,
        report,
        { label, date, coverNote, by: person(req, member), adoption: null },
        (id) =>
          app.auditEvent(req, {
            action: 'revision.issue',
            groupId: report.groupId,
            target: id,
            detail: { report: report.id, label, date },
          }),
      ).catch(refusal);
      forgetNumbering(report.id);
      app.reportEvents.publish(report.id, issued.event);
      const body: IssueRevisionResponse = { revision: issued.revision };
      return reply.code(201).send(body);
    },
  );

  app.get<{ Params: { rid: string } }>(
    '/api/revisions/:rid',
    { schema: { params: revisionParams } },
    async (req) => {
      const { record, member } = await revisionAccess(req, req.params.rid);
      return presentRevision(record, member);
    },
  );

  /** The revision's encoded Yjs state, as frozen (export builds on it). */
  app.get<{ Params: { rid: string } }>(
    '/api/revisions/:rid/state',
    { schema: { params: revisionParams } },
    async (req, reply) => {
      const { record } = await revisionAccess(req, req.params.rid);
      return reply
        .type('application/octet-stream')
        .header('x-content-sha256', record.sha256)
        .send(Buffer.from(record.state));
    },
  );

  app.put<{ Params: { id: string }; Body: { keepNumbers: boolean } }>(
    '/api/reports/:id/numbering',
    {
      schema: {
        params: reportParams,
        body: {
          type: 'object',
          required: ['keepNumbers'],
          additionalProperties: false,
          properties: { keepNumbers: { type: 'boolean' } },
        },
      },
    },
    async (req) => {
      const { report } = await reportAccess(req, req.params.id, 'issueRevision');
      const on = req.body.keepNumbers;
      const event = await storage.setKeepNumbers(
        report.id,
        on,
        app.auditEvent(req, {
          action: 'report.numbering',
          groupId: report.groupId,
          target: report.id,
          detail: { keepNumbers: on },
        }),
      );
      forgetNumbering(report.id);
      if (event) app.reportEvents.publish(report.id, event);
      return { keepNumbers: on };
    },
  );
}
