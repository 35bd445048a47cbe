/** Starts a real Concord server in-process on 127.0.0.1, port 0, with a SQLite file in a temp dir. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerDeps } from '../../server/app.js';
import { type Config, testConfig } from '../../server/config.js';
import type { ReportSummary } from '../../shared/api.js';
import type { TemplateId } from '../../shared/templates.js';

export interface TestServer {
  app: FastifyInstance;
  baseUrl: string;
  /** ws://127.0.0.1:port/sync — the serverUrl for y-websocket's WebsocketProvider. */
  wsUrl: string;
  dataDir: string;
  close(): Promise<void>;
  createReport(title?: string, template?: TemplateId): Promise<ReportSummary>;
}

export function tempDir(prefix = 'concord-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestServer(
  options: { dataDir?: string; config?: Partial<Config>; deps?: ServerDeps } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const app = await buildServer(testConfig({ dataDir, ...options.config }), options.deps);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = address.replace('localhost', '127.0.0.1');
  return {
    app,
    baseUrl,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}/sync`,
    dataDir,
    close: () => app.close(),
    createReport: (title = 'Test report', template = 'gge-report') =>
      createReport(baseUrl, title, template),
  };
}

export async function createReport(
  baseUrl: string,
  title = 'Test report',
  template: TemplateId = 'gge-report',
): Promise<ReportSummary> {
  const res = await fetch(`${baseUrl}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, template }),
  });
  if (res.status !== 201) throw new Error(`create report: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { report: ReportSummary }).report;
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
