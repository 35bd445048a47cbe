/**
 * migrate-to-postgres: copies a SQLite installation into an empty PostgreSQL database, then
 * verifies the copy (every table's row count, and every document rebuilt on both sides hashed
 * the same). The copy is one PostgreSQL transaction read from one SQLite snapshot: it lands
 * whole or not at all. Stop the server first: what it writes during the copy is not copied.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import type { PostgresStorage } from './postgres.js';
import type { PostgresDb } from './postgres-db.js';
import type { Param } from './sql.js';
import type { SqliteStorage } from './sqlite.js';
import type { SqliteDb } from './sqlite-db.js';
import type { StoredDocument } from './types.js';

/** Every table, parents before children (foreign keys), with its identity column if any. */
const TABLES: ReadonlyArray<{ name: string; identity?: string }> = [
  { name: 'users' },
  { name: 'groups' },
  { name: 'memberships' },
  { name: 'sessions' },
  { name: 'invitations' },
  { name: 'audit_log', identity: 'id' },
  { name: 'reports' },
  { name: 'report_metadata' },
  { name: 'report_snapshots' },
  { name: 'report_updates' },
  { name: 'client_bindings' },
  { name: 'report_event_seqs' },
  { name: 'threads' },
  { name: 'thread_messages' },
  { name: 'thread_message_revisions' },
  { name: 'report_events' },
  { name: 'thread_idempotency' },
  { name: 'inbox' },
  { name: 'thread_reads' },
  { name: 'paragraph_statuses' },
  { name: 'paragraph_status_history', identity: 'id' },
  { name: 'positions' },
  { name: 'position_history', identity: 'id' },
  { name: 'silences' },
  { name: 'silence_notices' },
  { name: 'revisions' },
  { name: 'report_adoptions' },
  { name: 'report_numbering' },
];

/** Rows per INSERT statement. */
const CHUNK = 200;

export interface CopyReport {
  tables: Array<{ name: string; rows: number }>;
  documents: Array<{ id: string; sha256: string }>;
}

export class CopyRefused extends Error {
  override name = 'CopyRefused';
}

/** A document's content, hashed: the state it rebuilds to (snapshot and log applied). */
function documentHash(stored: StoredDocument): string {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  const hash = createHash('sha256').update(Y.encodeStateAsUpdate(doc)).digest('hex');
  doc.destroy();
  return hash;
}

async function counts(pgDb: PostgresDb): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of TABLES)
    out.set(t.name, (await pgDb.one<{ n: number }>(`SELECT count(*) AS n FROM ${t.name}`))!.n);
  return out;
}

/**
 * Copies `source` into `target` (whose schema is already up to date) and verifies it. Refuses
 * (CopyRefused) a target that holds anything.
 */
export async function copySqliteToPostgres(
  source: SqliteStorage,
  target: PostgresStorage,
  progress: (line: string) => void = () => {},
): Promise<CopyReport> {
  const sqlite = source.db as SqliteDb;
  const pgDb = target.db as PostgresDb;
  const before = await counts(pgDb);
  const filled = [...before].filter(([, n]) => n > 0);
  if (filled.length > 0)
    throw new CopyRefused(
      `the PostgreSQL database is not empty (${filled.map(([t, n]) => `${t}: ${n}`).join(', ')}); copy into a new, empty database`,
    );

  const raw = sqlite.raw;
  const copied: CopyReport['tables'] = [];
  // One snapshot of the source for the whole copy (a read transaction on its connection).
  await sqlite.connection.acquire();
  raw.exec('BEGIN');
  try {
    await pgDb.tx('migrate-to-postgres', async (q) => {
      for (const t of TABLES) {
        const rows = raw.prepare(`SELECT * FROM ${t.name} ORDER BY rowid`).all() as Array<
          Record<string, unknown>
        >;
        if (rows.length > 0) {
          const columns = Object.keys(rows[0]!);
          for (let i = 0; i < rows.length; i += CHUNK) {
            const chunk = rows.slice(i, i + CHUNK);
            const row = `(${columns.map(() => '?').join(', ')})`;
            await q.run(
              `INSERT INTO ${t.name} (${columns.join(', ')}) VALUES ${chunk.map(() => row).join(', ')}`,
              chunk.flatMap((r) => columns.map((c) => r[c] as Param)),
            );
          }
          if (t.identity)
            await q.one(
              `SELECT setval(pg_get_serial_sequence('${t.name}', '${t.identity}'), (SELECT MAX(${t.identity}) FROM ${t.name}))`,
            );
        }
        copied.push({ name: t.name, rows: rows.length });
        progress(`${t.name}: ${rows.length} rows`);
      }
    });
  } finally {
    raw.exec('COMMIT');
    sqlite.connection.release();
  }

  // Verify: the same number of rows in every table, the same documents.
  const after = await counts(pgDb);
  for (const t of copied) {
    if (after.get(t.name) !== t.rows)
      throw new Error(
        `verification failed: ${t.name} has ${after.get(t.name)} rows, expected ${t.rows}`,
      );
  }
  const documents: CopyReport['documents'] = [];
  for (const r of await source.listReports()) {
    const [from, to] = await Promise.all([source.loadDocument(r.id), target.loadDocument(r.id)]);
    if (!from || !to) throw new Error(`verification failed: report ${r.id} is missing`);
    const hash = documentHash(from);
    if (documentHash(to) !== hash || to.lastSeq !== from.lastSeq)
      throw new Error(`verification failed: report ${r.id} differs after the copy`);
    documents.push({ id: r.id, sha256: hash });
  }
  return { tables: copied, documents };
}
