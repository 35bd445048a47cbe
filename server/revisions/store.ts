/**
 * Revisions in SQL both engines run. Issuing one is one transaction holding the report's lock:
 * the revision row (state, content, sha256), its report event, its audit row and, for the final
 * revision, the adoption. Revisions and adoptions are append-only (the engines' triggers refuse
 * changes); the sha256 covers every stored field and is checked whenever a revision is read.
 */
import { createHash } from 'node:crypto';
import type { PersonView } from '../../shared/comments.js';
import {
  type AdoptionView,
  normaliseLabel,
  type RevisionEvent,
  type RevisionSummary,
} from '../../shared/revisions.js';
import { writeAudit } from '../audit/store.js';
import { insertEvent, lastEventSeqIn, nextEventSeq, reportLock } from '../comments/event-log.js';
import { type Db, isUniqueViolation, type Sql, view } from '../storage/sql.js';
import {
  type AuditEvent,
  ConflictError,
  type IssuedRevision,
  type NewRevision,
  type RevisionRecord,
  type RevisionStore,
  StorageError,
  type StoredEvent,
} from '../storage/types.js';

interface SummaryRow {
  id: string;
  report_id: string;
  number: number;
  label: string;
  date: string;
  cover_note: string | null;
  issued_by: string;
  issued_at: string;
  final: number;
  sha256: string;
  bytes: number;
  seq: number;
}

interface FullRow extends SummaryRow {
  state: Buffer;
  content: string;
}

const SUMMARY =
  'SELECT id, report_id, number, label, date, cover_note, issued_by, issued_at, final, sha256, bytes, seq FROM revisions';
const FULL =
  'SELECT id, report_id, number, label, date, cover_note, issued_by, issued_at, final, sha256, bytes, seq, state, content FROM revisions';

function toSummary(r: SummaryRow): RevisionSummary {
  return {
    id: r.id,
    reportId: r.report_id,
    number: Number(r.number),
    label: r.label,
    date: r.date,
    coverNote: r.cover_note,
    issuedBy: JSON.parse(r.issued_by) as PersonView,
    issuedAt: r.issued_at,
    final: Number(r.final) === 1,
    sha256: r.sha256,
    bytes: Number(r.bytes),
    seq: Number(r.seq),
  };
}

/**
 * The hash of a revision: every field it was issued with (in a fixed order), its content and its
 * encoded state. Changing any stored byte changes it.
 */
export function revisionHash(
  s: Omit<RevisionSummary, 'sha256' | 'bytes' | 'seq'>,
  content: string,
  state: Uint8Array,
): string {
  const head = JSON.stringify([
    s.id,
    s.reportId,
    s.number,
    s.label,
    s.date,
    s.coverNote,
    s.issuedBy,
    s.issuedAt,
    s.final,
  ]);
  return createHash('sha256')
    .update(head)
    .update('\n')
    .update(content)
    .update('\n')
    .update(state)
    .digest('hex');
}

/** Thrown when a stored revision no longer matches its hash (a storage fault: 503, logged). */
export class RevisionCorrupt extends StorageError {
  override name = 'RevisionCorrupt';
}

function verified(r: FullRow): RevisionRecord {
  const summary = toSummary(r);
  const state = view(r.state);
  if (revisionHash(summary, r.content, state) !== r.sha256)
    throw new RevisionCorrupt(
      `Revision ${r.id} (${r.label}) of report ${r.report_id} does not match its sha256: its stored bytes changed.`,
    );
  return { ...summary, state, content: r.content };
}

interface AdoptionRow {
  revision_id: string;
  at: string;
  by: string;
  statement: string;
}

const toAdoption = (r: AdoptionRow): AdoptionView => ({
  revisionId: r.revision_id,
  at: r.at,
  by: JSON.parse(r.by) as PersonView,
  statement: r.statement,
});

async function adoptionIn(q: Sql, reportId: string): Promise<AdoptionView | null> {
  const row = await q.one<AdoptionRow>(
    'SELECT revision_id, at, by, statement FROM report_adoptions WHERE report_id = ?',
    [reportId],
  );
  return row ? toAdoption(row) : null;
}

