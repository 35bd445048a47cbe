/**
 * How the server logs: readable lines on a terminal (pino-pretty when stdout is a TTY), one JSON
 * object per line otherwise (a process manager, Docker, a file). Each request is logged once,
 * when answered; routine reads (a browser's inbox poll, static files, any GET answered below
 * 400) at debug, so an operator's terminal shows state changes, refusals and errors.
 */
import { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import pretty from 'pino-pretty';
import type { LogLevel } from './config.js';

export type LogOutput = NodeJS.WritableStream & { isTTY?: boolean };

/** Fastify's `logger` option: the level, and a pretty stream when `out` is a terminal. */
export function loggerOptions(
  level: LogLevel,
  out: LogOutput = process.stdout,
): { level: LogLevel; stream?: NodeJS.WritableStream } {
  if (!out.isTTY) return out === process.stdout ? { level } : { level, stream: out };
  return {
    level,
    stream: pretty({
      destination: out,
      sync: true,
      colorize: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId',
      singleLine: true,
    }),
  };
}

/** Fastify's options: the logger, and its own request lines off (installRequestLog replaces them). */
export function fastifyLogging(level: LogLevel, out: LogOutput = process.stdout) {
  return {
    logger: loggerOptions(level, out),
    logController: new LogController({ disableRequestLogging: true }),
  };
}

/** A request that is part of normal reading (polls, pages, assets): logged at debug. */
export function isRoutine(method: string, statusCode: number): boolean {
  return (method === 'GET' || method === 'HEAD') && statusCode < 400;
}

/** The level of a request's line: routine at debug, server errors at error, the rest at info. */
export function requestLogLevel(method: string, statusCode: number): 'debug' | 'info' | 'error' {
  if (statusCode >= 500) return 'error';
  return isRoutine(method, statusCode) ? 'debug' : 'info';
}

/** One line per answered request (with fastifyLogging's request lines off). */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (req: FastifyRequest, reply) => {
    const level = requestLogLevel(req.method, reply.statusCode);
    if (req.log.level === 'silent') return;
    req.log[level](
      {
        method: req.method,
        url: req.url.split('?')[0],
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      `${req.method} ${req.url.split('?')[0]} ${reply.statusCode}`,
    );
  });
}

/**
 * The one-time setup link, framed so it stands out on a terminal and is found by a search for
 * "setup" in a log. Written directly (not through the logger) so no log level hides it.
 */
export function setupBanner(link: string): string {
  const rule = '='.repeat(Math.min(100, link.length + 4));
  return [
    '',
    rule,
    '  Concord setup: no accounts exist yet. Open this one-time link to create the first',
    '  account (the chair of your first group):',
    '',
    `  ${link}`,
    '',
    '  Lost it? `npm run concord -- setup-link` prints it again while the server runs.',
    rule,
    '',
  ].join('\n');
}
