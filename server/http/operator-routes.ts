/**
 * What the operator CLI asks of the running server, over loopback: unlock an account locked by
 * failed logins (the limits live in the server's memory, so only it can clear them). Authorized
 * by the per-process token the server writes, owner-only, into <dataDir>/server.json.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { operatorEvent } from '../accounts.js';
import { HttpError } from '../auth/policy.js';

export async function operatorRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { email: string } }>(
    '/api/operator/unlock',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: { email: { type: 'string', minLength: 1, maxLength: 254 } },
        },
      },
    },
    async (req) => {
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
    },
  );
}
