/**
 * The pages the browser benchmark opens, each with its server started as a child process on a
 * free 127.0.0.1 port:
 * - bare: tests/bench/browser/bare (built once by Vite into a temp folder, served by a minimal
 *   static server in this process), synced through the stock @y/websocket-server (in memory);
 * - concord: a Concord build (dist/server/main.js and dist/client of a checkout: this one, or
 *   another given with --baseline, e.g. a worktree of an older commit), SQLite in a temp dir,
 *   launched as `npm start` does. The report is written through the sync socket, statuses and
 *   threads through the API by the chair; the browser logs in as an expert (Brazil).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { PARAGRAPH_STATUSES } from '../../../shared/consensus.js';
import { SCHEMA_VERSION } from '../../../shared/schema.js';
import { freePort, waitHttpOk } from '../proc.js';
import { BENCH_DIR, childEnv, concordLaunch, concordSession } from '../targets.js';
import { type Endpoint, type Report, type WorldSize, writeReport } from './world.js';

const require = createRequire(import.meta.url);

export interface PageTarget {
  id: string;
  label: string;
  /** The page to open (the browser's cookies are set by `cookies`). */
  url: string;
  cookies: Array<{ name: string; value: string; url: string }>;
  /** Where the crowd connects. */
  endpoint: Endpoint;
  /** Paragraph indexes others may type into (not locked, not the benchmark's own). */
  typable: number[];
  /** True when the page has a comments panel (opened on the paragraph typed into). */
  comments: boolean;
  serverPid: number;
  stop(): Promise<void>;
}

