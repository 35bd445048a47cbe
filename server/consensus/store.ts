/**
 * Consensus tracking, in SQL both engines run: paragraph statuses, delegations' positions and
 * silence procedures, each with its full history. Every command is one transaction holding the
 * report's lock, with the audit row and the report event rows (audience 'group') it writes.
 * History tables are append-only, like the audit log (the engines' triggers refuse changes).
 * One piece (about 500 lines): the commands and the reads share the row mappers and the
 * preconditions (what is locked, what runs), which must read the same in both.
 */
import type { PersonView } from '../../shared/comments.js';
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
import { WHOLE_DOCUMENT_LOCK } from '../../shared/revisions.js';
import { writeAudit } from '../audit/store.js';
import { insertEvent, lastEventSeqIn, nextEventSeq, reportLock } from '../comments/event-log.js';
import { notifySilenceOutcome } from '../comments/inbox-store.js';
import { applyThreadCommandIn } from '../comments/store.js';
import type { Db, Sql } from '../storage/sql.js';
import {
  type AuditEvent,
  ConflictError,
  type ConsensusCommand,
  type ConsensusCommandResult,
  type ConsensusRecord,
  type ConsensusStore,
  type StoredEvent,
} from '../storage/types.js';

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

const SILENCE =
  'SELECT id, report_id, paragraph_ids, deadline, time_zone, state, started_by, started_at, broken_by, broken_at, statement, settled_at, seq FROM silences s';

/** Writes a report event (next seq of the report). Consensus events are seen by the whole group. */
async function groupEvent(
  q: Sql,
  reportId: string,
  make: (seq: number) => object,
): Promise<StoredEvent> {
  const seq = await nextEventSeq(q, reportId);
  const event: StoredEvent = { seq, audience: 'group', payload: JSON.stringify(make(seq)) };
  // thread_id '' : not a thread event (scrubbing deleted messages never touches it).
  await insertEvent(q, reportId, '', event);
  return event;
}

async function statusRow(
  q: Sql,
  reportId: string,
  paragraphId: string,
): Promise<StatusRow | undefined> {
  return q.one<StatusRow>(
    'SELECT paragraph_id, status, from_status, note, by, at, seq FROM paragraph_statuses WHERE report_id = ? AND paragraph_id = ?',
    [reportId, paragraphId],
  );
}

async function runningSilences(q: Sql, reportId: string): Promise<SilenceView[]> {
  const rows = await q.all<SilenceRow>(
    `${SILENCE} WHERE s.report_id = ? AND s.state = 'running' ORDER BY s.deadline, ${q.dialect.insertionOrder('s')}`,
    [reportId],
  );
  return rows.map(toSilence);
}

function silenceRow(q: Sql, id: string): Promise<SilenceRow | undefined> {
  return q.one<SilenceRow>(`${SILENCE} WHERE s.id = ?`, [id]);
}

