/**
 * buildServer(config): the whole Concord server as a Fastify instance, not yet listening.
 * Tests call it in-process and listen on port 0; server/main.ts runs it for `npm start`.
 */
import fs from 'node:fs';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { WebSocket } from 'ws';
import { PATTERN_MESSAGES } from '../shared/input.js';
import { presenceColor } from '../shared/presence.js';
import { CloseCode, REPORT_ID_RE, SYNC_PATH, SyncParam } from '../shared/protocol.js';
import { SCHEMA_VERSION } from '../shared/schema.js';
import { installAuth } from './auth/plugin.js';
import { can, HttpError } from './auth/policy.js';
import { FailureLimit, LOGIN_WINDOW_MS } from './auth/rate-limit.js';
import { Sessions } from './auth/sessions.js';
import { SetupLink } from './auth/setup.js';
import { newToken } from './auth/tokens.js';
import { viewerOf } from './comments/access.js';
import { ReportEvents } from './comments/events.js';
import { inboxRoutes } from './comments/inbox-routes.js';
import { threadRoutes } from './comments/routes.js';
import type { Config } from './config.js';
import { consensusRoutes } from './consensus/routes.js';
import { SilenceScheduler } from './consensus/silence.js';
import { silenceRoutes } from './consensus/silence-routes.js';
import { exportRoutes } from './export/routes.js';
import { authRoutes } from './http/auth-routes.js';
import { groupRoutes } from './http/group-routes.js';
import { installJsonBody } from './http/json-body.js';
import { metadataRoutes } from './http/metadata-routes.js';
import { operatorRoutes } from './http/operator-routes.js';
import { reportRoutes } from './http/routes.js';
import { importRoutes } from './import/routes.js';
import { fastifyLogging, installRequestLog } from './logging.js';
import { adoptionRoutes } from './revisions/adoption.js';
import { compareRoutes } from './revisions/compare-routes.js';
import { revisionExportRoutes } from './revisions/export.js';
import { revisionRoutes } from './revisions/routes.js';
import { openStorage } from './storage/open.js';
import {
  type AuditEvent,
  type MemberRecord,
  type ReportRecord,
  type Storage,
  StorageError,
} from './storage/types.js';
import { type ConnectionIdentity, SyncConnection } from './sync/connection.js';
import { PeerDirectory } from './sync/directory.js';
import { ReportRegistry, UnknownReportError } from './sync/registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    storage: Storage;
    registry: ReportRegistry;
    sessions: Sessions;
    peers: PeerDirectory;
    /** Comment-thread events pushed over the sync socket (SyncParam.events). */
    reportEvents: ReportEvents;
    setup: SetupLink;
    /** Failed logins per account (server/auth/rate-limit.ts); a chair's unlock clears one. */
    loginFailures: FailureLimit;
    /** Authorizes the operator CLI's requests (server/http/operator-routes.ts); per process. */
    operatorToken: string;
    /** Where users reach this server (for links): CONCORD_PUBLIC_URL or http://localhost:<port>. */
    publicOrigin(): string;
  }
  interface FastifyRequest {
    /** Set by the sync route's preValidation: the report and the caller's membership. */
    syncTarget?: { report: ReportRecord; member: MemberRecord };
  }
}

/** On shutdown, how long to wait for clients to answer the close frame. */
const CLOSE_HANDSHAKE_WAIT_MS = 2000;