async function issueIn(
  q: Sql,
  reportId: string,
  r: NewRevision,
  audit: AuditEvent,
): Promise<IssuedRevision> {
  if ((await lastEventSeqIn(q, reportId)) !== r.afterEventSeq)
    throw new ConflictError(
      'revision-changed',
      'The report changed while the revision was being taken: take it again.',
    );
  if (await adoptionIn(q, reportId))
    throw new ConflictError('adopted', 'The report is adopted: no revision can follow.');
  const key = normaliseLabel(r.label);
  if (
    await q.one('SELECT id FROM revisions WHERE report_id = ? AND label_key = ?', [reportId, key])
  )
    throw new ConflictError('revision-label', `A revision labelled "${r.label}" exists already.`);
  const last = await q.one<{ n: number | null }>(
    'SELECT MAX(number) AS n FROM revisions WHERE report_id = ?',
    [reportId],
  );
  const number = Number(last?.n ?? 0) + 1;
  const seq = await nextEventSeq(q, reportId);
  const base = {
    id: r.id,
    reportId,
    number,
    label: r.label,
    date: r.date,
    coverNote: r.coverNote,
    issuedBy: r.issuedBy,
    issuedAt: r.issuedAt,
    final: r.adoption !== null,
  };
  const sha256 = revisionHash(base, r.content, r.state);
  const bytes = r.state.byteLength + Buffer.byteLength(r.content);
  const revision: RevisionSummary = { ...base, sha256, bytes, seq };
  await q.run(
    `INSERT INTO revisions (id, report_id, number, label, label_key, date, cover_note, issued_by,
       issued_at, final, state, content, sha256, bytes, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.id,
      reportId,
      number,
      r.label,
      key,
      r.date,
      r.coverNote,
      JSON.stringify(r.issuedBy),
      r.issuedAt,
      base.final ? 1 : 0,
      r.state,
      r.content,
      sha256,
      bytes,
      seq,
    ],
  );
  let adoption: AdoptionView | undefined;
  if (r.adoption) {
    adoption = {
      revisionId: r.id,
      at: r.issuedAt,
      by: r.issuedBy,
      statement: r.adoption.statement,
    };
    await q.run(
      'INSERT INTO report_adoptions (report_id, revision_id, at, by, statement) VALUES (?, ?, ?, ?, ?)',
      [reportId, r.id, adoption.at, JSON.stringify(adoption.by), adoption.statement],
    );
  }
  const payload: RevisionEvent = { seq, type: 'revision', revision, ...(adoption && { adoption }) };
  const event: StoredEvent = { seq, audience: 'group', payload: JSON.stringify(payload) };
  await insertEvent(q, reportId, '', event);
  await writeAudit(q, audit);
  return { revision, event, adoption: adoption ?? null };
}

export class SqlRevisionStore implements RevisionStore {
  constructor(private readonly db: Db) {}

  async issueRevision(
    reportId: string,
    revision: NewRevision,
    audit: AuditEvent,
  ): Promise<IssuedRevision> {
    try {
      return await this.db.tx('issueRevision', (q) => issueIn(q, reportId, revision, audit), {
        lock: reportLock(reportId),
      });
    } catch (err) {
      // The unique keys are the last word when two issues race past the checks.
      const cause = err instanceof StorageError ? err.cause : err;
      if (!isUniqueViolation(cause)) throw err;
      const message = String((cause as Error).message);
      if (message.includes('label_key'))
        throw new ConflictError(
          'revision-label',
          `A revision labelled "${revision.label}" exists already.`,
        );
      if (message.includes('number'))
        throw new ConflictError('revision-changed', 'Another revision was issued meanwhile.');
      throw err;
    }
  }

  async listRevisions(reportId: string): Promise<RevisionSummary[]> {
    const rows = await this.db.all<SummaryRow>(`${SUMMARY} WHERE report_id = ? ORDER BY number`, [
      reportId,
    ]);
    return rows.map(toSummary);
  }

  async getRevision(id: string): Promise<RevisionRecord | null> {
    const row = await this.db.one<FullRow>(`${FULL} WHERE id = ?`, [id]);
    return row ? verified(row) : null;
  }

  async getLastRevision(reportId: string): Promise<RevisionRecord | null> {
    const row = await this.db.one<FullRow>(
      `${FULL} WHERE report_id = ? ORDER BY number DESC LIMIT 1`,
      [reportId],
    );
    return row ? verified(row) : null;
  }

  getAdoption(reportId: string): Promise<AdoptionView | null> {
    return adoptionIn(this.db, reportId);
  }

  async getKeepNumbers(reportId: string): Promise<boolean> {
    const row = await this.db.one<{ keep_numbers: number }>(
      'SELECT keep_numbers FROM report_numbering WHERE report_id = ?',
      [reportId],
    );
    return Number(row?.keep_numbers ?? 0) === 1;
  }

  setKeepNumbers(reportId: string, on: boolean, audit: AuditEvent): Promise<StoredEvent | null> {
    return this.db.tx(
      'setKeepNumbers',
      async (q) => {
        const before = await q.one<{ keep_numbers: number }>(
          'SELECT keep_numbers FROM report_numbering WHERE report_id = ?',
          [reportId],
        );
        if (Number(before?.keep_numbers ?? 0) === (on ? 1 : 0)) return null;
        await q.run(
          `INSERT INTO report_numbering (report_id, keep_numbers) VALUES (?, ?)
           ON CONFLICT (report_id) DO UPDATE SET keep_numbers = excluded.keep_numbers`,
          [reportId, on ? 1 : 0],
        );
        const seq = await nextEventSeq(q, reportId);
        const event: StoredEvent = {
          seq,
          audience: 'group',
          payload: JSON.stringify({ seq, type: 'numbering', keepNumbers: on }),
        };
        await insertEvent(q, reportId, '', event);
        await writeAudit(q, audit);
        return event;
      },
      { lock: reportLock(reportId) },
    );
  }
}