/** Sets a paragraph's status (current row and history) and writes its event. */
async function setStatus(
  q: Sql,
  reportId: string,
  paragraphId: string,
  to: ParagraphStatus,
  change: { note: string | null; by: PersonView | null; at: string; cause: 'member' | 'silence' },
): Promise<{ view: StatusView; event: StoredEvent } | null> {
  const from = ((await statusRow(q, reportId, paragraphId))?.status ??
    DEFAULT_STATUS) as ParagraphStatus;
  if (from === to) return null;
  const by = change.by ? JSON.stringify(change.by) : null;
  let view!: StatusView;
  const event = await groupEvent(q, reportId, (seq) => {
    view = { paragraphId, status: to, from, note: change.note, by: change.by, at: change.at, seq };
    return { seq, type: 'status', status: view };
  });
  await q.run(
    `INSERT INTO paragraph_statuses (report_id, paragraph_id, status, from_status, note, by, at, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (report_id, paragraph_id) DO UPDATE SET status = excluded.status,
       from_status = excluded.from_status, note = excluded.note, by = excluded.by,
       at = excluded.at, seq = excluded.seq`,
    [reportId, paragraphId, to, from, change.note, by, change.at, view.seq],
  );
  await q.run(
    `INSERT INTO paragraph_status_history
       (report_id, paragraph_id, from_status, to_status, note, by, at, cause)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [reportId, paragraphId, from, to, change.note, by, change.at, change.cause],
  );
  return { view, event };
}

async function silenceEvent(
  q: Sql,
  reportId: string,
  id: string,
): Promise<{ view: SilenceView; event: StoredEvent }> {
  const seq = await nextEventSeq(q, reportId);
  await q.run('UPDATE silences SET seq = ? WHERE id = ?', [seq, id]);
  const view = toSilence((await silenceRow(q, id))!);
  const event: StoredEvent = {
    seq,
    audience: 'group',
    payload: JSON.stringify({ seq, type: 'silence', silence: view }),
  };
  await insertEvent(q, reportId, '', event);
  return { view, event };
}

/** Locked paragraphs; those with a status in `except` only when a running silence holds them. */
async function lockedIn(
  q: Sql,
  reportId: string,
  except: ReadonlySet<ParagraphStatus> = new Set(),
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const r of await q.all<{ paragraph_id: string; status: string }>(
    'SELECT paragraph_id, status FROM paragraph_statuses WHERE report_id = ?',
    [reportId],
  )) {
    const status = r.status as ParagraphStatus;
    if (LOCKED_STATUSES.has(status) && !except.has(status)) out.add(r.paragraph_id);
  }
  for (const s of await runningSilences(q, reportId)) for (const p of s.paragraphIds) out.add(p);
  // An adopted report is locked whole (server/revisions: adoption).
  if (await q.one('SELECT report_id FROM report_adoptions WHERE report_id = ?', [reportId]))
    out.add(WHOLE_DOCUMENT_LOCK);
  return out;
}

/** One command inside its transaction (which holds the report's lock). */
async function apply(
  q: Sql,
  reportId: string,
  c: ConsensusCommand,
  audit: AuditEvent,
): Promise<ConsensusCommandResult> {
  const events: StoredEvent[] = [];
  const result: ConsensusCommandResult = { changed: true, events };
  // Adoption is never reopened: no status changes and no silence starts after it.
  if (
    (c.type === 'status' || c.type === 'start-silence') &&
    (await q.one('SELECT report_id FROM report_adoptions WHERE report_id = ?', [reportId]))
  )
    throw conflict('The report is adopted: its text and statuses no longer change.');
  switch (c.type) {
    case 'status': {
      const current = ((await statusRow(q, reportId, c.paragraphId))?.status ??
        DEFAULT_STATUS) as ParagraphStatus;
      if (current !== c.from)
        throw conflict(
          `The paragraph's status changed meanwhile (it is now ${STATUS_LABELS[current]}). Reload and try again.`,
        );
      if ((await runningSilences(q, reportId)).some((s) => s.paragraphIds.includes(c.paragraphId)))
        throw conflict('The paragraph is under a silence procedure: its status cannot change.');
      const set = await setStatus(q, reportId, c.paragraphId, c.to, { ...c, cause: 'member' });
      if (!set) return { changed: false, events };
      events.push(set.event);
      result.status = set.view;
      break;
    }
    case 'position': {
      const before = await q.one<PositionRow>(
        'SELECT paragraph_id, state, position, explanation, by, at, seq FROM positions WHERE report_id = ? AND paragraph_id = ? AND state = ?',
        [reportId, c.paragraphId, c.state],
      );
      if (before && before.position === c.position && before.explanation === c.explanation) {
        return { changed: false, events, position: toPosition(before) };
      }
      if (c.thread) {
        // The explanation's thread, in this same transaction: if it fails, nothing is written.
        const opened = await applyThreadCommandIn(
          q,
          reportId,
          c.thread.command,
          c.thread.audit,
          c.thread.notify ?? [],
        );
        if (!opened.event) throw new Error('opening the position thread wrote no event');
        events.push(opened.event);
        result.thread = opened.thread;
      }
      const by = JSON.stringify(c.by);
      let view!: PositionView;
      const event = await groupEvent(q, reportId, (seq) => {
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
      await q.run(
        `INSERT INTO positions (report_id, paragraph_id, state, position, explanation, by, at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (report_id, paragraph_id, state) DO UPDATE SET position = excluded.position,
           explanation = excluded.explanation, by = excluded.by, at = excluded.at, seq = excluded.seq`,
        [reportId, c.paragraphId, c.state, c.position, c.explanation, by, c.at, view.seq],
      );
      await q.run(
        `INSERT INTO position_history (report_id, paragraph_id, state, position, explanation, by, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [reportId, c.paragraphId, c.state, c.position, c.explanation, by, c.at],
      );
      events.push(event);
      result.position = view;
      break;
    }
    case 'start-silence': {
      // Text agreed ad referendum is locked, yet a silence is how its confirmation is often sought.
      const locked = await lockedIn(q, reportId, new Set(['agreed_ad_ref']));
      const taken = c.paragraphIds.filter((p) => locked.has(p));
      if (taken.length > 0)
        throw conflict(
          `Already agreed or under silence: ${taken.join(', ')}. A silence procedure needs open text.`,
        );
      await q.run(
        `INSERT INTO silences (id, report_id, paragraph_ids, deadline, time_zone, state,
           started_by, started_at, seq)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?, 0)`,
        [
          c.id,
          reportId,
          JSON.stringify(c.paragraphIds),
          c.deadline,
          c.timeZone,
          JSON.stringify(c.by),
          c.at,
        ],
      );
      const s = await silenceEvent(q, reportId, c.id);
      events.push(s.event);
      result.silence = s.view;
      break;
    }
    case 'break-silence':
    case 'cancel-silence':
    case 'settle-silence': {
      const row = await silenceRow(q, c.silenceId);
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
      await q.run(
        'UPDATE silences SET state = ?, broken_by = ?, broken_at = ?, statement = ?, settled_at = ? WHERE id = ?',
        [
          state,
          c.type === 'break-silence' ? JSON.stringify(c.by) : null,
          c.type === 'break-silence' ? c.at : null,
          c.type === 'break-silence' ? c.statement : null,
          c.at,
          c.silenceId,
        ],
      );
      // Every member hears how it ended in their inbox (the room gets the event below).
      if (state !== 'cancelled')
        await notifySilenceOutcome(
          q,
          reportId,
          c.silenceId,
          state,
          c.type === 'break-silence' ? c.by.id : null,
        );
      // Broken: back to under discussion. Adopted: agreed, as of the deadline. Cancelled: as is.
      if (state !== 'cancelled') {
        for (const pid of silence.paragraphIds) {
          const set =
            c.type === 'break-silence'
              ? await setStatus(q, reportId, pid, 'under_discussion', {
                  note: `Silence broken: ${c.statement}`,
                  by: c.by,
                  at: c.at,
                  cause: 'silence',
                })
              : await setStatus(q, reportId, pid, 'agreed', {
                  note: 'Adopted: no one broke silence before the deadline.',
                  by: null,
                  at: silence.deadline,
                  cause: 'silence',
                });
          if (set) events.push(set.event);
        }
      }
      const s = await silenceEvent(q, reportId, c.silenceId);
      events.push(s.event);
      result.silence = s.view;
      break;
    }
  }
  await writeAudit(q, audit);
  return result;
}

export class SqlConsensusStore implements ConsensusStore {
  constructor(private readonly db: Db) {}

  applyConsensusCommand(
    reportId: string,
    command: ConsensusCommand,
    audit: AuditEvent,
  ): Promise<ConsensusCommandResult> {
    return this.db.tx('applyConsensusCommand', (q) => apply(q, reportId, command, audit), {
      lock: reportLock(reportId),
    });
  }

  lockedParagraphIds(reportId: string): Promise<Set<string>> {
    return this.db.tx('lockedParagraphIds', (q) => lockedIn(q, reportId), { readOnly: true });
  }

  getConsensus(reportId: string): Promise<ConsensusRecord> {
    return this.db.tx(
      'getConsensus',
      async (q) => {
        // The seq first (same snapshot): every change after it reaches a client subscribing from it.
        const seq = await lastEventSeqIn(q, reportId);
        const statuses = await q.all<StatusRow>(
          'SELECT paragraph_id, status, from_status, note, by, at, seq FROM paragraph_statuses WHERE report_id = ? ORDER BY seq',
          [reportId],
        );
        const positions = await q.all<PositionRow>(
          'SELECT paragraph_id, state, position, explanation, by, at, seq FROM positions WHERE report_id = ? ORDER BY seq',
          [reportId],
        );
        const silences = await q.all<SilenceRow>(
          `${SILENCE} WHERE s.report_id = ? ORDER BY s.started_at, ${q.dialect.insertionOrder('s')}`,
          [reportId],
        );
        return {
          statuses: statuses.map(toStatus),
          positions: positions.map(toPosition),
          silences: silences.map(toSilence),
          seq,
        };
      },
      { readOnly: true },
    );
  }

  getParagraphHistory(reportId: string, paragraphId: string): Promise<ParagraphHistoryResponse> {
    return this.db.tx(
      'getParagraphHistory',
      async (q) => {
        const statuses = await q.all<{
          from_status: string;
          to_status: string;
          note: string | null;
          by: string | null;
          at: string;
          cause: string;
        }>(
          'SELECT from_status, to_status, note, by, at, cause FROM paragraph_status_history WHERE report_id = ? AND paragraph_id = ? ORDER BY id',
          [reportId, paragraphId],
        );
        const positions = await q.all<Omit<PositionRow, 'seq' | 'paragraph_id'>>(
          'SELECT state, position, explanation, by, at FROM position_history WHERE report_id = ? AND paragraph_id = ? ORDER BY id',
          [reportId, paragraphId],
        );
        return {
          statuses: statuses.map((r) => ({
            from: r.from_status as ParagraphStatus,
            to: r.to_status as ParagraphStatus,
            note: r.note,
            by: person(r.by),
            at: r.at,
            cause: r.cause as 'member' | 'silence',
          })),
          positions: positions.map((r) => ({
            state: r.state,
            position: r.position as Position,
            explanation: r.explanation,
            by: person(r.by)!,
            at: r.at,
          })),
        };
      },
      { readOnly: true },
    );
  }

  async getSilence(id: string): Promise<SilenceView | null> {
    const row = await silenceRow(this.db, id);
    return row ? toSilence(row) : null;
  }

  async listRunningSilences(): Promise<SilenceView[]> {
    const rows = await this.db.all<SilenceRow>(
      `${SILENCE} WHERE s.state = 'running' ORDER BY s.deadline, ${this.db.dialect.insertionOrder('s')}`,
    );
    return rows.map(toSilence);
  }
}
