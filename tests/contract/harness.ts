/**
 * The contract suites' harness: each suite describes the behaviour once and runs it on every
 * engine (helpers/engines.ts), each test on a fresh store (a SQLite file in a temp dir, or a
 * PostgreSQL database of its own, dropped afterwards).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe } from 'node:test';
import type {
  AuditEvent,
  GroupRecord,
  MemberRecord,
  Storage,
  UserRecord,
} from '../../server/storage/types.js';
import type { Role } from '../../shared/roles.js';
import { dropTestDatabase, ENGINES, openEngine, type TestEngine } from '../helpers/engines.js';

export interface Fresh {
  storage: Storage;
  engine: TestEngine;
  dataDir: string;
}

/** Runs `body` once per engine; `fresh()` opens a new, empty store (closed and dropped after the suite). */
export function contract(
  name: string,
  body: (fresh: () => Promise<Fresh>, engine: TestEngine) => void,
): void {
  for (const engine of ENGINES) {
    const skip =
      engine === 'postgres' && process.env['CONCORD_TEST_POSTGRES'] === 'skip'
        ? 'PostgreSQL is not reachable (tests/run.mjs said so above)'
        : false;
    describe(`${name} [${engine}]`, { skip }, () => {
      const opened: Array<{ storage: Storage; url: string | null; dataDir: string }> = [];
      after(async () => {
        for (const o of opened) {
          await o.storage.close().catch(() => {});
          if (o.url) await dropTestDatabase(new URL(o.url).pathname.slice(1));
          fs.rmSync(o.dataDir, { recursive: true, force: true });
        }
      });
      body(async () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-contract-'));
        const { storage, url } = await openEngine(engine, dataDir);
        opened.push({ storage, url, dataDir });
        return { storage, engine, dataDir };
      }, engine);
    });
  }
}

let n = 0;
const next = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

export function audit(
  action: string,
  groupId: string | null = null,
  target: string | null = null,
): AuditEvent {
  return {
    at: new Date().toISOString(),
    groupId,
    actorId: null,
    actor: 'contract test',
    action,
    target,
    detail: { n },
    ip: '127.0.0.1',
    requestId: null,
  };
}

export function user(email?: string): UserRecord {
  const id = `u_${next()}`;
  return {
    id,
    email: email ?? `${id}@contract.example`,
    displayName: `User ${id}`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$fake$hash',
    createdAt: new Date().toISOString(),
  };
}

export function group(name = 'Group'): GroupRecord {
  return { id: `g_${next()}`, name, createdAt: new Date().toISOString() };
}

export function member(
  groupId: string,
  userId: string,
  role: Role,
  represents: string | null = null,
): MemberRecord {
  return { groupId, userId, role, represents, createdAt: new Date().toISOString() };
}

/** A group with a report in it (a one-update document). */
export async function groupWithReport(
  storage: Storage,
  initialUpdate: Uint8Array = new Uint8Array([0, 0]),
): Promise<{ groupId: string; reportId: string }> {
  const g = group();
  await storage.createGroup(g, audit('group.create', g.id));
  const reportId = `r_${next()}`;
  const now = new Date().toISOString();
  await storage.createReport(
    {
      id: reportId,
      groupId: g.id,
      title: 'Report',
      template: 'gge-report',
      createdAt: now,
      updatedAt: now,
    },
    initialUpdate,
  );
  return { groupId: g.id, reportId };
}

/** Settles every promise; returns the outcomes. */
export async function settleAll<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(promises);
}
