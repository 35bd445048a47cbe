/**
 * The permission matrix, cell by cell, over HTTP and over the sync socket. Expectations are read
 * from PERMISSIONS / roleCan in shared/roles.ts: change the matrix and these tests expect the new
 * answers. Every action of the matrix is either tested here or listed, with the reason, in a
 * skipped test; a new action fails the suite until it is one or the other. Non-members get 404
 * on every group and report route (a group they do not belong to looks like no group at all).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, mock, test } from 'node:test';
import { ACTIONS, type Action, ROLES, type Role, roleCan } from '../../shared/roles.js';
import {
  closeAll,
  connectSynced,
  outsider,
  type SyncClient,
  storedText,
  tryUpgrade,
  type,
  waitFor,
} from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

/** Actions with an endpoint today: tested cell by cell below. */
const TESTED = [
  'read',
  'editText',
  'createReport',
  'issueRevision',
  'manageMembers',
  'manageChairs',
  'viewAudit',
  'export',
  'unlockAccount',
  'editMetadata',
  'importDocument',
] as const;

/** Actions whose cells are tested role by role in the suite of their own feature. */
const TESTED_ELSEWHERE: Readonly<Partial<Record<Action, string>>> = {
  comment: 'comments-threads.test.ts',
  resolveAnyThread: 'comments-threads.test.ts',
  deleteOthersMessages: 'comments-threads.test.ts',
  applyProposal: 'comments-threads.test.ts',
  delegationThreads: '../unit/thread-visibility.test.ts',
  chairThreads: '../unit/thread-visibility.test.ts',
  recordPosition: 'consensus.test.ts',
  setStatus: 'consensus.test.ts',
  declareAgreement: 'consensus.test.ts',
  runSilence: 'consensus.test.ts',
  breakSilence: 'consensus.test.ts',
};

/** Actions of the matrix that nothing in the server exposes yet. */
const NO_ENDPOINT: Readonly<Partial<Record<Action, string>>> = {};

let server: TestServer;
let reportId: string;
let chairClient: SyncClient;
const actors = new Map<Role, TestUser>();

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Matrix', 'blank')).id;
  for (const role of ROLES) actors.set(role, await server.addUser(role));
  chairClient = await connectSynced(server, server.chair, reportId);
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

const as = (role: Role) => actors.get(role)!;

/** The status a route answers: `ok` when the role may, 403 when it may not. */
const expected = (role: Role, action: Action, ok: number) => (roleCan(role, action) ? ok : 403);

