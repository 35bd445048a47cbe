/**
 * Crash: the server (server/main.ts as a child process) is killed with SIGKILL while five clients
 * edit continuously. The server broadcasts an edit only once it is durable, so everything any client
 * had received from another client before the kill must be there after a restart on the same data
 * directory; and the SQLite file passes PRAGMA integrity_check.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import * as prng from 'lib0/prng';
import type * as Y from 'yjs';
import { SQLITE_FILE } from '../../server/storage/sqlite.js';
import { type ChildServer, seedDataDir, startChildServer } from '../helpers/child.js';
import {
  Cleanup,
  connectClient,
  isLive,
  paragraphs,
  paragraphText,
  reportXml,
  type SyncTarget,
  type TestClient,
} from '../helpers/clients.js';
import { TEST_ENGINE } from '../helpers/engines.js';
import { login, tempDir, waitFor, webSocketWith } from '../helpers/server.js';

const CLIENTS = 5;
const TOKEN = /\[c(\d)\.(\d+)\]/g;

const cleanup = new Cleanup();
after(() => cleanup.run());

async function start(dataDir: string): Promise<{ child: ChildServer; target: SyncTarget }> {
  const child = await startChildServer(dataDir);
  cleanup.add(async () => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });
  const cookie = await login(child.baseUrl, 'chair@test.example', 'chair-password');
  const target: SyncTarget = {
    wsUrl: `ws://127.0.0.1:${child.port}/sync`,
    ws: () => webSocketWith({ cookie }),
  };
  return { child, target };
}

/** Tokens in `doc` written by clients other than `self`. */
function othersTokens(doc: Y.Doc, self: number): string[] {
  const out: string[] = [];
  for (const m of reportXml(doc).matchAll(TOKEN)) if (Number(m[1]) !== self) out.push(m[0]);
  return out;
}

test('SIGKILL during continuous edits loses nothing another client had received', async () => {
  const dataDir = tempDir();
  const { groupId } = await seedDataDir(dataDir);
  const { child, target } = await start(dataDir);
  const cookie = await login(child.baseUrl, 'chair@test.example', 'chair-password');
  const res = await fetch(`${child.baseUrl}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ title: 'Crash', template: 'gge-report', groupId }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { report } = (await res.json()) as { report: { id: string } };

  const clients: TestClient[] = [];
  /** Per client: every token from another client it has received. */
  const received: Array<Set<string>> = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = connectClient(target, report.id, {}, cleanup);
    const seen = new Set<string>();
    c.doc.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin === c.provider) for (const tok of othersTokens(c.doc, i)) seen.add(tok);
    });
    clients.push(c);
    received.push(seen);
  }
  await waitFor(() => clients.every(isLive), 'every client to sync', 20_000);

  // Continuous edits: each client appends its numbered tokens to random paragraphs.
  const timers: NodeJS.Timeout[] = [];
  const written = clients.map(() => 0);
  const stopEditing = () => {
    for (const t of timers) clearInterval(t);
  };
  cleanup.add(stopEditing);
  for (const [i, c] of clients.entries()) {
    const gen = prng.create(1000 + i);
    timers.push(
      setInterval(() => {
        if (c.doc.isDestroyed) return;
        const paras = paragraphs(c.doc);
        const text = paragraphText(prng.oneOf(gen, paras));
        // At either end: a token is never split by another one.
        text.insert(prng.bool(gen) ? 0 : text.length, `[c${i}.${written[i]!++}]`);
      }, 4 + i),
    );
  }
  const total = () => received.reduce((n, s) => n + s.size, 0);
  await waitFor(
    () => received.every((s) => s.size >= 40),
    'every client to receive edits from the others',
    30_000,
  );

  // Kill while the edits keep coming.
  child.proc.kill('SIGKILL');
  assert.equal(await child.exited, 'SIGKILL');
  await waitFor(() => clients.every((c) => !c.provider.wsconnected), 'clients to notice');
  stopEditing();
  // Stop the clients before anything restarts: they would resend what they hold.
  for (const c of clients) c.destroy();

  const union = new Set<string>();
  for (const s of received) for (const tok of s) union.add(tok);
  assert.ok(total() >= CLIENTS * 40 && union.size > 0);
  const authors = new Set([...union].map((tok) => tok.slice(2, 3)));
  assert.equal(authors.size, CLIENTS, 'edits from every client were received');

  const again = await start(dataDir);
  const fresh = connectClient(again.target, report.id, {}, cleanup);
  await waitFor(() => isLive(fresh), 'fresh client sync after restart', 20_000);
  const present = new Set<string>();
  for (const m of reportXml(fresh.doc).matchAll(TOKEN)) present.add(m[0]);
  const missing = [...union].filter((tok) => !present.has(tok));
  assert.deepEqual(
    missing,
    [],
    `received before the kill but lost (${missing.length}/${union.size})`,
  );
  // Nothing appears twice either (each token was inserted once).
  const all = [...reportXml(fresh.doc).matchAll(TOKEN)].map((m) => m[0]);
  assert.equal(new Set(all).size, all.length, 'no token duplicated');
  fresh.destroy();

  again.child.proc.kill('SIGTERM');
  assert.equal(await again.child.exited, 0, again.child.output());
  if (TEST_ENGINE === 'sqlite') {
    const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  }
});
