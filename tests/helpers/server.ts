/**
 * Starts a real Concord server in-process on 127.0.0.1, port 0, on the engine under test (a
 * SQLite file in a temp dir, or with CONCORD_TEST_ENGINE=postgres a PostgreSQL database of its
 * own that stands for that dir, helpers/engines.ts), seeded with one group and its chair. `addUser` adds members with other roles; every user
 * comes with a session cookie, and `ws(user)` gives the WebSocket class to hand to the stock
 * y-websocket provider (`WebSocketPolyfill`) so that it connects as that user.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { createAccount, createGroup } from '../../server/accounts.js';
import { buildServer, type ServerDeps } from '../../server/app.js';
import { type Config, testConfig } from '../../server/config.js';
import type { ReportSummary } from '../../shared/api.js';
import type { Role } from '../../shared/roles.js';
import type { TemplateId } from '../../shared/templates.js';
import { databaseForDataDir, TEST_ENGINE } from './engines.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  role: Role;
  represents: string | null;
  /** `name=value` for a Cookie header. */
  cookie: string;
}

export interface TestServer {
  app: FastifyInstance;
  baseUrl: string;
  /** ws://127.0.0.1:port/sync — the serverUrl for y-websocket's WebsocketProvider. */
  wsUrl: string;
  dataDir: string;
  groupId: string;
  chair: TestUser;
  close(): Promise<void>;
  /** Creates a report as the chair (or `as`). */
  createReport(title?: string, template?: TemplateId, as?: TestUser): Promise<ReportSummary>;
  addUser(role: Role, represents?: string | null, displayName?: string): Promise<TestUser>;
  /** A WebSocket class that connects with `user`'s cookie (default: the chair). */
  ws(user?: TestUser, headers?: Record<string, string>): typeof WebSocket;
  /** fetch against the server as `user` (JSON body helper). */
  request(
    method: string,
    url: string,
    options?: { as?: TestUser | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

/**
 * Plain shared types the tests write besides the report (a Y.Text `t`, `notes`…): allowed on the
 * sync channel only because the test server names them (CONCORD_SCRATCH_ROOTS). Any other root
 * key is refused, as in production where none is named.
 */
export const TEST_SCRATCH_ROOTS = ['t', 'notes', 'bob', 'upgrade'];

export function tempDir(prefix = 'concord-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let userCounter = 0;

/** A WebSocket class that adds headers (a cookie, an Origin) to the upgrade request. */
export function webSocketWith(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as typeof WebSocket;
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0]!;
}

export async function startTestServer(
  options: { dataDir?: string; config?: Partial<Config>; deps?: ServerDeps } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const databaseUrl =
    TEST_ENGINE === 'postgres' && !options.deps?.storage ? await databaseForDataDir(dataDir) : null;
  const app = await buildServer(
    testConfig({
      dataDir,
      databaseUrl,
      loginFailuresPerAccount: 1000,
      loginAttemptsPerAddress: 100_000,
      scratchRoots: TEST_SCRATCH_ROOTS,
      ...options.config,
    }),
    options.deps,
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = address.replace('localhost', '127.0.0.1');

  async function addUser(
    role: Role,
    represents: string | null = null,
    displayName?: string,
    groupId = group.id,
  ): Promise<TestUser> {
    const n = ++userCounter;
    const email = `${role}${n}@test.example`;
    const password = `password-${n}-long`;
    const name = displayName ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${n}`;
    const rep = represents ?? (role === 'expert' || role === 'observer' ? `State ${n}` : null);
    const user = await createAccount(app.storage, {
      email,
      displayName: name,
      password,
      membership: { groupId, role, represents: rep },
    });
    return {
      id: user.id,
      email,
      password,
      displayName: name,
      role,
      represents: rep,
      cookie: await login(baseUrl, email, password),
    };
  }

  // Reuse the group of a data directory that already has one (restart tests).
  const existing = await app.storage.listGroups();
  const group = existing[0] ?? (await createGroup(app.storage, 'Test group'));
  let chair: TestUser;
  const chairEmail = 'chair@test.example';
  const known = await app.storage.getUserByEmail(chairEmail);
  if (known) {
    chair = {
      id: known.id,
      email: chairEmail,
      password: 'chair-password',
      displayName: known.displayName,
      role: 'chair',
      represents: null,
      cookie: await login(baseUrl, chairEmail, 'chair-password'),
    };
  } else {
    const user = await createAccount(app.storage, {
      email: chairEmail,
      displayName: 'The Chair',
      password: 'chair-password',
      membership: { groupId: group.id, role: 'chair', represents: null },
    });
    chair = {
      id: user.id,
      email: chairEmail,
      password: 'chair-password',
      displayName: 'The Chair',
      role: 'chair',
      represents: null,
      cookie: await login(baseUrl, chairEmail, 'chair-password'),
    };
  }

  const request: TestServer['request'] = (method, url, o = {}) => {
    const as = o.as === undefined ? chair : o.as;
    const headers: Record<string, string> = { ...(as ? { cookie: as.cookie } : {}), ...o.headers };
    if (o.body !== undefined) headers['content-type'] ??= 'application/json';
    return fetch(`${baseUrl}${url}`, {
      method,
      headers,
      ...(o.body !== undefined
        ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }
        : {}),
    });
  };

  return {
    app,
    baseUrl,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}/sync`,
    dataDir,
    groupId: group.id,
    chair,
    close: () => app.close(),
    addUser: (role, represents, displayName) => addUser(role, represents ?? null, displayName),
    ws: (user = chair, headers = {}) => webSocketWith({ cookie: user.cookie, ...headers }),
    request,
    createReport: async (title = 'Test report', template = 'gge-report', as = chair) => {
      const res = await request('POST', '/api/reports', {
        as,
        body: { title, template, groupId: group.id },
      });
      if (res.status !== 201) throw new Error(`create report: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { report: ReportSummary }).report;
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