async function expectStatus(res: Response, status: number, what: string) {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: ${res.status} ${text}`);
  return text;
}

test('every action of the matrix is either tested here or listed as having no endpoint', () => {
  const all = Object.keys(ACTIONS).sort();
  const classified = [
    ...TESTED,
    ...Object.keys(TESTED_ELSEWHERE),
    ...Object.keys(NO_ENDPOINT),
  ].sort();
  assert.deepEqual(classified, all);
  for (const [action, file] of Object.entries(TESTED_ELSEWHERE)) {
    const suite = fs.readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    assert.ok(suite.includes(`'${action}'`), `${file} does not test ${action}`);
  }
  for (const a of TESTED) assert.ok(!(a in NO_ENDPOINT), a);
});

describe('actions with no endpoint yet', () => {
  for (const [action, what] of Object.entries(NO_ENDPOINT)) {
    test(`${action} (${ACTIONS[action as Action]})`, {
      skip: `no endpoint until the issue that adds ${what}`,
    });
  }
});

/** One check per tested action, run for each role. */

let exportRevision: string | null = null;

/** A revision the chair issues once, for the export cell. */
async function exportBase(): Promise<string> {
  if (!exportRevision) {
    const res = await server.request('POST', `/api/reports/${reportId}/revisions`, {
      as: server.chair,
      body: { label: 'Matrix export base' },
    });
    if (res.status !== 201) throw new Error(`issue: ${res.status} ${await res.text()}`);
    exportRevision = ((await res.json()) as { revision: { id: string } }).revision.id;
  }
  return exportRevision;
}

const checks: Record<(typeof TESTED)[number], (role: Role) => Promise<void>> = {
  async read(role) {
    const user = as(role);
    const status = expected(role, 'read', 200);
    const report = await server.request('GET', `/api/reports/${reportId}`, { as: user });
    const body = await expectStatus(report, status, 'GET /api/reports/:id');
    if (status === 200) assert.equal((JSON.parse(body) as { role: string }).role, role);
    const group = await server.request('GET', `/api/groups/${server.groupId}`, { as: user });
    const groupBody = await expectStatus(group, status, 'GET /api/groups/:gid');
    if (status === 200) {
      // Members' emails are for those who manage members.
      const { members } = JSON.parse(groupBody) as { members: Array<{ email?: string }> };
      assert.ok(members.length >= ROLES.length);
      const showsEmails = members.every((m) => typeof m.email === 'string');
      const hidesEmails = members.every((m) => m.email === undefined);
      assert.ok(roleCan(role, 'manageMembers') ? showsEmails : hidesEmails, 'member emails');
    }
    const list = await server.request('GET', '/api/reports', { as: user });
    const { reports } = JSON.parse(await expectStatus(list, 200, 'GET /api/reports')) as {
      reports: Array<{ id: string }>;
    };
    assert.equal(
      reports.some((r) => r.id === reportId),
      roleCan(role, 'read'),
      'GET /api/reports lists the report',
    );
    // The socket: the upgrade, then a real sync.
    const upgrade = await tryUpgrade(`${server.wsUrl}/${reportId}`, { cookie: user.cookie });
    upgrade.ws?.terminate();
    assert.equal(upgrade.status, expected(role, 'read', 101), 'sync upgrade');
    if (roleCan(role, 'read')) {
      const marker = `read by ${role}`;
      type(chairClient, `${marker}. `);
      const client = await connectSynced(server, user, reportId);
      await waitFor(() => client.text().includes(marker), 'the text to reach the reader');
    }
  },

  async editText(role) {
    if (!roleCan(role, 'read')) return; // No socket at all (checked under read).
    const client = await connectSynced(server, as(role), reportId);
    const words = `[edit by ${role}]`;
    type(client, words);
    if (roleCan(role, 'editText')) {
      await waitFor(() => chairClient.text().includes(words), 'the edit to reach another client');
      await waitFor(async () => (await storedText(server, reportId)).includes(words), 'storage');
      assert.deepEqual(client.denied, []);
    } else {
      await waitFor(() => client.denied.length > 0, 'the permission-denied message');
      // Barrier: a later change by the chair reaches everyone and storage first.
      const marker = `[after ${role}]`;
      type(chairClient, marker);
      await waitFor(() => client.text().includes(marker), 'the chair’s change');
      await waitFor(async () => (await storedText(server, reportId)).includes(marker), 'storage');
      assert.ok(!chairClient.text().includes(words), 'the edit reached another client');
      assert.ok(!(await storedText(server, reportId)).includes(words), 'the edit was stored');
    }
    assert.deepEqual(client.closes, [], 'the socket was closed');
  },

  async createReport(role) {
    const user = as(role);
    const created = await server.request('POST', '/api/reports', {
      as: user,
      body: { title: `By ${role}`, template: 'blank', groupId: server.groupId },
    });
    await expectStatus(created, expected(role, 'createReport', 201), 'POST /api/reports');
    const renamed = await server.request('PATCH', `/api/reports/${reportId}`, {
      as: user,
      body: { title: `Renamed by ${role}` },
    });
    await expectStatus(renamed, expected(role, 'createReport', 200), 'PATCH /api/reports/:id');
    const title = (await server.app.storage.getReport(reportId))!.title;
    assert.equal(title === `Renamed by ${role}`, roleCan(role, 'createReport'), title);
  },

  async issueRevision(role) {
    const user = as(role);
    const label = `Rev by ${role}`;
    const issued = await server.request('POST', `/api/reports/${reportId}/revisions`, {
      as: user,
      body: { label },
    });
    await expectStatus(issued, expected(role, 'issueRevision', 201), 'POST revision');
    const labels = (await server.app.storage.listRevisions(reportId)).map((r) => r.label);
    assert.equal(labels.includes(label), roleCan(role, 'issueRevision'), labels.join(', '));
    const numbering = await server.request('PUT', `/api/reports/${reportId}/numbering`, {
      as: user,
      body: { keepNumbers: role === 'chair' },
    });
    await expectStatus(numbering, expected(role, 'issueRevision', 200), 'PUT numbering');
  },

  async manageChairs(role) {
    const user = as(role);
    const g = server.groupId;
    const invite = await server.request('POST', `/api/groups/${g}/invitations`, {
      as: user,
      body: { role: 'chair' },
    });
    await expectStatus(invite, expected(role, 'manageChairs', 201), 'POST chair invitation');
    const target = await server.addUser('expert', 'Future Chair State');
    const promote = await server.request('PATCH', `/api/groups/${g}/members/${target.id}`, {
      as: user,
      body: { role: 'chair' },
    });
    await expectStatus(promote, expected(role, 'manageChairs', 200), 'PATCH member to chair');
    const after = await server.app.storage.getMembership(g, target.id);
    assert.equal(after!.role, roleCan(role, 'manageChairs') ? 'chair' : 'expert');
  },
  async unlockAccount(role) {
    const target = await server.addUser('expert', 'Locked State');
    const res = await server.request(
      'POST',
      `/api/groups/${server.groupId}/members/${target.id}/unlock`,
      { as: as(role) },
    );
    await expectStatus(res, expected(role, 'unlockAccount', 204), 'POST unlock');
  },
  async editMetadata(role) {
    const res = await server.request('PUT', `/api/reports/${reportId}/metadata`, {
      as: as(role),
      body: {
        symbol: 'A/AC.290/2021/CRP.2',
        distribution: 'Restricted',
        date: '2021-03-10',
        originalLanguage: 'English',
        session: 'Third substantive session',
        agendaItem: 'Agenda item 5',
        documentType: 'conference-room-paper',
      },
    });
    await expectStatus(res, expected(role, 'editMetadata', 200), 'PUT metadata');
  },
  async importDocument(role) {
    const text = 'Imported\nI. Introduction\n1. The Group met.\n';
    const before = (await server.app.storage.listReports()).length;
    for (const path of ['import/preview', 'import']) {
      const res = await fetch(
        `${server.baseUrl}/api/groups/${server.groupId}/${path}?format=text`,
        {
          method: 'POST',
          headers: { cookie: as(role).cookie, 'content-type': 'text/plain' },
          body: text,
        },
      );
      const ok = path === 'import' ? 201 : 200;
      await expectStatus(res, expected(role, 'importDocument', ok), `POST ${path}`);
    }
    const after = (await server.app.storage.listReports()).length;
    assert.equal(after - before, roleCan(role, 'importDocument') ? 1 : 0);
  },
  async export(role) {
    const res = await server.request('GET', `/api/reports/${reportId}/export?format=akn`, {
      as: as(role),
    });
    const body = await expectStatus(res, expected(role, 'export', 200), 'GET export');
    if (res.status === 200) assert.match(body, /<akomaNtoso /);
    // A revision, and the changes since it as track changes: the same cell.
    const rid = await exportBase();
    const frozen = await server.request(
      'GET',
      `/api/reports/${reportId}/export?format=akn&revision=${rid}`,
      { as: as(role) },
    );
    await expectStatus(frozen, expected(role, 'export', 200), 'GET export of a revision');
    const changes = await server.request(
      'GET',
      `/api/reports/${reportId}/export/changes?from=${rid}&to=live`,
      { as: as(role) },
    );
    await expectStatus(changes, expected(role, 'export', 200), 'GET export/changes');
  },

  async manageMembers(role) {
    const user = as(role);
    const g = server.groupId;
    const invite = await server.request('POST', `/api/groups/${g}/invitations`, {
      as: user,
      body: { role: 'observer', represents: 'Holy See' },
    });
    await expectStatus(invite, expected(role, 'manageMembers', 201), 'POST invitations');

    const target = await server.addUser('expert', 'Target State');
    const patch = await server.request('PATCH', `/api/groups/${g}/members/${target.id}`, {
      as: user,
      body: { role: 'observer', represents: 'Target State' },
    });
    await expectStatus(patch, expected(role, 'manageMembers', 200), 'PATCH member');
    const after = await server.app.storage.getMembership(g, target.id);
    assert.equal(after!.role, roleCan(role, 'manageMembers') ? 'observer' : 'expert');

    const del = await server.request('DELETE', `/api/groups/${g}/members/${target.id}`, {
      as: user,
    });
    await expectStatus(del, expected(role, 'manageMembers', 204), 'DELETE member');
    const gone = (await server.app.storage.getMembership(g, target.id)) === null;
    assert.equal(gone, roleCan(role, 'manageMembers'));
  },

  async viewAudit(role) {
    const user = as(role);
    const status = expected(role, 'viewAudit', 200);
    const base = `/api/groups/${server.groupId}/audit`;
    const plain = await server.request('GET', base, { as: user });
    const body = await expectStatus(plain, status, 'GET audit');
    if (status === 200) assert.ok((JSON.parse(body) as { events: unknown[] }).events.length > 0);
    const asJson = await server.request('GET', `${base}?format=json`, { as: user });
    await expectStatus(asJson, status, 'GET audit?format=json');
    const csv = await server.request('GET', `${base}?format=csv`, { as: user });
    const csvBody = await expectStatus(csv, status, 'GET audit?format=csv');
    if (status === 200) {
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(csvBody, /^id,at,actor,action,target,detail,ip,requestId\r\n/);
      // Paging: newest first, `limit` events, `before` an id.
      const page = (await (
        await server.request('GET', `${base}?limit=2`, { as: user })
      ).json()) as {
        events: Array<{ id: number }>;
      };
      assert.equal(page.events.length, 2);
      const next = (await (
        await server.request('GET', `${base}?limit=1&before=${page.events[1]!.id}`, { as: user })
      ).json()) as { events: Array<{ id: number }> };
      assert.ok(next.events[0]!.id < page.events[1]!.id);
      await expectStatus(
        await server.request('GET', `${base}?limit=abc`, { as: user }),
        400,
        'limit=abc',
      );
    }
  },
};

for (const role of ROLES) {
  describe(`${role}`, () => {
    for (const action of TESTED) {
      const verdict = roleCan(role, action) ? 'allowed' : 'refused';
      test(`${action} (${ACTIONS[action]}): ${verdict}`, () => checks[action](role));
    }
  });
}

describe('people outside the group', () => {
  test('a member of another group gets 404 on every group and report route, as for no group', async () => {
    const stranger = await outsider(server, 'chair');
    const g = server.groupId;
    const ghostGroup = 'g_AAAAAAAAAAAAAAAA';
    const ghostReport = 'zzzzzzzzzzzzzzzz';
    const member = as('expert').id;
    const routes: Array<[string, string, string, unknown?]> = [
      ['GET', `/api/groups/${g}`, `/api/groups/${ghostGroup}`],
      ['GET', `/api/groups/${g}/audit`, `/api/groups/${ghostGroup}/audit`],
      ['GET', `/api/groups/${g}/audit?format=csv`, `/api/groups/${ghostGroup}/audit?format=csv`],
      [
        'POST',
        `/api/groups/${g}/invitations`,
        `/api/groups/${ghostGroup}/invitations`,
        { role: 'chair' },
      ],
      [
        'PATCH',
        `/api/groups/${g}/members/${member}`,
        `/api/groups/${ghostGroup}/members/${member}`,
        { role: 'observer', represents: 'X' },
      ],
      [
        'DELETE',
        `/api/groups/${g}/members/${member}`,
        `/api/groups/${ghostGroup}/members/${member}`,
      ],
      ['GET', `/api/reports/${reportId}`, `/api/reports/${ghostReport}`],
      [
        'GET',
        `/api/reports/${reportId}/export?format=akn`,
        `/api/reports/${ghostReport}/export?format=akn`,
      ],
      ['PATCH', `/api/reports/${reportId}`, `/api/reports/${ghostReport}`, { title: 'Mine' }],
      [
        'POST',
        `/api/groups/${g}/import?format=text`,
        `/api/groups/${ghostGroup}/import?format=text`,
        'Planted\n1. Text.',
      ],
      ['GET', `/api/reports/${reportId}/revisions`, `/api/reports/${ghostReport}/revisions`],
      [
        'POST',
        `/api/reports/${reportId}/revisions`,
        `/api/reports/${ghostReport}/revisions`,
        { label: 'Planted' },
      ],
    ];
    for (const [method, real, ghost, body] of routes) {
      const opts = { as: stranger, ...(body !== undefined ? { body } : {}) };
      const a = await server.request(method, real, opts);
      const b = await server.request(method, ghost, opts);
      const textA = await a.text();
      assert.equal(a.status, 404, `${method} ${real}: ${a.status} ${textA}`);
      assert.equal(b.status, 404, `${method} ${ghost}`);
      assert.equal(textA.replace(real, ghost), await b.text(), `${method} ${real} tells more`);
    }
    const created = await server.request('POST', '/api/reports', {
      as: stranger,
      body: { title: 'Planted', template: 'blank', groupId: g },
    });
    assert.equal(created.status, 404);
    const list = (await (await server.request('GET', '/api/reports', { as: stranger })).json()) as {
      reports: Array<{ id: string }>;
    };
    assert.ok(!list.reports.some((r) => r.id === reportId));
    assert.equal(await server.app.storage.getMembership(g, stranger.id), null);
    assert.equal((await server.app.storage.getMembership(g, member))?.role, 'expert');
    assert.ok(!(await server.app.storage.getReport(reportId))!.title.includes('Mine'));
  });

  test('without a session every group and report route answers 401', async () => {
    const g = server.groupId;
    for (const [method, url, body] of [
      ['GET', '/api/reports', undefined],
      ['GET', `/api/reports/${reportId}`, undefined],
      ['GET', `/api/reports/${reportId}/export?format=akn`, undefined],
      ['PATCH', `/api/reports/${reportId}`, { title: 'x' }],
      ['POST', '/api/reports', { title: 'x', template: 'blank', groupId: g }],
      ['GET', `/api/groups/${g}`, undefined],
      ['GET', `/api/groups/${g}/audit`, undefined],
      ['POST', `/api/groups/${g}/invitations`, { role: 'expert', represents: 'X' }],
      ['DELETE', `/api/groups/${g}/members/${as('expert').id}`, undefined],
    ] as const) {
      const res = await server.request(method, url, { as: null, ...(body ? { body } : {}) });
      assert.equal(res.status, 401, `${method} ${url}`);
    }
  });
});
