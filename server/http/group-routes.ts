/** A group: its members, invitations, audit log. Every route asks the policy first. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CloseCode } from '../../shared/protocol.js';
import { type Action, type Role, representsFor } from '../../shared/roles.js';
import {
  AuditQuery,
  GroupParams,
  MemberParams,
  MemberRoleRequest,
} from '../../shared/routes/groups.js';
import { authorize, can, HttpError } from '../auth/policy.js';
import { hashToken, newToken } from '../auth/tokens.js';
import { auditCsv } from '../export/csv.js';
import type { MemberRecord } from '../storage/types.js';
import { conflictToHttp, requireLogin } from './auth-routes.js';

/** The caller's membership in a group, checked for `action`; 404 for non-members (no probing). */
export async function memberFor(
  app: FastifyInstance,
  req: FastifyRequest,
  groupId: string,
  action: Action,
): Promise<MemberRecord> {
  const auth = requireLogin(req);
  const member = await app.storage.getMembership(groupId, auth.user.id);
  if (!member) throw new HttpError(404, 'No such group.');
  authorize(member, action);
  return member;
}

function normaliseRepresents(role: Role, given: string | null | undefined): string | null {
  const { represents, missing } = representsFor(role, given);
  if (missing)
    throw new HttpError(400, 'An expert or observer must represent a State or organisation.');
  return represents;
}

export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage, config } = app;

  app.get('/api/groups/:gid', { schema: { params: GroupParams } }, async (req) => {
    const me = await memberFor(app, req, req.params.gid, 'read');
    const group = await storage.getGroup(req.params.gid);
    const canManage = can(me, 'manageMembers');
    const members = (await storage.listMembers(req.params.gid)).map((m) => ({
      userId: m.userId,
      displayName: m.displayName,
      role: m.role,
      represents: m.represents,
      // Email addresses are for those who manage members.
      ...(canManage ? { email: m.email } : {}),
    }));
    return { group, me: { role: me.role, represents: me.represents }, members };
  });

  app.post(
    '/api/groups/:gid/invitations',
    { schema: { params: GroupParams, body: MemberRoleRequest } },
    async (req, reply) => {
      const me = await memberFor(app, req, req.params.gid, 'manageMembers');
      if (req.body.role === 'chair' && !can(me, 'manageChairs'))
        throw new HttpError(403, 'Only a chair can invite a chair.');
      const represents = normaliseRepresents(req.body.role, req.body.represents);
      const token = newToken();
      const now = Date.now();
      const expiresAt = now + config.invitationHours * 3_600_000;
      await storage.createInvitation(
        {
          tokenHash: hashToken(token),
          groupId: req.params.gid,
          role: req.body.role,
          represents,
          createdBy: me.userId,
          createdAt: now,
          expiresAt,
          acceptedAt: null,
          acceptedBy: null,
        },
        app.auditEvent(req, {
          action: 'invitation.create',
          groupId: req.params.gid,
          target: null,
          detail: { role: req.body.role, represents },
        }),
      );
      return reply.code(201).send({
        url: `${app.publicOrigin()}/#/invite/${token}`,
        token,
        role: req.body.role,
        represents,
        expiresAt: new Date(expiresAt).toISOString(),
      });
    },
  );

  app.patch(
    '/api/groups/:gid/members/:uid',
    { schema: { params: MemberParams, body: MemberRoleRequest } },
    async (req) => {
      const me = await memberFor(app, req, req.params.gid, 'manageMembers');
      const target = await storage.getMembership(req.params.gid, req.params.uid);
      if (!target) throw new HttpError(404, 'No such member.');
      if ((req.body.role === 'chair' || target.role === 'chair') && !can(me, 'manageChairs')) {
        throw new HttpError(403, 'Only a chair can appoint or change a chair.');
      }
      const represents = normaliseRepresents(req.body.role, req.body.represents);
      const before = await storage
        .updateMember(
          req.params.gid,
          req.params.uid,
          { role: req.body.role, represents },
          app.auditEvent(req, {
            action: 'member.update',
            groupId: req.params.gid,
            target: req.params.uid,
            detail: {
              from: { role: target.role, represents: target.represents },
              to: { role: req.body.role, represents },
            },
          }),
        )
        .catch(conflictToHttp);
      if (before.role !== req.body.role || before.represents !== represents) {
        app.peers.closeUserInGroup(
          req.params.uid,
          req.params.gid,
          CloseCode.RoleChanged,
          'role changed',
        );
      }
      return { member: { userId: req.params.uid, role: req.body.role, represents } };
    },
  );

  /**
   * A chair unlocks a member whose failed logins locked their account (the real owner locked
   * out with everyone else). Audited; 204 whether or not it was locked.
   */
  app.post(
    '/api/groups/:gid/members/:uid/unlock',
    { schema: { params: MemberParams } },
    async (req, reply) => {
      await memberFor(app, req, req.params.gid, 'unlockAccount');
      const target = await storage.getMembership(req.params.gid, req.params.uid);
      const user = target ? await storage.getUser(req.params.uid) : null;
      if (!user) throw new HttpError(404, 'No such member.');
      const locked = app.loginFailures.isLocked(user.email);
      app.loginFailures.clear(user.email);
      await storage.appendAudit(
        app.auditEvent(req, {
          action: 'account.unlock',
          groupId: req.params.gid,
          target: user.id,
          detail: { locked },
        }),
      );
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/groups/:gid/members/:uid',
    { schema: { params: MemberParams } },
    async (req, reply) => {
      const me = await memberFor(app, req, req.params.gid, 'manageMembers');
      const target = await storage.getMembership(req.params.gid, req.params.uid);
      if (!target) throw new HttpError(404, 'No such member.');
      if (target.role === 'chair' && !can(me, 'manageChairs'))
        throw new HttpError(403, 'Only a chair can remove a chair.');
      await storage
        .removeMember(
          req.params.gid,
          req.params.uid,
          app.auditEvent(req, {
            action: 'member.remove',
            groupId: req.params.gid,
            target: req.params.uid,
            detail: { role: target.role, represents: target.represents },
          }),
        )
        .catch(conflictToHttp);
      app.peers.closeUserInGroup(
        req.params.uid,
        req.params.gid,
        CloseCode.Removed,
        'removed from the group',
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/groups/:gid/audit',
    { schema: { params: GroupParams, querystring: AuditQuery } },
    async (req, reply) => {
      await memberFor(app, req, req.params.gid, 'viewAudit');
      const rows = await storage.listAudit(req.params.gid, {
        limit: req.query.limit ? Number(req.query.limit) : 1000,
        ...(req.query.before ? { beforeId: Number(req.query.before) } : {}),
      });
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${req.params.gid}.csv"`)
          .send(auditCsv(rows));
      }
      if (req.query.format === 'json')
        reply.header('content-disposition', `attachment; filename="audit-${req.params.gid}.json"`);
      return { events: rows };
    },
  );
};
