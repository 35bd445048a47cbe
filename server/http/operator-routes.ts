/**
 * What the operator CLI asks of the running server, over loopback: unlock an account locked by
 * failed logins (the limits live in the server's memory, so only it can clear them). Authorized
 * by the per-process token the server writes, owner-only, into <dataDir>/server.json.
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OperatorUnlockRequest } from '../../shared/routes/auth.js';
import { operatorEvent } from '../accounts.js';
import { HttpError } from '../auth/policy.js';

export const operatorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/api/operator/unlock', { schema: { body: OperatorUnlockRequest } }, async (req) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const token = Buffer.from(app.operatorToken);
    if (given.length !== token.length || !crypto.timingSafeEqual(given, token))
      throw new HttpError(403, 'Operator token required.');
    const email = req.body.email.trim().toLowerCase();
    const user = await app.storage.getUserByEmail(email);
    if (!user) throw new HttpError(404, 'No user with that email.');
    const locked = app.loginFailures.isLocked(email);
    app.loginFailures.clear(email);
    await app.storage.appendAudit(operatorEvent('account.unlock', null, user.id, { locked }));
    return { email, wasLocked: locked };
  });
};
