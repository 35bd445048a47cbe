/**
 * The operator CLI (`node --import tsx server/bin/concord.ts …`, CONCORD_DATA_DIR=<dir>): group
 * create, user create, member add, invite (prints a single-use link), groups; bad input exits 2
 * with a message and changes nothing. And the demo seed: the six demo accounts with their
 * documented roles (a chair, a secretariat member, three experts, an observer), idempotent, each
 * password logging in.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { hashToken } from '../../server/auth/tokens.js';
import { DEMO_ACCOUNTS, seedDemo } from '../../server/demo.js';
import { reportToProseMirror } from '../../server/reports.js';
import type { Storage } from '../../server/storage/types.js';
import { startBareServer } from '../helpers/auth.js';
import { databaseForDataDir, openEngine, TEST_ENGINE } from '../helpers/engines.js';
import { login, tempDir } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function cli(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  // On the PostgreSQL pass the CLI works on the database standing for the data directory.
  const databaseUrl = TEST_ENGINE === 'postgres' ? await databaseForDataDir(dataDir) : '';
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/bin/concord.ts', ...args], {
      cwd: root,
      env: {
        ...process.env,
        CONCORD_DATA_DIR: dataDir,
        CONCORD_DATABASE_URL: databaseUrl,
        CONCORD_PUBLIC_URL: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const run = await cli(dataDir, args, env);
  assert.equal(run.code, 0, `concord ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** Opens the data directory's storage for a moment. */