interface Child {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

function startChild(args: string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    if (out.length < 20_000) out += b.toString();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** The bare page, built once per run. */
async function buildBare(): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-bare-'));
  await build({
    root: path.join(BENCH_DIR, 'browser/bare'),
    logLevel: 'warn',
    build: { outDir: out, emptyOutDir: true },
    resolve: {
      dedupe: [
        'yjs',
        'y-prosemirror',
        'prosemirror-state',
        'prosemirror-view',
        'prosemirror-model',
      ],
    },
  });
  return out;
}

export async function startBare(report: Report, benchIndex: number): Promise<PageTarget> {
  const dir = await buildBare();
  const files = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, rel === '/' ? 'index.html' : rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
  const filesPort = (files.address() as { port: number }).port;
  const port = await freePort();
  const serverJs = path.join(
    path.dirname(require.resolve('@y/websocket-server/package.json')),
    'src/server.js',
  );
  const child = startChild(
    [serverJs],
    childEnv({ HOST: '127.0.0.1', PORT: String(port) }),
    BENCH_DIR,
  );
  if (!(await waitHttpOk(`http://127.0.0.1:${port}/`, 30_000, () => child.proc.exitCode === null)))
    throw new Error(`y-websocket server did not start: ${child.output()}`);
  const endpoint: Endpoint = {
    serverUrl: `ws://127.0.0.1:${port}`,
    room: 'report',
    params: {},
    headers: {},
  };
  await writeReport(endpoint, report);
  return {
    id: 'bare',
    label: 'bare editor stack',
    url: `http://127.0.0.1:${filesPort}/?ws=${encodeURIComponent(endpoint.serverUrl)}&room=report`,
    cookies: [],
    endpoint,
    typable: report.ids.map((_, i) => i).filter((i) => i % 3 !== 0 && i !== benchIndex),
    comments: false,
    serverPid: child.proc.pid ?? 0,
    async stop() {
      await child.stop();
      files.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function api(
  base: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; cookie: string }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!.trim())
    .filter((c) => c.includes('=') && !c.endsWith('='))
    .join('; ');
  return { status: res.status, json, cookie };
}

/** Statuses on a third of the paragraphs (every third; 'agreed' ones are locked). */
const SHOWN_STATUSES = PARAGRAPH_STATUSES.filter((s) => s !== 'draft' && s !== 'bracketed');

export async function startConcord(
  id: string,
  label: string,
  root: string,
  report: Report,
  size: WorldSize,
  benchIndex: number,
): Promise<PageTarget> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-browser-bench-'));
  const launch = concordLaunch();
  const env = childEnv({
    ...launch.env,
    NODE_ENV: 'production',
    CONCORD_HOST: '127.0.0.1',
    CONCORD_PORT: String(port),
    CONCORD_DATA_DIR: dataDir,
    CONCORD_CLIENT_DIR: path.join(root, 'dist/client'),
    CONCORD_LOG_LEVEL: 'warn',
  });
  const child = startChild([...launch.flags, path.join(root, 'dist/server/main.js')], env, root);
  const stop = async () => {
    await child.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    if (!(await waitHttpOk(`${base}/readyz`, 30_000, () => child.proc.exitCode === null)))
      throw new Error(`Concord did not start: ${child.output()}`);
    const chair = await concordSession(base, child.output);
    const made = await api(base, 'POST', '/api/reports', chair.headers, {
      title: 'Bench',
      template: 'blank',
      groupId: chair.groupId,
    });
    const reportId = (made.json['report'] as { id?: string } | undefined)?.id;
    if (made.status !== 201 || !reportId) throw new Error(`POST /api/reports: ${made.status}`);
    const endpoint: Endpoint = {
      serverUrl: `ws://127.0.0.1:${port}/sync`,
      room: reportId,
      params: { schema: String(SCHEMA_VERSION) },
      headers: chair.headers,
    };
    await writeReport(endpoint, report);
    const locked = new Set<number>();
    for (let i = 0; i < report.ids.length; i += 3) {
      if (i === benchIndex) continue;
      const status = report.bracketed.has(i)
        ? 'under_discussion'
        : SHOWN_STATUSES[(i / 3) % SHOWN_STATUSES.length]!;
      const res = await api(
        base,
        'POST',
        `/api/reports/${reportId}/paragraphs/${report.ids[i]}/status`,
        chair.headers,
        { status },
      );
      if (res.status !== 200)
        throw new Error(`status ${status}: ${res.status} ${JSON.stringify(res.json)}`);
      locked.add(i);
    }
    // Threads: most to the whole group, one in eight to the chair only (the expert does not
    // see those); a few on the paragraph typed into; every fifth a proposal.
    for (let t = 0; t < size.threads; t++) {
      const index = t < 3 ? benchIndex : (t * 7) % report.ids.length;
      const paragraphId = report.ids[index]!;
      const proposal = t % 5 === 0;
      const body = {
        paragraphId,
        kind: proposal ? 'proposal' : 'comment',
        visibility: t % 8 === 7 ? 'chair' : 'group',
        body: `Comment ${t}: we suggest reconsidering the wording of this paragraph, in particular its second sentence, so that it reflects the discussion of the last session.`,
        ...(proposal
          ? {
              proposal: `Proposed text ${t}: the group recommends that states continue to develop national frameworks.`,
            }
          : {}),
        idempotencyKey: `bench-${t}-${Math.random().toString(36).slice(2)}`,
      };
      const res = await api(base, 'POST', `/api/reports/${reportId}/threads`, chair.headers, body);
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`thread ${t}: ${res.status} ${JSON.stringify(res.json)}`);
    }
    // The expert the browser is.
    const invite = await api(
      base,
      'POST',
      `/api/groups/${chair.groupId}/invitations`,
      chair.headers,
      { role: 'expert', represents: 'Brazil' },
    );
    const token = invite.json['token'] as string | undefined;
    if (!token) throw new Error(`invitation: ${invite.status} ${JSON.stringify(invite.json)}`);
    const accepted = await api(
      base,
      'POST',
      `/api/invitations/${token}/accept`,
      {},
      {
        email: 'expert@example.org',
        displayName: 'Expert of Brazil',
        password: 'bench-expert-password-1',
      },
    );
    if (accepted.status !== 201 || !accepted.cookie)
      throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.json)}`);
    return {
      id,
      label,
      url: `${base}/#/r/${reportId}`,
      cookies: accepted.cookie.split('; ').map((c) => {
        const eq = c.indexOf('=');
        return { name: c.slice(0, eq), value: c.slice(eq + 1), url: base };
      }),
      endpoint,
      typable: report.ids.map((_, i) => i).filter((i) => !locked.has(i) && i !== benchIndex),
      comments: true,
      serverPid: child.proc.pid ?? 0,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
