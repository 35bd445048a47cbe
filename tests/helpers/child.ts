/** Runs the real server entry point (server/main.ts) as a child process, for crash and shutdown tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccount, createGroup } from '../../server/accounts.js';
import { databaseForDataDir, openEngine, TEST_ENGINE } from './engines.js';
import { TEST_SCRATCH_ROOTS } from './server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Seeds a data directory (or, on PostgreSQL, the database standing for it) with a group and a
 * chair (email chair@test.example, password chair-password).
 */
export async function seedDataDir(dataDir: string): Promise<{ groupId: string }> {
  const { storage } = await openEngine(TEST_ENGINE, dataDir);
  try {
    const group = await createGroup(storage, 'Test group');
    await createAccount(storage, {
      email: 'chair@test.example',
      displayName: 'The Chair',
      password: 'chair-password',
      membership: { groupId: group.id, role: 'chair', represents: null },
    });
    return { groupId: group.id };
  } finally {
    await storage.close();
  }
}

export interface ChildServer {
  proc: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

export async function startChildServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const port = await freePort();
  const databaseUrl = TEST_ENGINE === 'postgres' ? await databaseForDataDir(dataDir) : '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      CONCORD_HOST: '127.0.0.1',
      CONCORD_PORT: String(port),
      CONCORD_DATA_DIR: dataDir,
      CONCORD_DATABASE_URL: databaseUrl,
      CONCORD_LOG_LEVEL: 'warn',
      CONCORD_SCRATCH_ROOTS: TEST_SCRATCH_ROOTS.join(','),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, port, baseUrl, output: () => out, exited };
}
