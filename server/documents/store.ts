/**
 * Reports and their documents, in SQL both engines run: everything but the append itself, whose
 * group commit each engine tunes by hand (sqlite.ts, postgres.ts). The log is keyed by
 * (report_id, seq) with the seq assigned by the report's owner (types.ts, DocumentStore).
 */
import { type Db, view } from '../storage/sql.js';
import type {
  DocumentStore,
  InitialMetadata,
  ReportRecord,
  Snapshot,
  StoredDocument,
} from '../storage/types.js';
import { writeMetadataRow } from './metadata.js';

interface ReportRow {
  id: string;
  group_id: string | null;
  title: string;
  template: string;
  created_at: string;
  updated_at: string;
}

const REPORT =
  'SELECT r.id, r.group_id, r.title, r.template, r.created_at, r.updated_at FROM reports r';

function toRecord(row: ReportRow): ReportRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    title: row.title,
    template: row.template as ReportRecord['template'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The SQL of documents both engines run (appends are per engine; metadata is metadata.ts). */
export type DocumentReads = Omit<DocumentStore, 'appendUpdate' | 'getMetadata' | 'setMetadata'>;

export class SqlDocuments implements DocumentReads {
  constructor(private readonly db: Db) {}

  createReport(
    record: ReportRecord,
    initialUpdate: Uint8Array,
    metadata?: InitialMetadata,
  ): Promise<void> {
    return this.db.tx('createReport', async (q) => {
      await q.run(
        'INSERT INTO reports (id, group_id, title, template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        [
          record.id,
          record.groupId,
          record.title,
          record.template,
          record.createdAt,
          record.updatedAt,
        ],
      );
      await q.run('INSERT INTO report_updates (report_id, seq, data) VALUES (?, 1, ?)', [
        record.id,
        initialUpdate,
      ]);
      if (metadata)
        await writeMetadataRow(q, record.id, metadata.value, record.createdAt, metadata.by);
    });
  }

  async getReport(id: string): Promise<ReportRecord | null> {
    const row = await this.db.one<ReportRow>(`${REPORT} WHERE r.id = ?`, [id]);
    return row ? toRecord(row) : null;
  }

  async listReports(): Promise<ReportRecord[]> {
    return (await this.db.all<ReportRow>(`${REPORT} ORDER BY r.updated_at DESC, r.id`)).map(
      toRecord,
    );
  }

  async listReportsForUser(userId: string): Promise<ReportRecord[]> {
    const rows = await this.db.all<ReportRow>(
      `${REPORT} JOIN memberships m ON m.group_id = r.group_id
       WHERE m.user_id = ? ORDER BY r.updated_at DESC, r.id`,
      [userId],
    );
    return rows.map(toRecord);
  }

  async renameReport(id: string, title: string, at: string): Promise<ReportRecord | null> {
    const row = await this.db.one<ReportRow>(
      'UPDATE reports SET title = ?, updated_at = ? WHERE id = ? RETURNING id, group_id, title, template, created_at, updated_at',
      [title, at, id],
    );
    return row ? toRecord(row) : null;
  }

  loadDocument(id: string): Promise<StoredDocument | null> {
    return this.db.tx(
      'loadDocument',
      async (q): Promise<StoredDocument | null> => {
        if (!(await q.one('SELECT 1 AS ok FROM reports WHERE id = ?', [id]))) return null;
        const snap = await q.one<{ snapshot: Buffer; state_vector: Buffer; through_seq: number }>(
          'SELECT snapshot, state_vector, through_seq FROM report_snapshots WHERE report_id = ?',
          [id],
        );
        const after = snap?.through_seq ?? 0;
        const rows = await q.all<{ seq: number; data: Buffer }>(
          'SELECT seq, data FROM report_updates WHERE report_id = ? AND seq > ? ORDER BY seq',
          [id, after],
        );
        const bindings = await q.all<{ client_id: number; user_id: string }>(
          'SELECT client_id, user_id FROM client_bindings WHERE report_id = ?',
          [id],
        );
        return {
          snapshot: snap
            ? { update: view(snap.snapshot), stateVector: view(snap.state_vector) }
            : null,
          updates: rows.map((r) => view(r.data)),
          lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
          clientBindings: new Map(bindings.map((b) => [b.client_id, b.user_id])),
        };
      },
      { readOnly: true },
    );
  }

  compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    return this.db.tx('compact', async (q) => {
      await q.run(
        `INSERT INTO report_snapshots (report_id, snapshot, state_vector, through_seq) VALUES (?, ?, ?, ?)
         ON CONFLICT (report_id) DO UPDATE SET snapshot = excluded.snapshot,
           state_vector = excluded.state_vector, through_seq = excluded.through_seq
         WHERE excluded.through_seq >= report_snapshots.through_seq`,
        [reportId, snapshot.update, snapshot.stateVector, throughSeq],
      );
      await q.run('DELETE FROM report_updates WHERE report_id = ? AND seq <= ?', [
        reportId,
        throughSeq,
      ]);
    });
  }
}
