/**
 * buildServer(config): the whole Concord server as a Fastify instance, not yet listening.
 * Tests call it in-process and listen on port 0; server/main.ts runs it for `npm start`.
 */
import fs from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { CloseCode, REPORT_ID_RE, SYNC_PATH, SyncParam } from '../shared/protocol.js';
import { SCHEMA_VERSION } from '../shared/schema.js';
import type { Config } from './config.js';
import { reportRoutes } from './http/routes.js';
import { SqliteStorage } from './storage/sqlite.js';
import { type Storage, StorageError } from './storage/types.js';
import { SyncConnection } from './sync/connection.js';
import { ReportRegistry, UnknownReportError } from './sync/registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    storage: Storage;
    registry: ReportRegistry;
  }
}

export interface ServerDeps {
  /** Storage to use instead of the SQLite file in config.dataDir (tests wrap it to inject faults). */
  storage?: Storage;
}

export async function buildServer(config: Config, deps: ServerDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    requestIdHeader: 'x-request-id',
  });
  const storage =
    deps.storage ??
    new SqliteStorage({ dataDir: config.dataDir, synchronous: config.sqliteSynchronous });
  const registry = new ReportRegistry({
    storage,
    log: app.log,
    unloadGraceMs: config.unloadGraceMs,
    compactEvery: config.compactEvery,
  });
  app.decorate('config', config);
  app.decorate('storage', storage);
  app.decorate('registry', registry);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
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
      return reply.code(status).send({ statusCode: status, error: err.name, message: err.message });
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
      return { status: 'ready', storage: storage.kind, openReports: registry.openCount };
    } catch (err) {
      return reply
        .code(503)
        .send({ status: 'unavailable', storage: storage.kind, message: (err as Error).message });
    }
  });

  await app.register(reportRoutes);

  await app.register(fastifyWebsocket, { options: { maxPayload: config.maxMessageBytes } });
  app.get<{ Params: { reportId: string }; Querystring: Record<string, string | undefined> }>(
    `${SYNC_PATH}/:reportId`,
    { websocket: true },
    (socket, req) => {
      const { reportId } = req.params;
      const savedRaw = req.query[SyncParam.saved];
      const saved = savedRaw !== undefined && /^\d{1,10}$/.test(savedRaw) ? Number(savedRaw) : null;
      // Listeners first, before anything is awaited: frames that arrive early are queued.
      const conn = new SyncConnection(socket, reportId, saved, req.log);
      if (!REPORT_ID_RE.test(reportId)) {
        conn.close(CloseCode.InvalidReportId, 'invalid report id');
        return;
      }
      const schemaRaw = req.query[SyncParam.schema];
      if (schemaRaw !== undefined && !(Number(schemaRaw) >= SCHEMA_VERSION)) {
        conn.close(
          CloseCode.SchemaTooOld,
          `client schema version ${schemaRaw} is older than the server's ${SCHEMA_VERSION}; reload`,
        );
        return;
      }
      registry.acquire(reportId).then(
        (report) => conn.attach(report),
        (err: unknown) => {
          if (err instanceof UnknownReportError)
            conn.close(CloseCode.UnknownReport, 'unknown report');
          else {
            req.log.error({ err, report: reportId }, 'could not load report');
            conn.close(CloseCode.StorageUnavailable, 'storage unavailable, retrying');
          }
        },
      );
    },
  );

  if (fs.existsSync(config.clientDir)) {
    await app.register(fastifyStatic, { root: config.clientDir, prefix: '/', wildcard: false });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('The browser client is not built. Run `npm run build`.'),
    );
  }

  app.addHook('preClose', async () => {
    await registry.close();
  });
  app.addHook('onClose', async () => {
    await storage.close();
  });
  return app;
}
