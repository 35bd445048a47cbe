/**
 * Consensus tracking in SQLite: paragraph statuses, delegations' positions and silence
 * procedures, each with its full history. SqliteStorage runs every command here inside its own
 * transaction, together with the audit row and the report event rows (audience 'group') it writes.
 * History tables are append-only, like the audit log.
 */
import type Database from 'better-sqlite3';
import type { PersonView, ThreadView } from '../../shared/comments.js';
import {
  DEFAULT_STATUS,
  LOCKED_STATUSES,
  type ParagraphHistoryResponse,
  type ParagraphStatus,
  type Position,
  type PositionView,
  type SilenceState,
  type SilenceView,
  STATUS_LABELS,
  type StatusView,
} from '../../shared/consensus.js';
import {
  type AuditEvent,
  ConflictError,
  type ConsensusCommand,
  type ConsensusCommandResult,
  type ConsensusRecord,
  type StoredEvent,
} from './types.js';

/** The migration that adds consensus tracking (appended to SqliteStorage's list). */
export const CONSENSUS_MIGRATION = `
  CREATE TABLE paragraph_statuses (
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    status TEXT NOT NULL,
    from_status TEXT NOT NULL,
    note TEXT,
    by TEXT,
    at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (report_id, paragraph_id)
  );
  CREATE TABLE paragraph_status_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT,
    by TEXT,
    at TEXT NOT NULL,
    cause TEXT NOT NULL
  );
  CREATE INDEX paragraph_status_history_by_paragraph
    ON paragraph_status_history(report_id, paragraph_id, id);
  CREATE TABLE positions (
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    state TEXT NOT NULL,
    position TEXT NOT NULL,
    explanation TEXT,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (report_id, paragraph_id, state)
  );
  CREATE TABLE position_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    state TEXT NOT NULL,
    position TEXT NOT NULL,
    explanation TEXT,
    by TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX position_history_by_paragraph ON position_history(report_id, paragraph_id, id);
  CREATE TABLE silences (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_ids TEXT NOT NULL,
    deadline TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    state TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    broken_by TEXT,
    broken_at TEXT,
    statement TEXT,
    settled_at TEXT,
    seq INTEGER NOT NULL
  );
  CREATE INDEX silences_by_report ON silences(report_id, started_at);
  CREATE INDEX silences_by_state ON silences(state, deadline);
  CREATE TRIGGER paragraph_status_history_no_update BEFORE UPDATE ON paragraph_status_history
    BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
  CREATE TRIGGER paragraph_status_history_no_delete BEFORE DELETE ON paragraph_status_history
    BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
  CREATE TRIGGER position_history_no_update BEFORE UPDATE ON position_history
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;
  CREATE TRIGGER position_history_no_delete BEFORE DELETE ON position_history
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;`;

interface StatusRow {
  paragraph_id: string;
  status: string;
  from_status: string;
  note: string | null;
  by: string | null;
  at: string;
  seq: number;
}

interface PositionRow {
  paragraph_id: string;
  state: string;
  position: string;
  explanation: string | null;
  by: string;
  at: string;
  seq: number;
}

interface SilenceRow {
  id: string;
  report_id: string;
  paragraph_ids: string;
  deadline: string;
  time_zone: string;
  state: string;
  started_by: string;
  started_at: string;
  broken_by: string | null;
  broken_at: string | null;
  statement: string | null;
  settled_at: string | null;
  seq: number;
}

const person = (json: string | null): PersonView | null =>
  json === null ? null : (JSON.parse(json) as PersonView);

function toStatus(r: StatusRow): StatusView {
  return {
    paragraphId: r.paragraph_id,
    status: r.status as ParagraphStatus,
    from: r.from_status as ParagraphStatus,
    note: r.note,
    by: person(r.by),
    at: r.at,
    seq: r.seq,
  };
}

function toPosition(r: PositionRow): PositionView {
  return {
    paragraphId: r.paragraph_id,
    state: r.state,
    position: r.position as Position,
    explanation: r.explanation,
    by: person(r.by)!,
    at: r.at,
    seq: r.seq,
  };
}