async function withStorage<T>(dataDir: string, fn: (s: Storage) => Promise<T>): Promise<T> {
  const { storage } = await openEngine(TEST_ENGINE, dataDir);
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

describe('operator CLI', () => {
  const dataDir = tempDir('concord-cli-');
  let groupId: string;
  let inviteToken: string;

  test('group create, user create, member add, invite, groups', async () => {
    const created = await ok(dataDir, ['group', 'create', '--name', 'GGE 2026–2027']);
    const match = /^group (g_[A-Za-z0-9_-]{16}) "GGE 2026–2027"$/m.exec(created);
    assert.ok(match, created);
    groupId = match[1]!;

    const ana = await ok(dataDir, [
      'user',
      'create',
      '--email',
      'Ana@Brazil.example',
      '--name',
      'Ana Souza',
      '--password',
      'ana-password-1',
      '--group',
      groupId,
      '--role',
      'expert',
      '--represents',
      'Brazil',
    ]);
    assert.match(ana, /^user u_\S+ <ana@brazil\.example>$/m);
    await ok(dataDir, [
      'user',
      'create',
      '--email',
      'eu@eu.example',
      '--name',
      'EU Delegate',
      '--password',
      'eu-password-12',
    ]);
    const added = await ok(dataDir, [
      'member',
      'add',
      '--group',
      groupId,
      '--email',
      'eu@eu.example',
      '--role',
      'observer',
      '--represents',
      'European Union',
    ]);
    assert.match(added, new RegExp(`eu@eu\\.example is observer of ${groupId}`));

    const invited = await ok(dataDir, [
      'invite',
      '--group',
      groupId,
      '--role',
      'expert',
      '--represents',
      'Kenya',
      '--hours',
      '24',
    ]);
    const link = /^(\S+)\/#\/invite\/([A-Za-z0-9_-]{43})\s+\(single use, expires (\S+)\)$/m.exec(
      invited,
    );
    assert.ok(link, invited);
    assert.equal(link[1], 'http://localhost:8080');
    inviteToken = link[2]!;
    const expires = Date.parse(link[3]!);
    assert.ok(Math.abs(expires - (Date.now() + 24 * 3_600_000)) < 10 * 60_000, link[3]);

    const listing = await ok(dataDir, ['groups']);
    assert.match(listing, new RegExp(`^group ${groupId} "GGE 2026–2027"$`, 'm'));
    assert.match(listing, /^ {2}expert +Ana Souza <ana@brazil\.example> \(Brazil\)$/m);
    assert.match(listing, /^ {2}observer +EU Delegate <eu@eu\.example> \(European Union\)$/m);

    await withStorage(dataDir, async (storage) => {
      const inv = await storage.getInvitation(hashToken(inviteToken));
      assert.equal(inv?.groupId, groupId);
      assert.equal(inv?.role, 'expert');
      assert.equal(inv?.represents, 'Kenya');
      assert.equal(inv?.acceptedAt, null);
      const actions = (await storage.listAudit(groupId, { limit: 100 })).map((e) => e.action);
      for (const a of ['group.create', 'user.create', 'member.add', 'invitation.create']) {
        assert.ok(actions.includes(a), `audit lacks ${a}: ${actions}`);
      }
    });
  });

  test('the link uses CONCORD_PUBLIC_URL when set', async () => {
    const out = await ok(dataDir, ['invite', '--group', groupId, '--role', 'secretariat'], {
      CONCORD_PUBLIC_URL: 'https://concord.example.org',
    });
    assert.match(out, /^https:\/\/concord\.example\.org\/#\/invite\/[A-Za-z0-9_-]{43} /m);
  });

  test('what the CLI made works on the server: logins, roles, the invitation', async () => {
    const server = await startBareServer({ dataDir });
    cleanups.push(() => server.close());
    const login = async (email: string, password: string) => {
      const res = await fetch(`${server.baseUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      assert.equal(res.status, 200, `${email}: ${await res.clone().text()}`);
      return (await res.json()) as {
        groups: Array<{ id: string; role: string; represents: string }>;
      };
    };
    assert.deepEqual((await login('ana@brazil.example', 'ana-password-1')).groups[0], {
      id: groupId,
      name: 'GGE 2026–2027',
      role: 'expert',
      represents: 'Brazil',
    });
    assert.equal((await login('eu@eu.example', 'eu-password-12')).groups[0]?.role, 'observer');
    const accepted = await fetch(`${server.baseUrl}/api/invitations/${inviteToken}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'john@kenya.example',
        displayName: 'John Mwangi',
        password: 'john-password-1',
      }),
    });
    assert.equal(accepted.status, 201);
    const me = (await accepted.json()) as { groups: Array<{ role: string; represents: string }> };
    assert.deepEqual([me.groups[0]?.role, me.groups[0]?.represents], ['expert', 'Kenya']);
  });

  test('member add cannot demote the last chair of a group', async () => {
    const dir = tempDir('concord-cli-chair-');
    const gid = /group (g_\S+)/.exec(await ok(dir, ['group', 'create', '--name', 'G']))![1]!;
    await ok(dir, [
      'user',
      'create',
      '--email',
      'chair@x.example',
      '--name',
      'Chair',
      '--password',
      'long-enough-pw',
      '--group',
      gid,
      '--role',
      'chair',
    ]);
    const run = await cli(dir, [
      'member',
      'add',
      '--group',
      gid,
      '--email',
      'chair@x.example',
      '--role',
      'expert',
      '--represents',
      'Chad',
    ]);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, /at least one chair/);
    await withStorage(dir, async (storage) => {
      const [member] = await storage.listMembers(gid);
      assert.equal(member!.role, 'chair');
    });
  });

  test('bad input exits 2 with a message and changes nothing', async () => {
    const dir = tempDir('concord-cli-bad-');
    const gid = /group (g_\S+)/.exec(await ok(dir, ['group', 'create', '--name', 'G']))![1]!;
    await ok(dir, [
      'user',
      'create',
      '--email',
      'taken@x.example',
      '--name',
      'Taken',
      '--password',
      'long-enough-pw',
    ]);
    const user = (email: string, ...rest: string[]) => [
      'user',
      'create',
      '--email',
      email,
      '--name',
      'Someone',
      '--password',
      'long-enough-pw',
      ...rest,
    ];
    const bad: string[][] = [
      [],
      ['frobnicate'],
      ['group', 'create'],
      ['group', 'create', '--name'],
      ['group', 'create', '--name', '   '],
      ['group', 'create', '--name', 'X', 'stray'],
      ['user', 'create', '--email', 'a@x.example', '--name', 'A', '--password', 'short'],
      user('b@x.example', '--group', gid, '--role', 'emperor'),
      user('c@x.example', '--group', 'g_AAAAAAAAAAAAAAAA', '--role', 'chair'),
      user('d@x.example', '--group', gid, '--role', 'expert'),
      user('not-an-email'),
      user('taken@x.example'),
      ['member', 'add', '--group', gid, '--email', 'nobody@x.example', '--role', 'expert'],
      ['member', 'add', '--group', gid, '--email', 'taken@x.example', '--role', 'observer'],
      ['invite', '--group', 'g_AAAAAAAAAAAAAAAA', '--role', 'expert', '--represents', 'Chad'],
      ['invite', '--group', gid, '--role', 'expert', '--represents', 'Chad', '--hours', '0'],
      ['invite', '--group', gid, '--role', 'expert', '--represents', 'Chad', '--hours', 'soon'],
      ['invite', '--group', gid, '--role', 'observer'],
    ];
    for (const args of bad) {
      const run = await cli(dir, args);
      assert.equal(run.code, 2, `concord ${args.join(' ')} → ${run.code}: ${run.stdout}`);
      assert.match(run.stderr, /^concord: \S.+/m, `concord ${args.join(' ')}: no message`);
    }
    const run = await cli(dir, ['groups'], { CONCORD_PORT: 'eighty' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /CONCORD_PORT/);

    await withStorage(dir, async (storage) => {
      assert.equal(await storage.countUsers(), 1, 'a refused command created a user');
      assert.equal((await storage.listGroups()).length, 1, 'a refused command created a group');
      assert.deepEqual(await storage.listMembers(gid), []);
      const invitations = (await storage.listAudit(gid, { limit: 100 })).filter(
        (e) => e.action === 'invitation.create',
      );
      assert.deepEqual(invitations, []);
    });
  });
});

