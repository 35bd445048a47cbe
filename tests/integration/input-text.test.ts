/**
 * Text people type: names and titles are one line without control characters, comments and notes
 * have no control characters but tabs and line breaks, and a lone UTF-16 surrogate is refused
 * (400 with a message, nothing stored) rather than stored as U+FFFD. And the operator's terminal:
 * `concord groups` escapes what the database holds, never prints it raw.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { createAccount } from '../../server/accounts.js';
import { printable } from '../../server/cli.js';
import { isLine, isProse } from '../../shared/input.js';
import { key, paragraphIds } from '../helpers/comments.js';
import { databaseForDataDir, TEST_ENGINE } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const ESC = '\u001b[2J\u001b[31mowned\u001b[0m';
const LONE = 'a\ud800b';

async function refused(res: Response, field: string): Promise<void> {
  assert.equal(res.status, 400, await res.clone().text());
  const { message } = (await res.json()) as { message: string };
  assert.ok(message.includes(field), message);
  assert.match(message, /control characters|surrogates/);
}

describe('names and titles', () => {
  test('a display name with escape sequences or a lone surrogate is refused at invitation acceptance', async () => {
    for (const displayName of [`Mallory${ESC}`, 'Two\nlines', `x${LONE}`, 'tab\there']) {
      const res = await server.request('POST', `/api/groups/${server.groupId}/invitations`, {
        body: { role: 'expert', represents: 'Kenya' },
      });
      const { token } = (await res.json()) as { token: string };
      const email = `m${Math.random().toString(36).slice(2)}@evil.example`;
      const accept = await fetch(`${server.baseUrl}/api/invitations/${token}/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, displayName, password: 'mallory-password' }),
      });
      await refused(accept, 'displayName');
      assert.equal(await server.app.storage.getUserByEmail(email), null, 'nothing stored');
    }
  });

  test('report titles and whom a member represents: control characters and lone surrogates are refused', async () => {
    for (const title of [`Report${ESC}`, `Report ${LONE}`, 'Line\u2028separator']) {
      const res = await server.request('POST', '/api/reports', {
        body: { title, template: 'blank', groupId: server.groupId },
      });
      await refused(res, 'title');
    }
    const report = await server.createReport('Fine title');
    const rename = await server.request('PATCH', `/api/reports/${report.id}`, {
      body: { title: `Renamed${LONE}` },
    });
    await refused(rename, 'title');
    assert.equal((await server.app.storage.getReport(report.id))?.title, 'Fine title');
    const invite = await server.request('POST', `/api/groups/${server.groupId}/invitations`, {
      body: { role: 'expert', represents: `Kenya${ESC}` },
    });
    await refused(invite, 'represents');
  });

  test('names in any script, with emoji, joiners and right-to-left marks, are accepted', async () => {
    for (const title of ['Rapport — 2026', 'تقرير\u200f', '報告書 👩🏽‍⚖️', 'Доклад']) {
      const res = await server.request('POST', '/api/reports', {
        body: { title, template: 'blank', groupId: server.groupId },
      });
      assert.equal(res.status, 201, `${title}: ${await res.text()}`);
    }
  });
});

describe('comments', () => {
  test('a lone surrogate in a comment is a 400, never stored as U+FFFD; line breaks are fine', async () => {
    const report = await server.createReport('Comments');
    const paragraphId = 'p-any';
    for (const body of [`Half an emoji ${LONE}`, `Bell\u0007`]) {
      const res = await server.request('POST', `/api/reports/${report.id}/threads`, {
        body: { paragraphId, kind: 'comment', body, idempotencyKey: key() },
      });
      await refused(res, 'body');
    }
    assert.equal((await server.app.storage.listThreads(report.id)).length, 0);
    const [first] = await paragraphIds(server, report.id);
    const ok = await server.request('POST', `/api/reports/${report.id}/threads`, {
      body: {
        paragraphId: first,
        kind: 'comment',
        body: 'Line one,\n\tline two 😀',
        idempotencyKey: key(),
      },
    });
    assert.equal(ok.status, 201, await ok.text());
  });

  test('a JSON body that is not valid UTF-8 is a 400 that says so, never stored as U+FFFD', async () => {
    const report = await server.createReport('Bytes');
    const [first] = await paragraphIds(server, report.id);
    const send = (url: string, json: string, bad: Buffer) => {
      // The JSON with `bad` bytes where it says @@ (inside a string).
      const [head, tail] = json.split('@@') as [string, string];
      return fetch(`${server.baseUrl}${url}`, {
        method: 'POST',
        headers: { cookie: server.chair.cookie, 'content-type': 'application/json; charset=utf-8' },
        body: Buffer.concat([Buffer.from(head), bad, Buffer.from(tail)]),
      });
    };
    const invalid = [
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from([0xf0, 0x9f, 0x98]), // a truncated emoji
      Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate encoded as UTF-8
      Buffer.from([0xc0, 0xaf]), // an overlong '/'
    ];
    for (const bad of invalid) {
      const comment = JSON.stringify({
        paragraphId: first,
        kind: 'comment',
        body: 'caf@@ au lait',
        idempotencyKey: key(),
      });
      const res = await send(`/api/reports/${report.id}/threads`, comment, bad);
      assert.equal(res.status, 400, `${bad.toString('hex')}: ${await res.clone().text()}`);
      assert.match(((await res.json()) as { message: string }).message, /not valid UTF-8/);
      const title = await send('/api/reports', JSON.stringify({ title: 'Caf@@' }), bad);
      assert.equal(title.status, 400, bad.toString('hex'));
    }
    assert.equal((await server.app.storage.listThreads(report.id)).length, 0);
    const titles = (await server.app.storage.listReports()).map((r) => r.title);
    assert.ok(!titles.some((t) => t.includes('\ufffd')), titles.join(', '));
    // The same request in UTF-8 is taken.
    const ok = await send(
      `/api/reports/${report.id}/threads`,
      JSON.stringify({
        paragraphId: first,
        kind: 'comment',
        body: 'caf@@ au lait',
        idempotencyKey: key(),
      }),
      Buffer.from('é'),
    );
    assert.equal(ok.status, 201, await ok.text());
  });

  test('the rules agree with a reference definition on random strings (fixed seed)', () => {
    const bad = (c: number) => c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
    const lone = (s: string) =>
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (s) => {
        const codes = [...s].map((c) => c.codePointAt(0)!);
        const blank = s.trim() === '';
        assert.equal(isLine(s), !blank && !lone(s) && !codes.some(bad), JSON.stringify(s));
        const proseBad = (c: number) =>
          bad(c) && c !== 0x09 && c !== 0x0a && c !== 0x0d && c < 0x2028;
        assert.equal(isProse(s), !blank && !lone(s) && !codes.some(proseBad), JSON.stringify(s));
      }),
      { seed: 1518, numRuns: 2000 },
    );
  });
});

describe('the operator CLI', () => {
  test('printable() leaves no control character, separator, bidi override or lone surrogate (fixed seed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const out = printable(s);
        assert.ok(
          !/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202A-\u202E\u2066-\u2069]/u.test(out),
          JSON.stringify(out),
        );
        if (isLine(s) && !/[\\\u202A-\u202E\u2066-\u2069]/.test(s)) assert.equal(out, s);
      }),
      { seed: 1518, numRuns: 2000 },
    );
  });

  test('`concord groups` prints a stored name with escape sequences escaped, not raw', async () => {
    // As an older server could have stored it (the API refuses it now).
    await createAccount(server.app.storage, {
      email: 'old@evil.example',
      displayName: `Old${ESC}`,
      password: 'old-password-1',
      membership: { groupId: server.groupId, role: 'expert', represents: `Evil\u202eland` },
    });
    const databaseUrl = TEST_ENGINE === 'postgres' ? await databaseForDataDir(server.dataDir) : '';
    const run = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/bin/concord.ts', 'groups'], {
        cwd: root,
        env: {
          ...process.env,
          CONCORD_DATA_DIR: server.dataDir,
          CONCORD_DATABASE_URL: databaseUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      proc.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      proc.on('close', (code) => resolve({ code, out, err }));
    });
    assert.equal(run.code, 0, run.err);
    assert.ok(!run.out.includes('\u001b'), 'no raw escape reaches the terminal');
    assert.ok(!run.out.includes('\u202e'), 'no raw bidi override reaches the terminal');
    assert.match(
      run.out,
      /Old\\u\{1b\}\[2J\\u\{1b\}\[31mowned\\u\{1b\}\[0m <old@evil\.example> \(Evil\\u\{202e\}land\)/,
    );
  });
});