function toSilence(r: SilenceRow): SilenceView {
  return {
    id: r.id,
    reportId: r.report_id,
    paragraphIds: JSON.parse(r.paragraph_ids) as string[],
    deadline: r.deadline,
    timeZone: r.time_zone,
    state: r.state as SilenceState,
    startedBy: person(r.started_by)!,
    startedAt: r.started_at,
    brokenBy: person(r.broken_by),
    brokenAt: r.broken_at,
    statement: r.statement,
    settledAt: r.settled_at,
    seq: r.seq,
  };
}

const conflict = (message: string) => new ConflictError('consensus-conflict', message);

/** What the consensus code needs from SqliteStorage, all synchronous (inside its transaction). */
export interface ConsensusHost {
  db: Database.Database;
  writeAudit(event: AuditEvent): void;
  /** Opens a thread with its own audit row and event, in the current transaction. */
  openThread(
    reportId: string,
    command: NonNullable<Extract<ConsensusCommand, { type: 'position' }>['thread']>,
  ): { thread: ThreadView; event: StoredEvent };
}

/** Synchronous reads and writes; SqliteStorage wraps each call in guard / transaction. */
export class SqliteConsensus {
  constructor(private readonly host: ConsensusHost) {}

  private get db(): Database.Database {
    return this.host.db;
  }

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  /** Writes a report event (next seq of the report). Consensus events are seen by the whole group. */
  private event(reportId: string, make: (seq: number) => object): StoredEvent {
    const seq = this.one<{ n: number }>(
      'SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM report_events WHERE report_id = ?',
      reportId,
    )!.n;
    const payload = JSON.stringify(make(seq));
    // thread_id '' : not a thread event (scrubbing deleted messages never touches it).
    this.db
      .prepare(
        `INSERT INTO report_events (report_id, seq, thread_id, audience, payload)
         VALUES (?, ?, '', 'group', ?)`,
      )
      .run(reportId, seq, payload);
    return { seq, audience: 'group', payload };
  }

  private statusRow(reportId: string, paragraphId: string): StatusRow | undefined {
    return this.one<StatusRow>(
      'SELECT * FROM paragraph_statuses WHERE report_id = ? AND paragraph_id = ?',
      reportId,
      paragraphId,
    );
  }

  private runningSilences(reportId: string): SilenceView[] {
    return this.all<SilenceRow>(
      "SELECT * FROM silences WHERE report_id = ? AND state = 'running' ORDER BY deadline",
      reportId,
    ).map(toSilence);
  }

  private silenceRow(id: string): SilenceRow | undefined {
    return this.one<SilenceRow>('SELECT * FROM silences WHERE id = ?', id);
  }

