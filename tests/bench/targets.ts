/**
 * The servers under test, each started as its own child process on a free 127.0.0.1 port:
 * - concord: the production build (dist/server/main.js), SQLite in a temp dir, durability on
 *   (CONCORD_SQLITE_SYNCHRONOUS=FULL);
 * - concord-sync-off: the same with CONCORD_SQLITE_SYNCHRONOUS=OFF, only for the durability cost;
 * - hocuspocus: @hocuspocus/server, no extensions (tests/bench/servers/hocuspocus.mjs);
 * - y-websocket: the stock @y/websocket-server (its own src/server.js, in memory: no YPERSISTENCE).
 *
 * Each running target has a `prepare()` hook that makes a document and returns how to reach it
 * (URL, headers, token). When Concord gets authentication, its login goes there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { REPORT_FRAGMENT, SCHEMA_VERSION } from '../../shared/schema.js';
import { deadline, freePort, waitHttpOk } from './proc.js';
import type { ConnSpec, ScenarioKind } from './types.js';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '../..');
const require = createRequire(import.meta.url);

export type TargetId =
  | 'concord'
  | 'concord-sync-off'
  | 'concord-locked'
  | 'hocuspocus'
  | 'y-websocket';

export interface StartOptions {
  /** Start for the coldload scenario: small unload grace / an unload store where needed. */
  coldload: boolean;
  /** Unload grace given to Concord for coldload (ms). */
  concordUnloadGraceMs: number;
  /** Write a V8 CPU profile of the server into this folder (node --cpu-prof). */
  profileDir: string | null;
  profileName: string;
}

export interface RunningTarget {
  pid: number;
  port: number;
  /** Makes a fresh document and returns how clients reach it. */
  prepare(): Promise<ConnSpec>;
  alive(): boolean;
  /** Documents the server holds in memory right now, where it can tell (null: it cannot). */
  openDocs(): Promise<number | null>;
  /** Why the process ended, and the tail of its output. */
  diagnostics(): string;
  stop(): Promise<void>;
}

export interface TargetDef {
  id: TargetId;
  label: string;
  /** Limits the target to these scenarios (default: all). */
  only?: ScenarioKind[];
  /** What "unloaded" means for this target in the coldload scenario. */
  coldloadNote: string;
  /**
   * null when the target can run, else why not; `fatal` when it should be there (a Concord
   * checkout without its build): then the run fails instead of skipping it.
   */
  unavailable(): { reason: string; fatal: boolean } | null;
  start(opts: StartOptions): Promise<RunningTarget>;
}

