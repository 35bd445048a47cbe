/**
 * Authentication and request hygiene for every route: resolves the session cookie onto
 * `req.auth`, refuses cross-site state-changing requests, and adds security headers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEvent, UserRecord } from '../storage/types.js';
import type { ResolvedSession } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: ResolvedSession | null;
  }
  interface FastifyInstance {
    /** Exact origins allowed for state-changing requests and the sync socket. */
    allowedOrigins(): ReadonlySet<string>;
    /** An audit event stamped with the request's actor, address and id. */
    auditEvent(
      req: FastifyRequest,
      event: Pick<AuditEvent, 'action' | 'groupId' | 'target' | 'detail'>,
      actor?: UserRecord,
    ): AuditEvent;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    // ProseMirror and y-prosemirror set element styles (cursor colours): styles only, never scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function installAuth(app: FastifyInstance): void {
  const { config, sessions } = app;
  let origins: Set<string> | null = null;
  app.decorate('allowedOrigins', () => {
    if (origins) return origins;
    const list = new Set(config.allowedOrigins);
    if (list.size === 0) {
      if (config.publicUrl) list.add(config.publicUrl);
      const address = app.server.address();
      const port = address && typeof address === 'object' ? address.port : config.port;
      list.add(`http://localhost:${port}`);
      list.add(`http://127.0.0.1:${port}`);
    }
    origins = list;
    return list;
  });

  app.decorate(
    'auditEvent',
    (
      req: FastifyRequest,
      e: Pick<AuditEvent, 'action' | 'groupId' | 'target' | 'detail'>,
      actor?: UserRecord,
    ) => {
      const user = actor ?? req.auth?.user;
      return {
        at: new Date().toISOString(),
        actorId: user?.id ?? null,
        actor: user ? `${user.displayName} <${user.email}>` : 'anonymous',
        ip: req.ip,
        requestId: req.id,
        ...e,
      };
    },
  );

  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (req, reply) => {
    if (STATE_CHANGING.has(req.method)) {
      // Browsers always send Origin on cross-origin requests, and Sec-Fetch-Site everywhere;
      // a request with neither does not come from a browser page and carries no ambient cookie risk.
      const origin = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      const allowed =
        origin === undefined
          ? site === undefined || site === 'same-origin' || site === 'none'
          : app.allowedOrigins().has(origin);
      if (!allowed) {
        req.log.warn({ origin, site }, 'cross-site request refused');
        return reply
          .code(403)
          .send({ statusCode: 403, error: 'Forbidden', message: 'Cross-site request refused.' });
      }
    }
    req.auth = await sessions.resolve(sessions.tokenFrom(req));
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });
}
