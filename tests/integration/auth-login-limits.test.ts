/**
 * Login limits under attack: parallel attempts cannot pass the per-account limit (the attempt is
 * reserved before the password check), an IPv6 client is limited per /64, and refused logins
 * and client request ids cannot grow the audit log without bound.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { REQUEST_ID_MAX } from '../../server/app.js';
import type { SqlStorage } from '../../server/storage/sql-storage.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(config: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(config);
  servers.push(s);
  return s;
}

function login(
  s: TestServer,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${s.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
}

interface AuditStats {
  rows: number;
  bytes: number;
  longestRequestId: number;
}

async function auditStats(s: TestServer): Promise<AuditStats> {
  const row = await (s.app.storage as SqlStorage).db.one<{
    rows: number | string;
    bytes: number | string | null;
    longest: number | string | null;
  }>(
    `SELECT COUNT(*) AS rows,
       SUM(LENGTH(COALESCE(actor, '')) + LENGTH(COALESCE(target, '')) + LENGTH(COALESCE(detail, ''))
         + LENGTH(COALESCE(ip, '')) + LENGTH(COALESCE(request_id, '')) + LENGTH(COALESCE(bucket, ''))) AS bytes,
       MAX(LENGTH(COALESCE(request_id, ''))) AS longest
     FROM audit_log`,
  );
  return {
    rows: Number(row!.rows),
    bytes: Number(row!.bytes ?? 0),
    longestRequestId: Number(row!.longest ?? 0),
  };
}

describe('login limits', () => {
  test('25 wrong passwords sent at once against one account get at most 5 password checks', async () => {
    const s = await server({ config: { loginFailuresPerAccount: 5 } });
    const user = await s.addUser('expert', 'Norway');
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => login(s, user.email, `wrong-password-${i}`)),
    );
    const statuses = answers.map((r) => r.status);
    // A 401 is an attempt whose password was checked; a 429 was refused before the check.
    assert.equal(statuses.filter((c) => c === 401).length, 5, statuses.join(' '));
    assert.equal(statuses.filter((c) => c === 429).length, 20, statuses.join(' '));
    // And the right password now waits like everyone else.
    assert.equal((await login(s, user.email, user.password)).status, 429);
  });

  test('a success clears the account: failures before it do not count afterwards', async () => {
    const s = await server({ config: { loginFailuresPerAccount: 3 } });
    const user = await s.addUser('expert', 'Norway');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++)
        assert.equal((await login(s, user.email, 'wrong-pw-1')).status, 401);
      assert.equal((await login(s, user.email, user.password)).status, 200, `round ${round}`);
    }
  });

  test('an IPv6 client is limited per /64; another /64 and IPv4 are not affected', async () => {
    const s = await server({ config: { loginAttemptsPerAddress: 3 } });
    const attempt = (remoteAddress: string) =>
      s.app.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress,
        payload: { email: 'nobody@test.example', password: 'not-the-password' },
      });
    // Three addresses of one /64 share its three attempts.
    for (const a of ['2001:db8:1:2::1', '2001:db8:1:2::abcd', '2001:db8:1:2:ffff::9'])
      assert.equal((await attempt(a)).statusCode, 401, a);
    const fourth = await attempt('2001:db8:1:2:1:2:3:4');
    assert.equal(fourth.statusCode, 429);
    assert.ok(Number(fourth.headers['retry-after']) > 0, 'Retry-After');
    assert.equal((await attempt('2001:db8:1:3::1')).statusCode, 401, 'another /64');
    assert.equal((await attempt('192.0.2.7')).statusCode, 401, 'IPv4');
  });
});

describe('what a refused login can make the server store', () => {
  test('200 refused logins with 15,000-character request ids: a bounded number of small rows', async () => {
    const s = await server({
      config: { loginFailuresPerAccount: 5, loginAttemptsPerAddress: 50 },
    });
    const user = await s.addUser('expert', 'Norway');
    const before = await auditStats(s);
    const huge = 'x'.repeat(15_000);
    for (let i = 0; i < 200; i++) {
      const res = await login(s, user.email, `wrong-${i}-password`, { 'x-request-id': huge });
      assert.ok(res.status === 401 || res.status === 429, String(res.status));
    }
    const afterwards = await auditStats(s);
    // One row for the account's failures, one for its throttled attempts, one for the address.
    assert.ok(afterwards.rows - before.rows <= 3, `${afterwards.rows - before.rows} rows`);
    assert.ok(
      afterwards.bytes - before.bytes < 3 * 1024,
      `${afterwards.bytes - before.bytes} bytes`,
    );
    assert.ok(afterwards.longestRequestId <= REQUEST_ID_MAX);

    // The chair still sees what happened, with counts.
    const log = await s.app.storage.listAudit(s.groupId, { limit: 50 });
    const failures = log.find((e) => e.action === 'login.failure' && e.target === user.email);
    const throttled = log.find((e) => e.action === 'login.throttled' && e.target === user.email);
    assert.equal(failures?.detail?.['attempts'], 5);
    // The rest were refused by the account limit, or by the address limit (an address row, which
    // no group sees).
    const byAddress = await (s.app.storage as SqlStorage).db.one<{ count: number | string }>(
      `SELECT count FROM audit_log WHERE action = 'login.throttled' AND target IS NULL`,
    );
    assert.equal(
      Number(throttled?.detail?.['attempts']) + Number(byAddress?.count),
      195,
      'every refused attempt is counted',
    );
  });

  test('a short plain request id is kept; anything else is replaced by the server', async () => {
    const s = await server();
    const user = await s.addUser('expert', 'Norway');
    const ids = ['abc-123.X:y_z', 'a'.repeat(REQUEST_ID_MAX + 1), 'has space', 'ünïcode'];
    for (const id of ids) {
      const res = await fetch(`${s.baseUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': encodeURI(id) },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      assert.equal(res.status, 200);
    }
    const stored = (await s.app.storage.listAudit(s.groupId, { limit: 50 }))
      .filter((e) => e.action === 'login.success' && e.actorId === user.id)
      .map((e) => e.requestId);
    assert.ok(stored.includes('abc-123.X:y_z'), 'the plain id is kept');
    assert.ok(
      stored.every((id) => id !== null && id.length <= REQUEST_ID_MAX),
      JSON.stringify(stored),
    );
    assert.equal(
      stored.filter((id) => id!.startsWith('aaaa')).length,
      0,
      'the long id is not kept',
    );
  });
});