/** Environment for a server child: ours minus whatever would change the servers' behaviour. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // GLIBC_TUNABLES: each target runs with its own launch settings only (Concord's come from
  // concordLaunch), never with whatever the shell running the bench had.
  const dropped = [
    'NODE_OPTIONS',
    'GLIBC_TUNABLES',
    'YPERSISTENCE',
    'CALLBACK_URL',
    'CALLBACK_OBJECTS',
    'GC',
  ];
  for (const k of dropped) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith('CONCORD_')) delete env[k];
  return { ...env, ...extra };
}

function profileArgs(opts: StartOptions, exitOnSigterm: boolean): string[] {
  if (!opts.profileDir) return [];
  const args = [
    '--cpu-prof',
    `--cpu-prof-dir=${opts.profileDir}`,
    `--cpu-prof-name=${opts.profileName}.cpuprofile`,
  ];
  // --cpu-prof writes the profile at a normal exit; the peers do not all exit on SIGTERM.
  if (exitOnSigterm) args.push('--import', path.join(BENCH_DIR, 'servers/exit-on-sigterm.mjs'));
  return args;
}

async function spawnServer(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  readyPath: string,
  prepare: (output: () => string) => Promise<ConnSpec>,
  cleanup: () => void,
  openDocs: () => Promise<number | null> = async () => null,
): Promise<RunningTarget> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let head = '';
  const keep = (b: Buffer) => {
    if (head.length < 8000) head += b.toString().slice(0, 8000 - head.length);
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitInfo = '';
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = `exited with ${signal ?? code}`;
      resolve();
    });
  });
  const alive = () => exitInfo === '';
  const stop = async () => {
    if (alive()) {
      child.kill('SIGTERM');
      const done = await Promise.race([
        exited.then(() => true),
        deadline(10_000).then(() => false),
      ]);
      if (!done) {
        child.kill('SIGKILL');
        await Promise.race([exited, deadline(5000)]);
      }
    }
    cleanup();
  };
  const ready = await waitHttpOk(`http://127.0.0.1:${port}${readyPath}`, 30_000, alive);
  if (!ready || child.pid === undefined) {
    await stop();
    throw new Error(`${name} did not become ready (${exitInfo || 'timeout'}): ${tail.trim()}`);
  }
  return {
    pid: child.pid,
    port,
    prepare: () => prepare(() => head),
    openDocs,
    alive,
    diagnostics: () => `${exitInfo || 'running'}; output: ${tail.trim().slice(-1500)}`,
    stop,
  };
}

async function jsonNumber(url: string, key: string): Promise<number | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as Record<string, unknown>;
    return typeof body[key] === 'number' ? body[key] : null;
  } catch {
    return null;
  }
}

const randomName = () => `bench-${Math.random().toString(36).slice(2, 10)}`;

const CONCORD_MAIN = path.join(ROOT, 'dist/server/main.js');

/** How Concord's production start launches node: environment assignments and node flags. */
export interface ConcordLaunch {
  /** `NAME=value` assignments before `node` (GLIBC_TUNABLES: malloc thresholds). */
  env: Record<string, string>;
  flags: string[];
}

/**
 * Concord's production start (package.json "start"; `npm run demo` and the Dockerfile are checked
 * to match in tests/unit/node-flags.test.ts), so the benchmark runs Concord as shipped.
 */