  /** Sets a paragraph's status (current row and history) and writes its event. */
  private setStatus(
    reportId: string,
    paragraphId: string,
    to: ParagraphStatus,
    change: { note: string | null; by: PersonView | null; at: string; cause: 'member' | 'silence' },
  ): { view: StatusView; event: StoredEvent } | null {
    const from = (this.statusRow(reportId, paragraphId)?.status ??
      DEFAULT_STATUS) as ParagraphStatus;
    if (from === to) return null;
    const by = change.by ? JSON.stringify(change.by) : null;
    let view!: StatusView;
    const event = this.event(reportId, (seq) => {
      view = {
        paragraphId,
        status: to,
        from,
        note: change.note,
        by: change.by,
        at: change.at,
        seq,
      };
      return { seq, type: 'status', status: view };
    });
    this.db
      .prepare(
        `INSERT INTO paragraph_statuses (report_id, paragraph_id, status, from_status, note, by, at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (report_id, paragraph_id) DO UPDATE SET status = excluded.status,
           from_status = excluded.from_status, note = excluded.note, by = excluded.by,
           at = excluded.at, seq = excluded.seq`,
      )
      .run(reportId, paragraphId, to, from, change.note, by, change.at, view.seq);
    this.db
      .prepare(
        `INSERT INTO paragraph_status_history
           (report_id, paragraph_id, from_status, to_status, note, by, at, cause)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(reportId, paragraphId, from, to, change.note, by, change.at, change.cause);
    return { view, event };
  }

  private silenceEvent(reportId: string, id: string): { view: SilenceView; event: StoredEvent } {
    let view!: SilenceView;
    const event = this.event(reportId, (seq) => {
      this.db.prepare('UPDATE silences SET seq = ? WHERE id = ?').run(seq, id);
      view = toSilence(this.silenceRow(id)!);
      return { seq, type: 'silence', silence: view };
    });
    return { view, event };
  }

  /** Runs inside SqliteStorage's transaction. */
  apply(reportId: string, c: ConsensusCommand, audit: AuditEvent): ConsensusCommandResult {
    const events: StoredEvent[] = [];
    const result: ConsensusCommandResult = { changed: true, events };
    switch (c.type) {
      case 'status': {
        const current = (this.statusRow(reportId, c.paragraphId)?.status ??
          DEFAULT_STATUS) as ParagraphStatus;
        if (current !== c.from)
          throw conflict(
            `The paragraph's status changed meanwhile (it is now ${STATUS_LABELS[current]}). Reload and try again.`,
          );
        if (this.runningSilences(reportId).some((s) => s.paragraphIds.includes(c.paragraphId)))
          throw conflict('The paragraph is under a silence procedure: its status cannot change.');
        const set = this.setStatus(reportId, c.paragraphId, c.to, { ...c, cause: 'member' });
        if (!set) return { changed: false, events };
        events.push(set.event);
        result.status = set.view;
        break;
      }
      case 'position': {
        const before = this.one<PositionRow>(
          'SELECT * FROM positions WHERE report_id = ? AND paragraph_id = ? AND state = ?',
          reportId,
          c.paragraphId,
          c.state,
        );
        if (before && before.position === c.position && before.explanation === c.explanation) {
          return { changed: false, events, position: toPosition(before) };
        }
        if (c.thread) {
          const opened = this.host.openThread(reportId, c.thread);
          events.push(opened.event);
          result.thread = opened.thread;
        }
        const by = JSON.stringify(c.by);
        let view!: PositionView;
        const event = this.event(reportId, (seq) => {
          view = {
            paragraphId: c.paragraphId,
            state: c.state,
            position: c.position,
            explanation: c.explanation,
            by: c.by,
            at: c.at,
            seq,
          };
          return { seq, type: 'position', position: view };
        });
        this.db
          .prepare(
            `INSERT INTO positions (report_id, paragraph_id, state, position, explanation, by, at, seq)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (report_id, paragraph_id, state) DO UPDATE SET position = excluded.position,
               explanation = excluded.explanation, by = excluded.by, at = excluded.at, seq = excluded.seq`,
          )
          .run(reportId, c.paragraphId, c.state, c.position, c.explanation, by, c.at, view.seq);
        this.db
          .prepare(
            `INSERT INTO position_history (report_id, paragraph_id, state, position, explanation, by, at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(reportId, c.paragraphId, c.state, c.position, c.explanation, by, c.at);
        events.push(event);
        result.position = view;
        break;
      }
      case 'start-silence': {
        const locked = this.locked(reportId);
        const taken = c.paragraphIds.filter((p) => locked.has(p));
        if (taken.length > 0)
          throw conflict(
            `Already agreed or under silence: ${taken.join(', ')}. A silence procedure needs open text.`,
          );
        this.db
          .prepare(
            `INSERT INTO silences (id, report_id, paragraph_ids, deadline, time_zone, state,
               started_by, started_at, seq)
             VALUES (?, ?, ?, ?, ?, 'running', ?, ?, 0)`,
          )
          .run(
            c.id,
            reportId,
            JSON.stringify(c.paragraphIds),
            c.deadline,
            c.timeZone,
            JSON.stringify(c.by),
            c.at,
          );
        const s = this.silenceEvent(reportId, c.id);
        events.push(s.event);
        result.silence = s.view;
        break;
      }
      case 'break-silence':
      case 'cancel-silence':
      case 'settle-silence': {
        const row = this.silenceRow(c.silenceId);
        if (!row || row.report_id !== reportId)
          throw new ConflictError('not-found', 'No such silence procedure.');
        const silence = toSilence(row);
        if (c.type === 'settle-silence') {
          if (silence.state !== 'running' || Date.parse(silence.deadline) > Date.parse(c.at))
            return { changed: false, events, silence };
        } else if (silence.state !== 'running') {
          throw conflict(`This silence procedure is already over (${silence.state}).`);
        }
        if (c.type === 'break-silence' && Date.parse(c.at) >= Date.parse(silence.deadline))
          throw conflict('The deadline has passed: silence can no longer be broken.');
        const state: SilenceState =
          c.type === 'break-silence'
            ? 'broken'
            : c.type === 'cancel-silence'
              ? 'cancelled'
              : 'adopted';
        this.db
          .prepare(
            'UPDATE silences SET state = ?, broken_by = ?, broken_at = ?, statement = ?, settled_at = ? WHERE id = ?',
          )
          .run(
            state,
            c.type === 'break-silence' ? JSON.stringify(c.by) : null,
            c.type === 'break-silence' ? c.at : null,
            c.type === 'break-silence' ? c.statement : null,
            c.at,
            c.silenceId,
          );
        // Broken: back to under discussion. Adopted: agreed, as of the deadline. Cancelled: as is.
        if (state !== 'cancelled') {
          for (const pid of silence.paragraphIds) {
            const set =
              c.type === 'break-silence'
                ? this.setStatus(reportId, pid, 'under_discussion', {
                    note: `Silence broken: ${c.statement}`,
                    by: c.by,
                    at: c.at,
                    cause: 'silence',
                  })
                : this.setStatus(reportId, pid, 'agreed', {
                    note: 'Adopted: no one broke silence before the deadline.',
                    by: null,
                    at: silence.deadline,
                    cause: 'silence',
                  });
            if (set) events.push(set.event);
          }
        }
        const s = this.silenceEvent(reportId, c.silenceId);
        events.push(s.event);
        result.silence = s.view;
        break;
      }
    }
    this.host.writeAudit(audit);
    return result;
  }

  locked(reportId: string): Set<string> {
    const out = new Set<string>();
    for (const r of this.all<{ paragraph_id: string; status: string }>(
      'SELECT paragraph_id, status FROM paragraph_statuses WHERE report_id = ?',
      reportId,
    ))
      if (LOCKED_STATUSES.has(r.status as ParagraphStatus)) out.add(r.paragraph_id);
    for (const s of this.runningSilences(reportId)) for (const p of s.paragraphIds) out.add(p);
    return out;
  }

  read(reportId: string): ConsensusRecord {
    // The seq first (same transaction): every change after it reaches a client subscribing from it.
    const seq = this.one<{ n: number }>(
      'SELECT COALESCE(MAX(seq), 0) AS n FROM report_events WHERE report_id = ?',
      reportId,
    )!.n;
    return {
      statuses: this.all<StatusRow>(
        'SELECT * FROM paragraph_statuses WHERE report_id = ? ORDER BY seq',
        reportId,
      ).map(toStatus),
      positions: this.all<PositionRow>(
        'SELECT * FROM positions WHERE report_id = ? ORDER BY seq',
        reportId,
      ).map(toPosition),
      silences: this.all<SilenceRow>(
        'SELECT * FROM silences WHERE report_id = ? ORDER BY started_at, rowid',
        reportId,
      ).map(toSilence),
      seq,
    };
  }

  history(reportId: string, paragraphId: string): ParagraphHistoryResponse {
    return {
      statuses: this.all<{
        from_status: string;
        to_status: string;
        note: string | null;
        by: string | null;
        at: string;
        cause: string;
      }>(
        'SELECT * FROM paragraph_status_history WHERE report_id = ? AND paragraph_id = ? ORDER BY id',
        reportId,
        paragraphId,
      ).map((r) => ({
        from: r.from_status as ParagraphStatus,
        to: r.to_status as ParagraphStatus,
        note: r.note,
        by: person(r.by),
        at: r.at,
        cause: r.cause as 'member' | 'silence',
      })),
      positions: this.all<Omit<PositionRow, 'seq' | 'paragraph_id'>>(
        'SELECT * FROM position_history WHERE report_id = ? AND paragraph_id = ? ORDER BY id',
        reportId,
        paragraphId,
      ).map((r) => ({
        state: r.state,
        position: r.position as Position,
        explanation: r.explanation,
        by: person(r.by)!,
        at: r.at,
      })),
    };
  }

  silence(id: string): SilenceView | null {
    const row = this.silenceRow(id);
    return row ? toSilence(row) : null;
  }

  running(): SilenceView[] {
    return this.all<SilenceRow>(
      "SELECT * FROM silences WHERE state = 'running' ORDER BY deadline, rowid",
    ).map(toSilence);
  }
}