/** At most this many characters of a client-supplied request id are kept. */
export const REQUEST_ID_MAX = 64;
const REQUEST_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${REQUEST_ID_MAX}}$`);
let requestCounter = 0;

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given;
  return `req-${(++requestCounter).toString(36)}`;
}

/** A schema failure in words: a text pattern says what it allows; the rest as Ajv says it. */
function validationMessage(err: FastifyError): string {
  for (const v of err.validation ?? []) {
    const rule =
      v.keyword === 'pattern' ? PATTERN_MESSAGES[String(v.params['pattern'])] : undefined;
    if (rule) return `${err.validationContext ?? 'body'}${v.instancePath} ${rule}.`;
  }
  return err.message;
}

export interface ServerDeps {
  /** Storage to use instead of the configured one (tests wrap it to inject faults). */
  storage?: Storage;
  /** Bytes queued to one sync socket before it is closed as too far behind (tests lower it). */
  maxQueuedBytes?: number;
}

export async function buildServer(config: Config, deps: ServerDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Readable on a terminal, JSON otherwise; one line per request, routine reads at debug.
    ...fastifyLogging(config.logLevel),
    // A client's X-Request-Id is kept only when short and plain (it goes into logs and the
    // audit log); anything else is replaced by the server's own id.
    requestIdHeader: false,
    genReqId: requestId,

    // Fastify's defaults strip properties that `additionalProperties: false` forbids and coerce
    // types (['a'] becomes 'a', 5 becomes '5'): refuse both with a 400 instead.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const storage =
    deps.storage ??
    (await openStorage(config, (err) =>
      app.log.warn({ err }, 'a pooled database connection failed; the next query reconnects'),
    ));
  const registry = new ReportRegistry({
    storage,
    log: app.log,
    unloadGraceMs: config.unloadGraceMs,
    compactEvery: config.compactEvery,
    presenceBatchMs: config.presenceBatchMs,
    scratchRoots: config.scratchRoots,
    // Agreed paragraphs and those under silence are locked on the sync channel.
    locks: (id) => storage.lockedParagraphIds(id),
  });
  app.decorate('config', config);
  app.decorate('storage', storage);
  app.decorate('registry', registry);
  app.decorate('sessions', new Sessions(storage, config));
  app.decorate('peers', new PeerDirectory());
  app.decorate('reportEvents', new ReportEvents(storage, app.log));
  app.decorate('setup', new SetupLink());
  app.decorate('operatorToken', newToken());
  app.decorate('loginFailures', new FailureLimit(config.loginFailuresPerAccount, LOGIN_WINDOW_MS));
  app.decorate('publicOrigin', () => {
    if (config.publicUrl) return config.publicUrl;
    const address = app.server.address();
    return `http://localhost:${address && typeof address === 'object' ? address.port : config.port}`;
  });
  installRequestLog(app);
  installJsonBody(app);
  // Parses cookies before installAuth's hook reads the session from them.
  await app.register(fastifyCookie);
  installAuth(app);
  // Answers of 1 KB or more go compressed to a browser that accepts it (the threads JSON of a
  // large report shrinks about 5×); brotli at a quality cheap enough for every request. The
  // client's files are compressed once at build time (server/scripts/precompress.mjs).
  await app.register(fastifyCompress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      return reply
        .code(400)
        .send({ statusCode: 400, error: 'Bad Request', message: validationMessage(err) });
    }
    if (err instanceof HttpError) {
      return reply
        .code(err.statusCode)
        .send({ statusCode: err.statusCode, error: err.name, message: err.message });
    }
    if (err instanceof StorageError) {
      req.log.error({ err }, 'storage fault');
      return reply.code(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Storage is unavailable; nothing was changed. Try again.',
      });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const error = STATUS_CODES[status] ?? 'Bad Request';
      return reply.code(status).send({ statusCode: status, error, message: err.message });
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send({ statusCode: 500, error: 'Internal Server Error', message: 'Internal error.' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `No route ${req.method} ${req.url.split('?')[0]}`,
    }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await storage.ping();
      return {
        status: 'ready',
        storage: storage.kind,
        openReports: registry.openCount,
      };
    } catch (err) {
      return reply
        .code(503)
        .send({ status: 'unavailable', storage: storage.kind, message: (err as Error).message });
    }
  });

  // Limits are taken where a route asks (the login), not on every route.
  await app.register(fastifyRateLimit, { global: false });
  await app.register(authRoutes);
  await app.register(groupRoutes);
  await app.register(reportRoutes);
  await app.register(metadataRoutes);
  await app.register(threadRoutes);
  await app.register(inboxRoutes);
  await app.register(consensusRoutes);
  await app.register(silenceRoutes);
  await app.register(operatorRoutes);
  await app.register(exportRoutes);
  await app.register(importRoutes);
  await app.register(revisionRoutes);
  await app.register(compareRoutes);
  await app.register(revisionExportRoutes);
  await app.register(adoptionRoutes);

  // Silence deadlines: overdue ones are settled before the server listens, then kept by a timer.
  const silences = new SilenceScheduler(app);
  app.decorate('silences', silences);
  app.addHook('onReady', () => silences.start());
  app.addHook('onClose', () => silences.stop());

  // Shutdown: every client gets 1001 and its report is flushed before the listener goes away.
  // (Replaces the plugin's default, which closes sockets without a code.)
  async function closeSockets(): Promise<void> {
    await registry.close();
    const open = [...app.websocketServer.clients].filter((ws) => ws.readyState !== ws.CLOSED);
    for (const ws of open)
      if (ws.readyState === ws.OPEN) ws.close(CloseCode.GoingAway, 'server shutting down');
    await Promise.race([
      Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
      new Promise((resolve) => setTimeout(resolve, CLOSE_HANDSHAKE_WAIT_MS).unref()),
    ]);
    for (const ws of open) if (ws.readyState !== ws.CLOSED) ws.terminate();
    await new Promise((resolve) => app.websocketServer.close(resolve));
  }
  await app.register(fastifyWebsocket, {
    options: { maxPayload: config.maxMessageBytes },
    preClose: (done) => {
      closeSockets().then(() => done(), done);
    },
  });
  const refuse = (reply: FastifyReply, status: number, message: string) =>
    reply.code(status).send({
      statusCode: status,
      error: status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found',
      message,
    });
  app.get<{ Params: { reportId: string }; Querystring: Record<string, string | undefined> }>(
    `${SYNC_PATH}/:reportId`,
    {
      websocket: true,
      // Everything is decided before the upgrade; a refused request loads and creates nothing.
      preValidation: async (req, reply) => {
        const origin = req.headers.origin;
        if (origin !== undefined && !app.allowedOrigins().has(origin)) {
          req.log.warn({ origin }, 'sync socket from a foreign origin refused');
          return refuse(reply, 403, 'Origin not allowed.');
        }
        if (!req.auth) return refuse(reply, 401, 'Log in to continue.');
        if (!REPORT_ID_RE.test(req.params.reportId)) return refuse(reply, 404, 'No such report.');
        const report = await storage.getReport(req.params.reportId);
        if (!report?.groupId) return refuse(reply, 404, 'No such report.');
        const member = await storage.getMembership(report.groupId, req.auth.user.id);
        if (!member || !can(member, 'read'))
          return refuse(reply, 403, 'You are not a member of this group.');
        req.syncTarget = { report, member };
      },
    },
    (socket, req) => {
      // Nothing below may close over `req`: a closure that did would keep the whole request
      // (headers, raw message) alive as long as the socket. Take what is needed now.
      releaseUpgradeRequest(socket, req.raw);
      const { report, member } = req.syncTarget!;
      const auth = req.auth!;
      const log = req.log;
      const query = req.query;
      const reportId = report.id;
      const savedRaw = query[SyncParam.saved];
      const saved = savedRaw !== undefined && /^\d{1,10}$/.test(savedRaw) ? Number(savedRaw) : null;
      const identity: ConnectionIdentity = {
        userId: auth.user.id,
        sessionHash: auth.session.tokenHash,
        sessionExpiresAt: auth.expiresAt,
        groupId: report.groupId!,
        canEdit: can(member, 'editText'),
        schemaCurrent: Number(query[SyncParam.schema]) >= SCHEMA_VERSION,
        presence: {
          name: auth.user.displayName,
          color: presenceColor(auth.user.id),
          role: member.role,
          represents: member.represents,
        },
        audit: auditFor(
          storage,
          app.auditEvent(req, {
            action: '',
            groupId: report.groupId,
            target: reportId,
            detail: null,
          }),
          log,
        ),
      };
      // Listeners first, before anything is awaited: frames that arrive early are queued.
      const conn = new SyncConnection(
        socket,
        reportId,
        saved,
        identity,
        log,
        deps.maxQueuedBytes ?? config.maxQueuedBytes,
      );
      app.peers.add(conn);
      const eventsRaw = query[SyncParam.events];
      const eventsAfter =
        eventsRaw !== undefined && /^\d{1,15}$/.test(eventsRaw) ? Number(eventsRaw) : null;
      socket.on('close', forgetOnClose(app, conn));
      const schemaRaw = query[SyncParam.schema];
      if (schemaRaw !== undefined && !(Number(schemaRaw) >= SCHEMA_VERSION)) {
        conn.close(
          CloseCode.SchemaTooOld,
          `client schema version ${schemaRaw} is older than the server's ${SCHEMA_VERSION}; reload`,
        );
        return;
      }
      // Only clients that asked (events=<lastSeq>) get Event messages; stock clients never do.
      const events = eventsAfter === null ? null : { after: eventsAfter, viewer: viewerOf(member) };
      attachWhenLive(app, registry, conn, events, log);
    },
  );

  if (fs.existsSync(config.clientDir)) {
    await app.register(fastifyStatic, {
      root: config.clientDir,
      prefix: '/',
      wildcard: false,
      // Source maps (about 2 MB) only when the configuration asks for them.
      allowedPath: (pathName) => config.sourceMaps || !pathName.endsWith('.map'),
      // The .br and .gz files the build wrote next to each script and style sheet.
      preCompressed: true,
      // Files under assets/ have their content's hash in their name: kept for a year. The page
      // itself is asked for again each time (it names the current assets).
      setHeaders: (reply, filePath) => {
        reply.header(
          'cache-control',
          filePath.includes(`${path.sep}assets${path.sep}`)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('The browser client is not built. Run `npm run build`.'),
    );
  }

  // Keepalive: a peer that vanished without closing (a dropped network) would otherwise hold its
  // report open for ever. Ping every socket; terminate one that missed the previous ping.
  const alive = new WeakSet<object>();
  // One listener function for every socket (ws calls it with the socket as `this`).
  function onPong(this: WebSocket): void {
    alive.add(this);
  }
  app.websocketServer.on('connection', (ws) => {
    alive.add(ws);
    ws.on('pong', onPong);
  });
  const keepalive = setInterval(() => {
    for (const ws of app.websocketServer.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, config.keepaliveMs);
  keepalive.unref();
  app.addHook('onClose', async () => {
    clearInterval(keepalive);
  });

  app.addHook('onClose', async () => {
    await storage.close();
  });
  return app;
}

/**
 * After the upgrade, lets the HTTP request and its stand-in response be collected: about 4 KB
 * per open socket. @fastify/websocket routes the upgrade through Fastify with a ServerResponse
 * assigned to the raw socket (socket → response → request) and adds an 'error' listener closing
 * over the request and reply; neither is needed once the websocket exists. SyncConnection
 * attaches its own 'error' listener at once (synchronously, before any event can fire).
 */
/*
 * What a sync socket keeps for its lifetime is only what these small functions close over. Had the
 * closures been written inline in the route handler, V8 would keep the handler's whole scope for
 * each socket (the report and membership rows, the session, the query) as long as it stays open.
 */

/** The audit writer of one connection. */
function auditFor(
  storage: Storage,
  base: AuditEvent,
  log: FastifyBaseLogger,
): ConnectionIdentity['audit'] {
  return (action, detail) =>
    storage
      .appendAudit({ ...base, at: new Date().toISOString(), action, detail })
      .catch((err: unknown) => log.error({ err }, 'audit append failed'));
}

function forgetOnClose(app: FastifyInstance, conn: SyncConnection): () => void {
  return () => {
    app.peers.remove(conn);
    app.reportEvents.unsubscribe(conn.reportId, conn);
  };
}

/** Loads the report (or finds it live) and hands it to the connection. */
function attachWhenLive(
  app: FastifyInstance,
  registry: ReportRegistry,
  conn: SyncConnection,
  events: { after: number; viewer: ReturnType<typeof viewerOf> } | null,
  log: FastifyBaseLogger,
): void {
  registry.acquire(conn.reportId).then(
    (live) => {
      conn.attach(live);
      if (events) app.reportEvents.subscribe(conn.reportId, conn, events.viewer, events.after);
    },
    (err: unknown) => {
      if (err instanceof UnknownReportError) conn.close(CloseCode.UnknownReport, 'unknown report');
      else {
        log.error({ err, report: conn.reportId }, 'could not load report');
        conn.close(CloseCode.StorageUnavailable, 'storage unavailable, retrying');
      }
    },
  );
}

function releaseUpgradeRequest(socket: WebSocket, raw: IncomingMessage): void {
  socket.removeAllListeners('error');
  const net = raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  const response = net._httpMessage;
  if (response) response.detachSocket(net);
}