export function concordLaunch(): ConcordLaunch {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const m = /((?:\b[A-Z_]+=\S+ )*)\bnode((?: --[\w-]+(?:=\S+)?)*) dist\/server\/main\.js\b/.exec(
    pkg.scripts?.start ?? '',
  );
  if (!m) throw new Error('package.json "start" does not run node … dist/server/main.js');
  const env: Record<string, string> = {};
  for (const a of m[1]!.trim().split(/\s+/).filter(Boolean)) {
    const eq = a.indexOf('=');
    env[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return { env, flags: m[2]!.trim().split(/\s+/).filter(Boolean) };
}

interface ConcordSession {
  /** Upgrade/HTTP headers of a logged-in user ({} when the server has no accounts). */
  headers: Record<string, string>;
  /** The group reports are created in (null when the server has no groups). */
  groupId: string | null;
}

/**
 * Logs the benchmark in, once per server process. A build without accounts (GET /api/setup is
 * 404) needs nothing. A build with accounts starts on an empty database, prints a one-time setup
 * link on stdout; the harness uses it to create the first account (chair of a "Bench" group) and
 * keeps its session cookie. All load clients share that one session.
 */
export async function concordSession(base: string, output: () => string): Promise<ConcordSession> {
  const probe = await fetch(`${base}/api/setup`);
  const state = (await probe.json().catch(() => null)) as { needed?: boolean } | null;
  if (probe.status === 404) return { headers: {}, groupId: null };
  if (!probe.ok || state?.needed !== true) {
    throw new Error(
      `Concord setup: GET /api/setup answered ${probe.status} ${JSON.stringify(state)}`,
    );
  }
  let token: string | undefined;
  for (let i = 0; i < 100 && !token; i++) {
    token = /#\/setup\/([A-Za-z0-9_-]+)/.exec(output())?.[1];
    if (!token) await new Promise((r) => setTimeout(r, 50));
  }
  if (!token) throw new Error('Concord setup: no setup link in the server output');
  const res = await fetch(`${base}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      email: 'bench@example.org',
      displayName: 'Bench',
      password: 'bench-password-not-secret',
      groupName: 'Bench',
    }),
  });
  const body = (await res.json().catch(() => null)) as { groups?: Array<{ id?: string }> } | null;
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!.trim())
    .filter((c) => c.includes('=') && !c.endsWith('='))
    .join('; ');
  const groupId = body?.groups?.[0]?.id ?? null;
  if (res.status !== 201 || !cookie || !groupId) {
    throw new Error(
      `Concord setup: POST /api/setup answered ${res.status}: ${JSON.stringify(body)}`,
    );
  }
  return { headers: { cookie }, groupId };
}

/** Paragraphs the concord-locked target agrees before the load (issue #15's lock cost). */
const LOCKED_PARAGRAPHS = 100;

/**
 * Puts `count` paragraphs into the report's first chapter through the sync socket and agrees
 * each one (the chair's status command), so that the server checks its locks on every update.
 */
async function lockParagraphs(
  port: number,
  headers: Record<string, string>,
  reportId: string,
  count: number,
): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const doc = new Y.Doc();
  const WS = class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, reportId, doc, {
    WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
    params: { schema: String(SCHEMA_VERSION) },
    disableBc: true,
  });
  try {
    await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
    const chapter = doc
      .getXmlFragment(REPORT_FRAGMENT)
      .toArray()
      .find((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'chapter');
    if (!chapter) throw new Error('concord-locked: the report has no chapter');
    const ids = Array.from({ length: count }, (_, i) => `benchlocked${i}`);
    doc.transact(() => {
      for (const id of ids) {
        const p = new Y.XmlElement('paragraph');
        p.setAttribute('id', id);
        p.insert(0, [new Y.XmlText(`Agreed paragraph ${id}, locked during the run.`)]);
        chapter.insert(chapter.length, [p]);
      }
    });
    for (const id of ids) {
      // 404 until the paragraphs reached the server.
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${base}/api/reports/${reportId}/paragraphs/${id}/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ status: 'agreed' }),
        });
        if (res.status === 200) break;
        if (res.status !== 404 || attempt > 100)
          throw new Error(`concord-locked: agreeing ${id} answered ${res.status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    provider.destroy();
    doc.destroy();
  }
}

function concord(
  id: 'concord' | 'concord-sync-off' | 'concord-locked',
  synchronous: 'FULL' | 'OFF',
): TargetDef {
  return {
    id,
    label:
      id === 'concord'
        ? 'Concord'
        : id === 'concord-locked'
          ? `Concord (${LOCKED_PARAGRAPHS} locked)`
          : 'Concord (sync OFF)',
    ...(id !== 'concord' ? { only: ['storm'] as ScenarioKind[] } : {}),
    coldloadNote: 'unloaded from memory (unload grace elapsed), loaded again from SQLite',
    unavailable() {
      if (fs.existsSync(CONCORD_MAIN)) return null;
      if (fs.existsSync(path.join(ROOT, 'server/main.ts'))) {
        return {
          reason: 'dist/server/main.js is missing: run `npm run build:server` (npm run bench does)',
          fatal: true,
        };
      }
      return { reason: 'no Concord server in this checkout yet', fatal: false };
    },
    async start(opts) {
      const port = await freePort();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-bench-'));
      const launch = concordLaunch();
      const env = childEnv({
        ...launch.env,
        NODE_ENV: 'production',
        CONCORD_HOST: '127.0.0.1',
        CONCORD_PORT: String(port),
        CONCORD_DATA_DIR: dataDir,
        CONCORD_LOG_LEVEL: 'warn',
        CONCORD_SQLITE_SYNCHRONOUS: synchronous,
        // The load generator types into plain shared types (part.ts), not into the report.
        CONCORD_SCRATCH_ROOTS: 'bench,bench-ts',
        ...(opts.coldload ? { CONCORD_UNLOAD_GRACE_MS: String(opts.concordUnloadGraceMs) } : {}),
      });
      const base = `http://127.0.0.1:${port}`;
      let session: Promise<ConcordSession> | null = null;
      const prepare = async (output: () => string): Promise<ConnSpec> => {
        session ??= concordSession(base, output);
        const { headers, groupId } = await session;
        const res = await fetch(`${base}/api/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            title: 'Bench',
            template: 'blank',
            ...(groupId ? { groupId } : {}),
          }),
        });
        const body = (await res.json()) as { report?: { id?: string } };
        const reportId = body.report?.id;
        if (res.status !== 201 || !reportId) {
          throw new Error(`POST /api/reports answered ${res.status}: ${JSON.stringify(body)}`);
        }
        if (id === 'concord-locked')
          await lockParagraphs(port, headers, reportId, LOCKED_PARAGRAPHS);
        return {
          target: id,
          framing: 'y-websocket',
          // Every client declares the schema version it knows (without, it may only read).
          wsUrl: `ws://127.0.0.1:${port}/sync/${reportId}?schema=${SCHEMA_VERSION}`,
          headers,
          docName: reportId,
          token: '',
          canary: {
            kind: 'y-websocket',
            serverUrl: `ws://127.0.0.1:${port}/sync`,
            room: reportId,
            params: { schema: String(SCHEMA_VERSION) },
          },
        };
      };
      return spawnServer(
        id,
        [...launch.flags, ...profileArgs(opts, false), CONCORD_MAIN],
        env,
        port,
        '/readyz',
        prepare,
        () => fs.rmSync(dataDir, { recursive: true, force: true }),
        () => jsonNumber(`${base}/readyz`, 'openReports'),
      );
    },
  };
}

const hocuspocus: TargetDef = {
  id: 'hocuspocus',
  label: 'Hocuspocus',
  coldloadNote:
    'no extensions; for coldload only, onStoreDocument/onLoadDocument hooks keep the unloaded ' +
    'document in an in-process Map (Hocuspocus unloads when the last client leaves)',
  unavailable: () => null,
  async start(opts) {
    const port = await freePort();
    const env = childEnv({
      BENCH_PORT: String(port),
      ...(opts.coldload ? { BENCH_HP_STORE: 'memory' } : {}),
    });
    const prepare = async (_output: () => string): Promise<ConnSpec> => {
      const name = randomName();
      return {
        target: 'hocuspocus',
        framing: 'hocuspocus',
        wsUrl: `ws://127.0.0.1:${port}`,
        headers: {},
        docName: name,
        token: '',
        canary: { kind: 'hocuspocus', url: `ws://127.0.0.1:${port}`, name, token: '' },
      };
    };
    return spawnServer(
      'hocuspocus',
      [...profileArgs(opts, true), path.join(BENCH_DIR, 'servers/hocuspocus.mjs')],
      env,
      port,
      '/',
      prepare,
      () => {},
      opts.coldload
        ? () => jsonNumber(`http://127.0.0.1:${port}/bench/docs`, 'documents')
        : undefined,
    );
  },
};

const yWebsocket: TargetDef = {
  id: 'y-websocket',
  label: 'y-websocket server',
  coldloadNote:
    'keeps documents in memory (no persistence configured: it never unloads), so its ' +
    '"cold" load is a warm in-memory sync',
  unavailable: () => null,
  async start(opts) {
    const port = await freePort();
    const serverJs = path.join(
      path.dirname(require.resolve('@y/websocket-server/package.json')),
      'src/server.js',
    );
    const env = childEnv({ HOST: '127.0.0.1', PORT: String(port) });
    const prepare = async (_output: () => string): Promise<ConnSpec> => {
      const name = randomName();
      return {
        target: 'y-websocket',
        framing: 'y-websocket',
        wsUrl: `ws://127.0.0.1:${port}/${name}`,
        headers: {},
        docName: name,
        token: '',
        canary: {
          kind: 'y-websocket',
          serverUrl: `ws://127.0.0.1:${port}`,
          room: name,
          params: {},
        },
      };
    };
    return spawnServer(
      'y-websocket',
      [...profileArgs(opts, true), serverJs],
      env,
      port,
      '/',
      prepare,
      () => {},
    );
  },
};

export const TARGETS: readonly TargetDef[] = [
  concord('concord', 'FULL'),
  hocuspocus,
  yWebsocket,
  concord('concord-sync-off', 'OFF'),
  concord('concord-locked', 'FULL'),
];
