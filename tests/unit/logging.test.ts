/**
 * Logging (server/logging.ts): on a terminal the lines are readable (pino-pretty, no JSON); off a
 * terminal they are JSON, one object a line; answered requests are logged once, routine reads
 * (a GET answered below 400, e.g. the inbox poll) at debug, state changes and refusals at info,
 * server errors at error. The setup banner carries the link and says how to find it again.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import {
  fastifyLogging,
  installRequestLog,
  isRoutine,
  requestLogLevel,
  setupBanner,
} from '../../server/logging.js';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return Object.assign(out, { isTTY, lines });
}

async function appLogging(isTTY: boolean, level: 'info' | 'debug') {
  const out = sink(isTTY);
  const app = Fastify(fastifyLogging(level, out));
  installRequestLog(app);
  app.get('/api/inbox', async () => ({ items: [] }));
  app.post('/api/reports', async (_req, reply) => reply.code(201).send({ ok: true }));
  app.get('/api/me', async (_req, reply) => reply.code(401).send({ message: 'Log in.' }));
  app.get('/boom', async () => {
    throw new Error('broken');
  });
  await app.ready();
  for (const [method, url] of [
    ['GET', '/api/inbox'],
    ['POST', '/api/reports'],
    ['GET', '/api/me'],
    ['GET', '/boom'],
  ] as const)
    await app.inject({ method, url });
  await app.close();
  return out.lines;
}

test('off a terminal: JSON lines; the inbox poll is not logged at info', async () => {
  const lines = await appLogging(false, 'info');
  const parsed = lines.map((l) => JSON.parse(l) as { msg: string; level: number; url?: string });
  const requests = parsed.filter((p) => p.url !== undefined).map((p) => p.msg);
  assert.ok(!requests.includes('GET /api/inbox 200'), requests.join('; '));
  assert.ok(requests.includes('POST /api/reports 201'), requests.join('; '));
  assert.ok(requests.includes('GET /api/me 401'), requests.join('; '));
  const boom = parsed.find((p) => p.msg === 'GET /boom 500');
  assert.equal(boom?.level, 50, 'a server error is logged at error');
});

test('at debug the routine reads appear too', async () => {
  const lines = await appLogging(false, 'debug');
  const poll = lines
    .map((l) => JSON.parse(l) as { msg: string; level: number })
    .find((p) => p.msg === 'GET /api/inbox 200');
  assert.equal(poll?.level, 20);
});

test('on a terminal: readable lines, not JSON', async () => {
  const lines = await appLogging(true, 'info');
  const request = lines.find((l) => l.includes('POST /api/reports 201'));
  assert.ok(request, lines.join('\n'));
  assert.throws(() => JSON.parse(request));
  assert.match(request, /INFO/);
  assert.ok(!lines.some((l) => l.includes('/api/inbox')), 'the poll stays at debug');
});

test('the level rule: routine reads at debug, changes and refusals at info, 5xx at error', () => {
  assert.equal(isRoutine('GET', 200), true);
  assert.equal(isRoutine('HEAD', 304), true);
  assert.equal(isRoutine('GET', 404), false);
  assert.equal(isRoutine('POST', 200), false);
  assert.equal(requestLogLevel('GET', 200), 'debug');
  assert.equal(requestLogLevel('PATCH', 200), 'info');
  assert.equal(requestLogLevel('GET', 403), 'info');
  assert.equal(requestLogLevel('GET', 503), 'error');
});

test('the setup banner holds the link and says how to print it again', () => {
  const link = 'http://localhost:8123/#/setup/abcdefghijklmnopqrstuvwxyz';
  const banner = setupBanner(link);
  assert.ok(
    banner.split('\n').some((l) => l.trim() === link),
    'the link alone on its line',
  );
  assert.match(banner, /npm run concord -- setup-link/);
});
