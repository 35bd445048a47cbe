/**
 * The HTTP side of authentication: cross-site requests refused, login rate limits, no account
 * enumeration, argon2id hashes, session cookie attributes, a new session per login, idle and
 * absolute expiry, security headers, the one-time setup link, invitations, and bad input that
 * gets a 400 with a message (never a 500).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createInvitation } from '../../server/accounts.js';
import { outsider, startBareServer, tokenOf } from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

const servers: Array<{ close(): Promise<void> }> = [];
let server: TestServer;

before(async () => {
  server = await startTestServer();
  servers.push(server);
});

after(async () => {
  for (const s of servers) await s.close();
});

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function cookieOf(res: Response): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('cross-site requests', () => {
  test('a state-changing request with a foreign Origin is refused (403) and changes nothing', async () => {
    const evil = { origin: 'https://evil.example' };
    const before = (await server.app.storage.listReports()).length;
    for (const [method, url, body] of [
      ['POST', '/api/reports', { title: 'Evil', template: 'blank', groupId: server.groupId }],
      ['POST', '/api/logout', undefined],
      ['POST', '/api/login', { email: server.chair.email, password: server.chair.password }],
      ['POST', `/api/groups/${server.groupId}/invitations`, { role: 'chair' }],
      ['DELETE', `/api/groups/${server.groupId}/members/${server.chair.id}`, undefined],
    ] as const) {
      const res = await server.request(method, url, { body, headers: evil });
      assert.equal(res.status, 403, `${method} ${url}`);
      assert.equal((await json(res))['message'], 'Cross-site request refused.');
      assert.equal(res.headers.get('set-cookie'), null);
    }
    assert.equal((await server.app.storage.listReports()).length, before);
    assert.equal((await server.request('GET', '/api/me')).status, 200, 'the logout went through');
    for (const origin of [
      'https://concord.example.evil.com',
      `${server.baseUrl}.evil.com`,
      'null',
    ]) {
      const res = await server.request('POST', '/api/logout', { headers: { origin } });
      assert.equal(res.status, 403, origin);
    }
  });

  test('Sec-Fetch-Site cross-site (or same-site) without Origin is refused; same-origin is not', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await server.request('POST', '/api/reports', {
        body: { title: 'Evil', template: 'blank', groupId: server.groupId },
        headers: { 'sec-fetch-site': site },
      });
      assert.equal(res.status, 403, site);
    }
    const ok = await server.request('POST', '/api/reports', {
      body: { title: 'Fine', template: 'blank', groupId: server.groupId },
      headers: { 'sec-fetch-site': 'same-origin', origin: server.baseUrl },
    });
    assert.equal(ok.status, 201);
  });
});

describe('login', () => {
  test('wrong password and unknown email get the same status and message', async () => {
    const wrong = await post(server.baseUrl, '/api/login', {
      email: server.chair.email,
      password: 'not-the-password',
    });
    const unknown = await post(server.baseUrl, '/api/login', {
      email: 'nobody@test.example',
      password: 'not-the-password',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, wrong.status);
    assert.deepEqual(await json(unknown), await json(wrong));
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  test('the per-account limit holds: the 4th failure is 429 with Retry-After, and so is the right password', async () => {
    const limited = await startTestServer({ config: { loginFailuresPerAccount: 3 } });
    servers.push(limited);
    const user = await limited.addUser('expert', 'Norway');
    const attempt = (password: string, email = user.email) =>
      post(limited.baseUrl, '/api/login', { email, password });
    for (let i = 1; i <= 3; i++) assert.equal((await attempt(`wrong-password-${i}`)).status, 401);
    const fourth = await attempt('wrong-password-4');
    assert.equal(fourth.status, 429);
    const retryAfter = Number(fourth.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After: ${retryAfter}`);
    assert.ok(typeof (await json(fourth))['message'] === 'string');
    const right = await attempt(user.password);
    assert.equal(right.status, 429, 'the right password got through while limited');
    assert.equal(right.headers.get('set-cookie'), null);
    // The email is normalised before counting.
    assert.equal((await attempt(user.password, user.email.toUpperCase())).status, 429);
    // Someone else is not affected.
    const other = await post(limited.baseUrl, '/api/login', {
      email: limited.chair.email,
      password: limited.chair.password,
    });
    assert.equal(other.status, 200);
  });

  test('passwords are stored as argon2id with m ≥ 19456 KiB, t ≥ 2', async () => {
    const stored = await server.app.storage.getUserByEmail(server.chair.email);
    const hash = stored!.passwordHash;
    assert.ok(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), hash.slice(0, 40));
    const [, m, t] = /\$m=(\d+),t=(\d+),p=\d+\$/.exec(hash)!;
    assert.ok(Number(m) >= 19456 && Number(t) >= 2);
    assert.ok(!hash.includes(server.chair.password));
  });

  test('the session cookie is HttpOnly and SameSite=Strict, and each login makes a new session', async () => {
    const first = await post(server.baseUrl, '/api/login', {
      email: server.chair.email,
      password: server.chair.password,
    });
    const attrs = (first.headers.get('set-cookie') ?? '').split(';').map((a) => a.trim());
    assert.match(attrs[0]!, /^concord_session=[A-Za-z0-9_-]{40,}$/);
    assert.ok(attrs.includes('HttpOnly'));
    assert.ok(attrs.includes('SameSite=Strict'));
    assert.ok(attrs.includes('Path=/'));
    // Logging in while holding a session (fixation) still gives a new one.
    const second = await post(
      server.baseUrl,
      '/api/login',
      { email: server.chair.email, password: server.chair.password },
      { cookie: cookieOf(first) },
    );
    assert.notEqual(cookieOf(second), cookieOf(first));
    assert.notEqual(cookieOf(second), server.chair.cookie);
    for (const cookie of [cookieOf(first), cookieOf(second)]) {
      const me = await fetch(`${server.baseUrl}/api/me`, { headers: { cookie } });
      assert.equal(me.status, 200);
    }
  });

  test('behind https (CONCORD_PUBLIC_URL) the cookie is __Host- prefixed and Secure', async () => {
    const https = await startTestServer({ config: { publicUrl: 'https://concord.example' } });
    servers.push(https);
    const res = await post(https.baseUrl, '/api/login', {
      email: https.chair.email,
      password: https.chair.password,
    });
    assert.equal(res.status, 200);
    const attrs = (res.headers.get('set-cookie') ?? '').split(';').map((a) => a.trim());
    assert.match(attrs[0]!, /^__Host-concord_session=/);
    assert.ok(attrs.includes('Secure'));
    assert.ok(attrs.includes('HttpOnly'));
    assert.ok(attrs.includes('SameSite=Strict'));
    assert.ok(attrs.includes('Path=/'), '__Host- needs Path=/');
    assert.ok(!attrs.some((a) => /^domain=/i.test(a)), '__Host- forbids Domain');
    // The unprefixed name is not accepted there.
    const token = attrs[0]!.split('=')[1]!;
    const plain = await fetch(`${https.baseUrl}/api/me`, {
      headers: { cookie: `concord_session=${token}` },
    });
    assert.equal(plain.status, 401);
  });
});

describe('session expiry', () => {
  test('a session idle longer than CONCORD_SESSION_IDLE_MINUTES resolves to nothing and is deleted', async () => {
    const user = await server.addUser('expert', 'Chile');
    const idleMs = server.app.config.sessionIdleMinutes * 60_000;
    const now = Date.now();
    assert.ok(await server.app.sessions.resolve(tokenOf(user), now + 1000));
    assert.equal(await server.app.sessions.resolve(tokenOf(user), now + idleMs + 60_000), null);
    assert.equal(await server.app.sessions.resolve(tokenOf(user)), null, 'not deleted');
    assert.equal((await server.request('GET', '/api/me', { as: user })).status, 401);
  });

  test('a session used within the idle window lives on, but not past CONCORD_SESSION_MAX_HOURS', async () => {
    const user = await server.addUser('expert', 'Peru');
    const idleMs = server.app.config.sessionIdleMinutes * 60_000;
    const maxMs = server.app.config.sessionMaxHours * 3_600_000;
    const start = Date.now();
    let t = start;
    // Used every (idle − 1 min): alive until the absolute limit.
    while (t + idleMs - 60_000 < start + maxMs - 60_000) {
      t += idleMs - 60_000;
      assert.ok(await server.app.sessions.resolve(tokenOf(user), t), `expired at +${t - start} ms`);
    }
    assert.equal(await server.app.sessions.resolve(tokenOf(user), start + maxMs + 1000), null);
  });
});

describe('security headers', () => {
  test('on /, /api/* and errors: a CSP without inline scripts, frame-ancestors none, nosniff', async () => {
    for (const path of ['/', '/api/templates', '/api/me', '/api/nothing-here', '/healthz']) {
      const res = await server.request('GET', path, { as: null });
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name!, values] as const;
        }),
      );
      const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
      assert.ok(scriptSrc, `${path}: no script-src in "${csp}"`);
      assert.ok(!scriptSrc.includes("'unsafe-inline'"), `${path}: ${csp}`);
      assert.ok(!scriptSrc.includes("'unsafe-eval'"), `${path}: ${csp}`);
      assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    }
  });
});

describe('first start: the one-time setup link', () => {
  test('creates the first chair and group once; a second setup is refused', async () => {
    const bare = await startBareServer();
    servers.push(bare);
    const needed = await fetch(`${bare.baseUrl}/api/setup`);
    assert.deepEqual(await needed.json(), { needed: true });
    const body = (token: string) => ({
      token,
      email: 'First.Chair@Example.org',
      displayName: 'First Chair',
      password: 'first-chair-password',
      groupName: 'GGE 2026',
    });
    // No link issued yet, or the wrong one: refused.
    assert.equal((await post(bare.baseUrl, '/api/setup', body('x'.repeat(43)))).status, 403);
    const token = bare.app.setup.issue();
    assert.equal((await post(bare.baseUrl, '/api/setup', body(`${token.slice(1)}A`))).status, 403);

    const res = await post(bare.baseUrl, '/api/setup', body(token));
    assert.equal(res.status, 201, await res.clone().text());
    const me = await fetch(`${bare.baseUrl}/api/me`, { headers: { cookie: cookieOf(res) } });
    const who = (await me.json()) as {
      user: { email: string };
      groups: Array<{ id: string; name: string; role: string }>;
    };
    assert.equal(who.user.email, 'first.chair@example.org');
    assert.equal(who.groups.length, 1);
    assert.equal(who.groups[0]!.name, 'GGE 2026');
    assert.equal(who.groups[0]!.role, 'chair');
    assert.deepEqual(await (await fetch(`${bare.baseUrl}/api/setup`)).json(), { needed: false });

    // The same link again: used up.
    const again = await post(bare.baseUrl, '/api/setup', { ...body(token), email: 'x@y.org' });
    assert.equal(again.status, 403);
    // Even a freshly issued link cannot set up a second time.
    const fresh = bare.app.setup.issue();
    const second = await post(bare.baseUrl, '/api/setup', { ...body(fresh), email: 'x@y.org' });
    assert.equal(second.status, 409);
    assert.equal(await bare.app.storage.countUsers(), 1);
    assert.equal((await bare.app.storage.listGroups()).length, 1);
  });
});

describe('invitations', () => {
  let secretariat: TestUser;
  before(async () => {
    secretariat = await server.addUser('secretariat');
  });

  const accept = (token: string, email: string) =>
    post(server.baseUrl, `/api/invitations/${token}/accept`, {
      email,
      displayName: 'Invited Person',
      password: 'invited-password',
    });

  test('a secretariat invitation makes a member with that role and State; it works once', async () => {
    const res = await server.request('POST', `/api/groups/${server.groupId}/invitations`, {
      as: secretariat,
      body: { role: 'expert', represents: 'Kenya' },
    });
    assert.equal(res.status, 201);
    const inv = (await res.json()) as { url: string; token: string; role: string };
    assert.ok(inv.url.endsWith(`/#/invite/${inv.token}`));
    const info = await fetch(`${server.baseUrl}/api/invitations/${inv.token}`);
    assert.equal(((await info.json()) as { state: string }).state, 'open');

    const accepted = await accept(inv.token, 'invited@kenya.example');
    assert.equal(accepted.status, 201);
    const cookie = cookieOf(accepted);
    const group = await fetch(`${server.baseUrl}/api/groups/${server.groupId}`, {
      headers: { cookie },
    });
    assert.equal(group.status, 200);
    assert.deepEqual(((await group.json()) as { me: unknown }).me, {
      role: 'expert',
      represents: 'Kenya',
    });

    const twice = await accept(inv.token, 'someone-else@kenya.example');
    assert.equal(twice.status, 409);
    assert.equal(await server.app.storage.getUserByEmail('someone-else@kenya.example'), null);
    const used = await fetch(`${server.baseUrl}/api/invitations/${inv.token}`);
    assert.equal(((await used.json()) as { state: string }).state, 'used');
  });

  test('an expired invitation is refused with 410; an unknown one with 404', async () => {
    const { token } = await createInvitation(
      server.app.storage,
      server.groupId,
      'observer',
      'European Union',
      -1,
    );
    const info = await fetch(`${server.baseUrl}/api/invitations/${token}`);
    assert.equal(((await info.json()) as { state: string }).state, 'expired');
    const res = await accept(token, 'late@eu.example');
    assert.equal(res.status, 410);
    assert.equal(await server.app.storage.getUserByEmail('late@eu.example'), null);
    assert.equal((await accept('x'.repeat(43), 'nobody@eu.example')).status, 404);
  });

  test('a secretariat cannot invite a chair; a non-member cannot invite at all', async () => {
    const res = await server.request('POST', `/api/groups/${server.groupId}/invitations`, {
      as: secretariat,
      body: { role: 'chair' },
    });
    assert.equal(res.status, 403);
    const stranger = await outsider(server, 'chair');
    const res2 = await server.request('POST', `/api/groups/${server.groupId}/invitations`, {
      as: stranger,
      body: { role: 'expert', represents: 'Mars' },
    });
    assert.equal(res2.status, 404);
  });
});

describe('bad input', () => {
  test('bad bodies, parameters and queries get a 400 with a message, never a 500', async () => {
    const g = server.groupId;
    const report = await server.createReport('Bad input');
    const expert = await server.addUser('expert', 'Togo');
    const cases: Array<[string, string, string | object | undefined]> = [
      ['POST', '/api/login', '{not json'],
      ['POST', '/api/login', ''],
      ['POST', '/api/login', 'null'],
      ['POST', '/api/login', '[]'],
      ['POST', '/api/login', '"a string"'],
      ['POST', '/api/login', { email: 'a@b.c' }],
      ['POST', '/api/login', { email: {}, password: 'x' }],
      ['POST', '/api/login', { email: 'a@b.c', password: 'x'.repeat(300) }],
      ['POST', '/api/reports', { title: '', template: 'blank', groupId: g }],
      ['POST', '/api/reports', { title: '   ', template: 'blank', groupId: g }],
      ['POST', '/api/reports', { title: 'x', template: 'no-such-template', groupId: g }],
      ['POST', '/api/reports', { title: 'x', template: 'blank', groupId: 'g_short' }],
      ['POST', '/api/reports', { title: 'x'.repeat(10_000), template: 'blank', groupId: g }],
      ['PATCH', `/api/reports/${report.id}`, {}],
      ['PATCH', `/api/reports/${report.id}`, { title: { toString: 'x' } }],
      ['PATCH', '/api/reports/NOT_AN_ID', { title: 'x' }],
      ['GET', '/api/reports/NOT_AN_ID', undefined],
      ['GET', '/api/groups/not-a-group', undefined],
      ['POST', `/api/groups/${g}/invitations`, {}],
      ['POST', `/api/groups/${g}/invitations`, { role: 'president' }],
      ['POST', `/api/groups/${g}/invitations`, { role: 'expert' }],
      ['POST', `/api/groups/${g}/invitations`, { role: 'observer', represents: '   ' }],
      ['POST', `/api/groups/${g}/invitations`, { role: 'expert', represents: 'x'.repeat(500) }],
      ['PATCH', `/api/groups/${g}/members/${expert.id}`, { role: 'expert', represents: null }],
      ['PATCH', `/api/groups/${g}/members/${expert.id}`, { role: 'boss' }],
      ['PATCH', `/api/groups/${g}/members/${'u'.repeat(100)}`, { role: 'expert' }],
      ['GET', `/api/groups/${g}/audit?format=xml`, undefined],
      ['GET', `/api/groups/${g}/audit?limit=0`, undefined],
      ['GET', `/api/groups/${g}/audit?limit=many`, undefined],
      ['POST', '/api/password', { current: 'x' }],
      ['POST', '/api/password', { current: server.chair.password, next: 'short' }],
      ['POST', '/api/setup', { token: 'x' }],
      [
        'POST',
        '/api/setup',
        {
          token: 'x',
          email: 'no-at-sign',
          displayName: 'x',
          password: 'long-enough-1',
          groupName: 'g',
        },
      ],
      ['POST', '/api/invitations/abc/accept', {}],
      [
        'POST',
        '/api/invitations/abc/accept',
        { email: 'a@b.c', displayName: '   ', password: 'long-enough-1' },
      ],
    ];
    for (const [method, url, body] of cases) {
      const res = await server.request(method, url, {
        ...(body !== undefined ? { body } : {}),
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' } } : {}),
      });
      const text = await res.text();
      const what = `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)} → ${res.status} ${text}`;
      assert.equal(res.status, 400, what);
      const parsed = JSON.parse(text) as { statusCode: number; message: unknown };
      assert.equal(parsed.statusCode, 400, what);
      assert.ok(typeof parsed.message === 'string' && parsed.message.length > 0, what);
    }
    // A body in a type the server does not read: a 4xx with a message, not a 500.
    const form = await server.request('POST', '/api/login', {
      body: 'email=a%40b.c&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    assert.ok(((await json(form))['message'] as string).length > 0);
  });
});
