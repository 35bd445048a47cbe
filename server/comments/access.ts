/**
 * Who may reach a report's threads, a thread or a message: each lookup answers 404 to whoever may
 * not see it (to them it does not exist), and 403 only to members whose role lacks the action.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  canSeeThread,
  type PersonView,
  type ThreadView,
  type Viewer,
} from '../../shared/comments.js';
import type { Action } from '../../shared/roles.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { memberFor } from '../http/group-routes.js';
import type { MemberRecord } from '../storage/types.js';

export function viewerOf(member: MemberRecord): Viewer {
  return { userId: member.userId, role: member.role, represents: member.represents };
}

export const audienceOf = (t: ThreadView) => ({ ...t, authorId: t.author.id });

export function person(req: FastifyRequest, member: MemberRecord): PersonView {
  return {
    id: member.userId,
    name: req.auth!.user.displayName,
    role: member.role,
    represents: member.represents,
  };
}

export function need(member: MemberRecord, action: Action): void {
  if (!can(member, action))
    throw new HttpError(403, 'Your role in this group does not allow this.');
}

/** The report and the caller's membership, checked for `action`; 404 for strangers. */
export async function reportAccess(
  app: FastifyInstance,
  req: FastifyRequest,
  reportId: string,
  action: Action,
) {
  requireLogin(req);
  const report = await app.storage.getReport(reportId);
  if (!report?.groupId) throw new HttpError(404, 'No such report.');
  const member = await memberFor(app, req, report.groupId, action).catch((err: unknown) => {
    if (err instanceof HttpError && err.statusCode === 404)
      throw new HttpError(404, 'No such report.');
    throw err;
  });
  return { report, member };
}

/** A thread the caller may see (404 otherwise, also for threads of other delegations). */
export async function threadAccess(app: FastifyInstance, req: FastifyRequest, threadId: string) {
  requireLogin(req);
  const { storage } = app;
  const thread = await storage.getThread(threadId);
  if (!thread) throw new HttpError(404, 'No such thread.');
  const report = await storage.getReport(thread.reportId);
  const member = report?.groupId
    ? await storage.getMembership(report.groupId, req.auth!.user.id)
    : null;
  if (
    !report ||
    !member ||
    !can(member, 'read') ||
    !canSeeThread(viewerOf(member), audienceOf(thread))
  )
    throw new HttpError(404, 'No such thread.');
  return { thread, report, member };
}

/** A message the caller may see, with its thread; 409 once it is deleted. */
export async function messageAccess(app: FastifyInstance, req: FastifyRequest, messageId: string) {
  requireLogin(req);
  const message = await app.storage.getMessage(messageId);
  if (!message) throw new HttpError(404, 'No such message.');
  const access = await threadAccess(app, req, message.threadId).catch((err: unknown) => {
    if (err instanceof HttpError && err.statusCode === 404)
      throw new HttpError(404, 'No such message.');
    throw err;
  });
  if (message.deleted) throw new HttpError(409, 'This message was deleted.');
  return { message, ...access };
}
