/**
 * The running server announces itself in <dataDir>/server.json (server/announce.ts): the CLI's
 * invitation links use its address (not CONCORD_PORT's default), `setup-link` prints a lost
 * setup link again until it is used, and once the server stops the CLI says which address it
 * assumed. CONCORD_PUBLIC_URL wins over both, silently.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ANNOUNCEMENT_FILE } from '../../server/announce.js';
import { startChildServer } from '../helpers/child.js';
import { databaseForDataDir, TEST_ENGINE } from '../helpers/engines.js';
import { tempDir, waitFor } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function cli(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const databaseUrl = TEST_ENGINE === 'postgres' ? await databaseForDataDir(dataDir) : '';
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/bin/concord.ts', ...args], {
      cwd: root,
      env: {
        ...process.env,
        CONCORD_DATA_DIR: dataDir,
        CONCORD_DATABASE_URL: databaseUrl,
        CONCORD_PUBLIC_URL: '',
        CONCORD_PORT: '8080',
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

test('links follow the running server, the setup link can be found again, and a guess is said', async () => {
  const dataDir = tempDir('concord-announce-');
  const server = await startChildServer(dataDir, { CONCORD_PUBLIC_URL: '' });
  cleanups.push(() => server.proc.exitCode === null && server.proc.kill('SIGKILL'));
  const file = path.join(dataDir, ANNOUNCEMENT_FILE);
  const announced = JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string; setupUrl?: string };
  assert.equal(announced.url, `http://localhost:${server.port}`);
  assert.equal(fs.statSync(file).mode & 0o077, 0, 'only the owner may read it (a secret inside)');
  await waitFor(() => server.output().includes(announced.setupUrl ?? '\0'), 'banner on stdout');

  // Lost in the scrollback: the CLI prints it again.
  const again = await cli(dataDir, ['setup-link']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim(), announced.setupUrl);

  // Used: the announcement drops it, and the CLI says why there is none.
  const token = announced.setupUrl!.split('/#/setup/')[1]!;
  const res = await fetch(`${server.baseUrl}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://localhost:${server.port}` },
    body: JSON.stringify({
      token,
      email: 'chair@announce.example',
      displayName: 'The Chair',
      password: 'chair-password',
      groupName: 'Announced group',
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const afterSetup = JSON.parse(fs.readFileSync(file, 'utf8')) as { setupUrl?: string };
  assert.equal(afterSetup.setupUrl, undefined);
  const none = await cli(dataDir, ['setup-link']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no setup link is pending/);

  const groups = await cli(dataDir, ['groups']);
  const groupId = /group (g_\S+)/.exec(groups.stdout)?.[1];
  assert.ok(groupId, groups.stdout + groups.stderr);
  const invite = ['invite', '--group', groupId, '--role', 'expert', '--represents', 'Kenya'];

  // Running: the announced port, though CONCORD_PORT says 8080; no note.
  const live = await cli(dataDir, invite);
  assert.equal(live.code, 0, live.stderr);
  assert.match(live.stdout, new RegExp(`^http://localhost:${server.port}/#/invite/`));
  assert.doesNotMatch(live.stderr, /assume/);

  // A locked-out account: the CLI unlocks it through the running server.
  const attempt = (password: string) =>
    fetch(`${server.baseUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'chair@announce.example', password }),
    });
  for (let i = 0; i < 5; i++) assert.equal((await attempt('wrong-password')).status, 401);
  assert.equal((await attempt('chair-password')).status, 429, 'locked');
  const unlocked = await cli(dataDir, ['unlock', 'Chair@Announce.example']);
  assert.equal(unlocked.code, 0, unlocked.stderr);
  assert.match(unlocked.stdout, /chair@announce\.example unlocked/);
  assert.equal((await attempt('chair-password')).status, 200, 'in again');
  const unknown = await cli(dataDir, ['unlock', 'nobody@announce.example']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /No user with that email/);

  // Stopped: the announcement is gone; the CLI assumes CONCORD_PORT and says so on stderr.
  server.proc.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.equal(fs.existsSync(file), false);
  const stopped = await cli(dataDir, invite);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /^http:\/\/localhost:8080\/#\/invite\//);
  assert.match(stopped.stderr, /links assume http:\/\/localhost:8080.*CONCORD_PUBLIC_URL/);
  const setupGone = await cli(dataDir, ['setup-link']);
  assert.match(setupGone.stderr, /no running server/);
  const unlockGone = await cli(dataDir, ['unlock', 'chair@announce.example']);
  assert.match(unlockGone.stderr, /nothing is locked/);

  // The configured public URL wins, without a note.
  const pub = await cli(dataDir, invite, { CONCORD_PUBLIC_URL: 'https://concord.example.org' });
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /^https:\/\/concord\.example\.org\/#\/invite\//);
  assert.equal(pub.stderr.includes('assume'), false);
});

test('an announcement left by a process that is gone is ignored', async () => {
  const dataDir = tempDir('concord-announce-');
  // A pid that cannot be running: above the kernel's pid_max ceiling.
  fs.writeFileSync(
    path.join(dataDir, ANNOUNCEMENT_FILE),
    JSON.stringify({ url: 'http://localhost:9999', pid: 4_194_305, startedAt: '2026-01-01' }),
  );
  const run = await cli(dataDir, ['setup-link']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /no running server/);
});
