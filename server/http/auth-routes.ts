/** Login, logout, who am I, password change, first-start setup, invitation acceptance. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Me } from '../../shared/api.js';
import { presenceColor } from '../../shared/presence.js';
import { CloseCode } from '../../shared/protocol.js';
import {
  AcceptInvitationRequest,
  InvitationParams,
  LoginRequest,
  PasswordChangeRequest,
  SetupRequest,
} from '../../shared/routes/auth.js';
import {
  ARGON2_PARAMS,
  hashPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
  verifyPassword,
} from '../auth/passwords.js';
import { HttpError } from '../auth/policy.js';
import { addressKey, LOGIN_WINDOW_MS, retryText } from '../auth/rate-limit.js';
import { hashToken, newId } from '../auth/tokens.js';
import { ConflictError, type UserRecord } from '../storage/types.js';

const WINDOW_MS = LOGIN_WINDOW_MS;

export function requireLogin(req: FastifyRequest): NonNullable<FastifyRequest['auth']> {
  if (!req.auth) throw new HttpError(401, 'Log in to continue.');
  return req.auth;
}

export async function newUser(
  email: string,
  displayName: string,
  password: string,
): Promise<UserRecord> {
  return {
    id: newId('u'),
    email: email.trim().toLowerCase(),
    displayName: displayName.trim(),
    passwordHash: await hashPassword(password),
    createdAt: new Date().toISOString(),
  };
}

export function conflictToHttp(err: unknown): never {
  if (err instanceof ConflictError) {
    const status =
      err.code === 'not-found' || err.code === 'invitation-unknown'
        ? 404
        : err.code === 'invitation-expired'
          ? 410
          : 409;
    throw new HttpError(status, err.message);
  }
  throw err;
}

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage, sessions, config } = app;
  const perAccount = app.loginFailures;
  const perAddress = app.createRateLimit({
    max: config.loginAttemptsPerAddress,
    timeWindow: WINDOW_MS,
    keyGenerator: (req) => addressKey(req.ip),
  });

  /**
   * A refused login is counted in one audit row per account (or address), action and window:
   * an unauthenticated client cannot grow the log by repeating itself.
   */
  async function auditRefused(
    req: FastifyRequest,
    action: 'login.failure' | 'login.throttled',
    by: { account: string } | { address: string },
  ): Promise<void> {
    const window = Math.floor(Date.now() / WINDOW_MS);
    const [scope, subject] = 'account' in by ? ['account', by.account] : ['address', by.address];
    await storage.countAudit(
      `${action}:${scope}:${window}:${subject}`,
      app.auditEvent(req, {
        action,
        groupId: null,
        target: 'account' in by ? by.account : null,
        detail: { by: scope },
      }),
    );
  }

  async function startSession(reply: FastifyReply, userId: string) {
    const { token } = await sessions.create(userId);
    sessions.setCookie(reply, token);
  }

  async function me(userId: string): Promise<Me> {
    const user = await storage.getUser(userId);
    if (!user) throw new HttpError(401, 'Log in to continue.');
    const memberships = await storage.listMemberships(userId);
    return {
      user: {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        color: presenceColor(user.id),
      },
      groups: memberships.map(({ group, member }) => ({
        id: group.id,
        name: group.name,
        role: member.role,
        represents: member.represents,
      })),
    };
  }

  app.post('/api/login', { schema: { body: LoginRequest } }, async (req, reply) => {
    const email = req.body.email.trim().toLowerCase();
    // Both limits are taken before the password check: parallel attempts are counted first.
    const address = await perAddress(req);
    if (!address.isAllowed && address.isExceeded) {
      reply.header('retry-after', String(Math.max(1, address.ttlInSeconds)));
      await auditRefused(req, 'login.throttled', { address: address.key });
      throw new HttpError(
        429,
        `Too many login attempts from this address. ${retryText(Math.max(1, address.ttlInSeconds) * 1000)}.`,
      );
    }
    const wait = perAccount.reserve(email);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      await auditRefused(req, 'login.throttled', { account: email });
      throw new HttpError(
        429,
        `Too many failed logins for this account. ${retryText(wait)}, or ask a chair of your group to unlock it.`,
      );
    }
    const user = await storage.getUserByEmail(email);
    const ok = await verifyPassword(user?.passwordHash ?? null, req.body.password);
    if (!user || !ok) {
      await auditRefused(req, 'login.failure', { account: email });
      throw new HttpError(401, 'Email or password is incorrect.');
    }
    perAccount.clear(email);
    await startSession(reply, user.id);
    await storage.appendAudit(
      app.auditEvent(
        req,
        { action: 'login.success', groupId: null, target: user.id, detail: null },
        user,
      ),
    );
    return me(user.id);
  });

  app.post('/api/logout', async (req, reply) => {
    const auth = req.auth;
    if (auth) {
      await storage.deleteSession(auth.session.tokenHash);
      app.peers.closeSession(auth.session.tokenHash, CloseCode.SessionEnded, 'logged out');
      await storage.appendAudit(
        app.auditEvent(req, {
          action: 'logout',
          groupId: null,
          target: auth.user.id,
          detail: null,
        }),
      );
    }
    sessions.clearCookie(reply);
    return reply.code(204).send();
  });

  app.get('/api/me', async (req) => me(requireLogin(req).user.id));

  /**
   * Who is signed in, or `{ me: null }`: always 200, so a page opened logged out does not log an
   * error in the browser's console (as /api/me's 401 does).
   */
  app.get('/api/session', async (req) => {
    if (!req.auth) return { me: null };
    try {
      return { me: await me(req.auth.user.id) };
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 401) return { me: null };
      throw error;
    }
  });

  app.post('/api/password', { schema: { body: PasswordChangeRequest } }, async (req, reply) => {
    const auth = requireLogin(req);
    if (!(await verifyPassword(auth.user.passwordHash, req.body.current))) {
      throw new HttpError(403, 'The current password is incorrect.');
    }
    await storage.setPassword(
      auth.user.id,
      await hashPassword(req.body.next),
      auth.session.tokenHash,
      app.auditEvent(req, {
        action: 'password.change',
        groupId: null,
        target: auth.user.id,
        detail: null,
      }),
    );
    app.peers.closeUserExceptSession(
      auth.user.id,
      auth.session.tokenHash,
      CloseCode.SessionEnded,
      'password changed',
    );
    return reply.code(204).send();
  });

  app.get('/api/setup', async () => ({ needed: (await storage.countUsers()) === 0 }));

  app.post('/api/setup', { schema: { body: SetupRequest } }, async (req, reply) => {
    if (!app.setup.check(req.body.token))
      throw new HttpError(
        403,
        'This setup link is not valid (it is printed once, at the first start).',
      );
    const user = await newUser(req.body.email, req.body.displayName, req.body.password);
    const group = { id: newId('g'), name: req.body.groupName.trim(), createdAt: user.createdAt };
    await storage
      .setupFirstChair(
        user,
        group,
        app.auditEvent(
          req,
          { action: 'setup', groupId: group.id, target: user.id, detail: { group: group.name } },
          user,
        ),
      )
      .catch(conflictToHttp);
    app.setup.consume();
    await startSession(reply, user.id);
    return reply.code(201).send(await me(user.id));
  });

  app.get('/api/invitations/:token', { schema: { params: InvitationParams } }, async (req) => {
    const inv = await storage.getInvitation(hashToken(req.params.token));
    if (!inv) throw new HttpError(404, 'This invitation link is not valid.');
    const group = await storage.getGroup(inv.groupId);
    const state =
      inv.acceptedAt !== null ? 'used' : inv.expiresAt <= Date.now() ? 'expired' : 'open';
    return {
      group: { id: inv.groupId, name: group?.name ?? '' },
      role: inv.role,
      represents: inv.represents,
      state,
      expiresAt: new Date(inv.expiresAt).toISOString(),
    };
  });

  app.post(
    '/api/invitations/:token/accept',
    { schema: { params: InvitationParams, body: AcceptInvitationRequest } },
    async (req, reply) => {
      const tokenHash = hashToken(req.params.token);
      const inv = await storage.getInvitation(tokenHash);
      // Refuse a dead link before the (deliberately expensive) password hash: an unauthenticated
      // caller must not be able to make the server hash at will.
      if (!inv) throw new HttpError(404, 'This invitation link is not valid.');
      if (inv.acceptedAt !== null)
        throw new HttpError(409, 'This invitation has already been used.');
      if (inv.expiresAt <= Date.now()) throw new HttpError(410, 'This invitation has expired.');
      const user = await newUser(req.body.email, req.body.displayName, req.body.password);
      await storage
        .acceptInvitation(
          tokenHash,
          user,
          Date.now(),
          app.auditEvent(
            req,
            {
              action: 'invitation.accept',
              groupId: inv.groupId,
              target: user.id,
              detail: { role: inv.role, represents: inv.represents },
            },
            user,
          ),
        )
        .catch(conflictToHttp);
      await startSession(reply, user.id);
      return reply.code(201).send(await me(user.id));
    },
  );

  app.get('/api/password-policy', async () => ({
    min: PASSWORD_MIN,
    max: PASSWORD_MAX,
    kdf: `argon2id m=${ARGON2_PARAMS.memoryCost} KiB t=${ARGON2_PARAMS.timeCost} p=${ARGON2_PARAMS.parallelism}`,
  }));
};