/** The text of every paragraph of a stored report that has some. */
async function paragraphTexts(storage: Storage, reportId: string): Promise<string[]> {
  const stored = await storage.loadDocument(reportId);
  assert.ok(stored);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const update of stored.updates) Y.applyUpdate(doc, update);
  const out: string[] = [];
  reportToProseMirror(doc).descendants((node) => {
    if (node.type.name === 'paragraph' && node.textContent) out.push(node.textContent);
    return node.type.name !== 'paragraph';
  });
  return out;
}

describe('demo seed', () => {
  test('six demo accounts with their documented roles; idempotent; every password logs in', async () => {
    const dataDir = tempDir('concord-demo-');
    const first = await withStorage(dataDir, (s) => seedDemo(s));
    assert.equal(first.created, true);
    const second = await withStorage(dataDir, (s) => seedDemo(s));
    assert.deepEqual(second, { groupId: first.groupId, created: false });

    // Documented in server/demo.ts and printed by `npm run demo`.
    const documented = [
      ['chair@demo.example', 'chair', null],
      ['secretariat@demo.example', 'secretariat', null],
      ['brazil@demo.example', 'expert', 'Brazil'],
      ['kenya@demo.example', 'expert', 'Kenya'],
      ['france@demo.example', 'expert', 'France'],
      ['observer@demo.example', 'observer', 'European Union'],
    ];
    assert.deepEqual(
      DEMO_ACCOUNTS.map((a) => [a.email, a.role, a.represents]),
      documented,
    );
    await withStorage(dataDir, async (storage) => {
      assert.equal(await storage.countUsers(), 6);
      assert.equal((await storage.listGroups()).length, 1);
      assert.equal((await storage.listReports()).length, 1);
      const members = await storage.listMembers(first.groupId);
      assert.deepEqual(
        members.map((m) => [m.email, m.role, m.represents]).sort(),
        [...documented].sort(),
      );
    });

    const server = await startBareServer({ dataDir });
    cleanups.push(() => server.close());
    for (const a of DEMO_ACCOUNTS) {
      const res = await fetch(`${server.baseUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: a.email, password: a.password }),
      });
      assert.equal(res.status, 200, a.email);
      const me = (await res.json()) as { groups: Array<{ id: string; role: string }> };
      assert.deepEqual(
        me.groups.map((g) => [g.id, g.role]),
        [[first.groupId, a.role]],
      );
    }
  });

  test('the demo report is a negotiation under way: text, statuses, positions, threads, a silence', async () => {
    const dataDir = tempDir('concord-demo-report-');
    await withStorage(dataDir, (s) => seedDemo(s));
    const server = await startBareServer({ dataDir });
    cleanups.push(() => server.close());
    const as = async (email: string, password: string) => {
      const cookie = await login(server.baseUrl, email, password);
      return async <T>(path: string): Promise<T> => {
        const res = await fetch(`${server.baseUrl}${path}`, { headers: { cookie } });
        assert.equal(res.status, 200, path);
        return (await res.json()) as T;
      };
    };
    const chair = await as('chair@demo.example', 'concord-chair');
    const reports = await chair<{ reports: Array<{ id: string }> }>('/api/reports');
    const id = reports.reports[0]!.id;

    // The text: the seven GGE chapters, each with written paragraphs, some in brackets.
    const stored = await paragraphTexts(server.app.storage, id);
    assert.ok(stored.length >= 20, `only ${stored.length} paragraphs with text`);
    assert.ok(
      stored.some((t) => /\[[^\]]+\]/.test(t)),
      'no bracketed text',
    );

    type Consensus = {
      statuses: Array<{ status: string }>;
      positions: Array<{ state: string; position: string }>;
      silences: Array<{ state: string; deadline: string }>;
    };
    const c = await chair<Consensus>(`/api/reports/${id}/consensus`);
    const statuses = new Set(c.statuses.map((x) => x.status));
    for (const s of ['agreed', 'under_discussion', 'bracketed', 'agreed_ad_ref', 'deferred'])
      assert.ok(statuses.has(s), `no paragraph ${s}`);
    assert.ok(c.positions.length >= 6);
    assert.deepEqual([...new Set(c.positions.map((p) => p.state))].sort(), [
      'Brazil',
      'France',
      'Kenya',
    ]);
    const running = c.silences.filter((x) => x.state === 'running');
    assert.equal(running.length, 1);
    assert.ok(Date.parse(running[0]!.deadline) > Date.now() + 24 * 3_600_000);

    type Threads = { threads: Array<{ kind: string; visibility: string; messages: unknown[] }> };
    const seenByChair = (await chair<Threads>(`/api/reports/${id}/threads`)).threads;
    assert.ok(
      seenByChair.some((t) => t.kind === 'proposal'),
      'no proposal',
    );
    assert.ok(
      seenByChair.some((t) => t.visibility === 'chair'),
      'no thread for the chair',
    );
    assert.ok(
      seenByChair.some((t) => t.messages.length > 1),
      'no reply',
    );
    assert.ok(
      !seenByChair.some((t) => t.visibility === 'delegation'),
      "the chair sees Brazil's own thread",
    );
    const brazil = await as('brazil@demo.example', 'concord-expert');
    const seenByBrazil = (await brazil<Threads>(`/api/reports/${id}/threads`)).threads;
    assert.ok(seenByBrazil.some((t) => t.visibility === 'delegation'));
    // The reply that mentions the Chair is in the Chair's inbox.
    const inbox = await chair<{ items: Array<{ reason: string }> }>('/api/inbox');
    assert.ok(inbox.items.some((i) => i.reason === 'mention'));
  });
});
