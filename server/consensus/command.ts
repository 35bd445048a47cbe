/**
 * What every consensus route does around its command: find the report (or silence) the caller may
 * read, refuse a role without the action, then store the command with its audit event in one
 * transaction and, once committed, push its events and refresh the text locks.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import {
  type AuditEvent,
  ConflictError,
  type ConsensusCommand,
  type ConsensusCommandResult,
  type MemberRecord,
  type ReportRecord,
} from '../storage/types.js';
import { afterConsensusCommit } from './publish.js';

export const newId = (prefix: string) =>
  `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;

/** The report and the caller's membership; 404 for strangers and unknown reports. */
export async function reportAccess(app: FastifyInstance, req: FastifyRequest, reportId: string) {
  const auth = requireLogin(req);
  const report = await app.storage.getReport(reportId);
  if (!report?.groupId) throw new HttpError(404, 'No such report.');
  const member = await app.storage.getMembership(report.groupId, auth.user.id);
  if (!member || !can(member, 'read')) throw new HttpError(404, 'No such report.');
  return { report, member };
}

/** A silence procedure of a report the caller belongs to (404 otherwise). */
export async function silenceAccess(app: FastifyInstance, req: FastifyRequest, silenceId: string) {
  requireLogin(req);
  const silence = await app.storage.getSilence(silenceId);
  if (!silence) throw new HttpError(404, 'No such silence procedure.');
  const access = await reportAccess(app, req, silence.reportId).catch((err: unknown) => {
    if (err instanceof HttpError && err.statusCode === 404)
      throw new HttpError(404, 'No such silence procedure.');
    throw err;
  });
  return { silence, ...access };
}

export function need(member: MemberRecord, action: Parameters<typeof can>[1], what: string): void {
  if (!can(member, action)) throw new HttpError(403, `Your role in this group cannot ${what}.`);
}

/** Stores the command (one transaction), then pushes its events and refreshes the locks. */
export async function runConsensusCommand(
  app: FastifyInstance,
  req: FastifyRequest,
  report: ReportRecord,
  command: ConsensusCommand,
  audit: Pick<AuditEvent, 'action' | 'target' | 'detail'>,
): Promise<ConsensusCommandResult> {
  const result = await app.storage
    .applyConsensusCommand(
      report.id,
      command,
      app.auditEvent(req, { ...audit, groupId: report.groupId }),
    )
    .catch((err: unknown) => {
      if (err instanceof ConflictError)
        throw new HttpError(err.code === 'not-found' ? 404 : 409, err.message);
      throw err;
    });
  if (result.changed)
    await afterConsensusCommit(app, report.id, result.events, command.type !== 'position');
  if (command.type.endsWith('-silence')) void app.silences.poke();
  return result;
}
