/**
 * A document's metadata (shared/metadata.ts), in SQL both engines run: one row per report in
 * report_metadata. A change is one transaction under the report's lock: the row, its audit line
 * and a report event (audience 'group': everyone in the report sees the masthead), pushed after
 * the commit like consensus events.
 */
import type { DocumentMetadata, MetadataView } from '../../shared/metadata.js';
import { DEFAULT_METADATA } from '../../shared/metadata.js';
import { writeAudit } from '../audit/store.js';
import { insertEvent, nextEventSeq, reportLock } from '../comments/event-log.js';
import type { Db, Sql } from '../storage/sql.js';
import type { AuditEvent, MetadataChange, StoredEvent } from '../storage/types.js';

interface MetadataRow {
  symbol: string;
  distribution: string;
  date: string;
  original_language: string;
  session: string;
  agenda_item: string;
  document_type: string;
  updated_at: string;
  updated_by: string;
}

const COLUMNS =
  'symbol, distribution, date, original_language, session, agenda_item, document_type, updated_at, updated_by';

function toView(row: MetadataRow | undefined): MetadataView {
  if (!row) return { ...DEFAULT_METADATA, updatedAt: null, updatedBy: null };
  return {
    symbol: row.symbol,
    distribution: row.distribution as MetadataView['distribution'],
    date: row.date,
    originalLanguage: row.original_language as MetadataView['originalLanguage'],
    session: row.session,
    agendaItem: row.agenda_item,
    documentType: row.document_type as MetadataView['documentType'],
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

async function read(q: Sql, reportId: string): Promise<MetadataView> {
  return toView(
    await q.one<MetadataRow>(`SELECT ${COLUMNS} FROM report_metadata WHERE report_id = ?`, [
      reportId,
    ]),
  );
}

/** Inserts or replaces the report's metadata row (inside the caller's transaction). */
export async function writeMetadataRow(
  q: Sql,
  reportId: string,
  metadata: DocumentMetadata,
  at: string,
  by: string,
): Promise<void> {
  await q.run(
    `INSERT INTO report_metadata (report_id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (report_id) DO UPDATE SET symbol = excluded.symbol,
       distribution = excluded.distribution, date = excluded.date,
       original_language = excluded.original_language, session = excluded.session,
       agenda_item = excluded.agenda_item, document_type = excluded.document_type,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [
      reportId,
      metadata.symbol,
      metadata.distribution,
      metadata.date,
      metadata.originalLanguage,
      metadata.session,
      metadata.agendaItem,
      metadata.documentType,
      at,
      by,
    ],
  );
}

export class SqlMetadataStore {
  constructor(private readonly db: Db) {}

  /** The report's metadata (the defaults when never set). */
  getMetadata(reportId: string): Promise<MetadataView> {
    return this.db.tx('getMetadata', (q) => read(q, reportId), { readOnly: true });
  }

  /** Replaces the report's metadata, with its audit line and report event, in one transaction. */
  setMetadata(
    reportId: string,
    metadata: DocumentMetadata,
    by: string,
    at: string,
    audit: AuditEvent,
  ): Promise<MetadataChange> {
    return this.db.tx(
      'setMetadata',
      async (q) => {
        const before = await read(q, reportId);
        const same = (Object.keys(metadata) as Array<keyof DocumentMetadata>).every(
          (k) => before[k] === metadata[k],
        );
        if (same && before.updatedAt !== null)
          return { metadata: before, changed: false, event: null };
        await writeMetadataRow(q, reportId, metadata, at, by);
        const view: MetadataView = { ...metadata, updatedAt: at, updatedBy: by };
        const changed = (Object.keys(metadata) as Array<keyof DocumentMetadata>).filter(
          (k) => before[k] !== metadata[k],
        );
        await writeAudit(q, {
          ...audit,
          detail: {
            ...(audit.detail ?? {}),
            changed: Object.fromEntries(
              changed.map((k) => [k, { from: before[k], to: metadata[k] }]),
            ),
          },
        });
        const seq = await nextEventSeq(q, reportId);
        const event: StoredEvent = {
          seq,
          audience: 'group',
          payload: JSON.stringify({ type: 'metadata', seq, metadata: view }),
        };
        await insertEvent(q, reportId, '', event);
        return { metadata: view, changed: true, event };
      },
      { lock: reportLock(reportId) },
    );
  }
}
