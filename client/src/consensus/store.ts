/**
 * Consensus state of one report: paragraph statuses, the States' current positions, silence
 * procedures, the group's States and the ripe rule. Loaded once from GET /consensus, then kept
 * live by pushed events (MessageType.Event), each record replaced only by a newer seq, so an
 * event replayed after a reconnection changes nothing. Commands go through the one request
 * function; their answers are applied at once (the pushed event that follows is a no-op).
 */
import type { ReportEvent } from '../../../shared/comments.js';
import {
  type ConsensusResponse,
  DEFAULT_STATUS,
  LOCKED_STATUSES,
  type ParagraphHistoryResponse,
  type ParagraphStatus,
  type Position,
  type PositionView,
  type RipeRule,
  type SilenceView,
  type StatusView,
} from '../../../shared/consensus.js';
import { request as call } from '../api.js';

const enc = encodeURIComponent;

/**
 * The record a command answered with: `{<key>: record}`, or the record itself. Anything else
 * (an empty answer) is null: the pushed event brings the change.
 */
function answer<T extends { seq: number }>(data: unknown, key: string): T | null {
  if (typeof data !== 'object' || data === null) return null;
  const inner = (data as Record<string, unknown>)[key];
  if (typeof inner === 'object' && inner !== null && 'seq' in inner) return inner as T;
  return 'seq' in data && typeof (data as { seq: unknown }).seq === 'number' ? (data as T) : null;
}

/** A silence that was broken while this page was open: shown as a notification. */
export interface BrokenSilenceNotice {
  silence: SilenceView;
}

export class ConsensusStore {
  /** Paragraph id → its recorded status (absent: DEFAULT_STATUS). */
  readonly statuses = new Map<string, StatusView>();
  /** Paragraph id → State → its current position. */
  readonly positions = new Map<string, Map<string, PositionView>>();
  /** Silence id → the procedure (running or settled). */
  readonly silences = new Map<string, SilenceView>();
  states: string[] = [];
  ripeRule: RipeRule = 'no-objection';
  /** The report's event seq when the consensus data was read (the catch-up cursor's floor). */
  seq = 0;
  loaded = false;
  /** Silences broken since the page opened, newest last, until dismissed. */
  readonly brokenNotices: BrokenSilenceNotice[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(readonly reportId: string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  /** Fetches the report's consensus state (replacing what is held). */
  async load(): Promise<void> {
    const data = await call<ConsensusResponse>(
      'GET',
      `/api/reports/${enc(this.reportId)}/consensus`,
    );
    this.statuses.clear();
    this.positions.clear();
    this.silences.clear();
    for (const s of data.statuses) this.putStatus(s);
    for (const p of data.positions) this.putPosition(p);
    for (const s of data.silences) this.putSilence(s, false);
    this.states = [...data.states].sort((a, b) => a.localeCompare(b));
    this.ripeRule = data.ripeRule;
    this.seq = data.seq;
    this.loaded = true;
    this.emit();
  }

  /** A pushed event; thread events are the comment store's. Returns true when it was ours. */
  applyEvent(event: ReportEvent): boolean {
    let changed = false;
    if (event.type === 'status' && event.status) changed = this.putStatus(event.status);
    else if (event.type === 'position' && event.position) {
      changed = this.putPosition(event.position);
      // A State that records a position is a State of the group (a member added since the load).
      const state = event.position.state;
      if (!this.states.includes(state)) {
        this.states = [...this.states, state].sort((a, b) => a.localeCompare(b));
      }
    } else if (event.type === 'silence' && event.silence) {
      changed = this.putSilence(event.silence, true);
    } else return false;
    if (changed) this.emit();
    return true;
  }

  private putStatus(s: StatusView): boolean {
    const old = this.statuses.get(s.paragraphId);
    if (old && old.seq >= s.seq) return false;
    this.statuses.set(s.paragraphId, s);
    return true;
  }

  private putPosition(p: PositionView): boolean {
    let byState = this.positions.get(p.paragraphId);
    if (!byState) {
      byState = new Map();
      this.positions.set(p.paragraphId, byState);
    }
    const old = byState.get(p.state);
    if (old && old.seq >= p.seq) return false;
    byState.set(p.state, p);
    return true;
  }

  private putSilence(s: SilenceView, live: boolean): boolean {
    const old = this.silences.get(s.id);
    if (old && old.seq >= s.seq) return false;
    this.silences.set(s.id, s);
    if (live && s.state === 'broken' && old?.state !== 'broken') {
      this.brokenNotices.push({ silence: s });
    }
    return true;
  }

  dismissBroken(notice: BrokenSilenceNotice): void {
    const i = this.brokenNotices.indexOf(notice);
    if (i >= 0) this.brokenNotices.splice(i, 1);
    this.emit();
  }

  /** The paragraph's status (DEFAULT_STATUS when none was ever set). */
  statusOf(paragraphId: string): ParagraphStatus {
    return this.statuses.get(paragraphId)?.status ?? DEFAULT_STATUS;
  }

  /** The current positions on a paragraph, by State. */
  positionsOf(paragraphId: string): PositionView[] {
    return [...(this.positions.get(paragraphId)?.values() ?? [])].sort((a, b) =>
      a.state.localeCompare(b.state),
    );
  }

  /** Running silence procedures, earliest deadline first. */
  running(): SilenceView[] {
    return [...this.silences.values()]
      .filter((s) => s.state === 'running')
      .sort((a, b) => a.deadline.localeCompare(b.deadline));
  }

  /** The running silence a paragraph is under, if any. */
  silenceOf(paragraphId: string): SilenceView | null {
    for (const s of this.silences.values()) {
      if (s.state === 'running' && s.paragraphIds.includes(paragraphId)) return s;
    }
    return null;
  }

  /** Ids of the paragraphs nobody may edit: locked statuses and running silences. */
  lockedIds(): Set<string> {
    const out = new Set<string>();
    for (const [id, s] of this.statuses) if (LOCKED_STATUSES.has(s.status)) out.add(id);
    for (const s of this.silences.values()) {
      if (s.state === 'running') for (const id of s.paragraphIds) out.add(id);
    }
    return out;
  }

  // ---------- commands ----------

  async setStatus(paragraphId: string, status: ParagraphStatus, note?: string): Promise<void> {
    const data = await call<unknown>(
      'POST',
      `/api/reports/${enc(this.reportId)}/paragraphs/${enc(paragraphId)}/status`,
      { status, ...(note ? { note } : {}) },
    );
    const view = answer<StatusView>(data, 'status');
    if (view && this.putStatus(view)) this.emit();
  }

  async recordPosition(
    paragraphId: string,
    position: Position,
    explanation?: string,
  ): Promise<void> {
    const data = await call<unknown>(
      'POST',
      `/api/reports/${enc(this.reportId)}/paragraphs/${enc(paragraphId)}/position`,
      { position, ...(explanation ? { explanation } : {}) },
    );
    const view = answer<PositionView>(data, 'position');
    if (view && this.putPosition(view)) this.emit();
  }

  async startSilence(paragraphIds: string[], deadline: Date, timeZone: string): Promise<void> {
    const data = await call<unknown>('POST', `/api/reports/${enc(this.reportId)}/silences`, {
      paragraphIds,
      deadline: deadline.toISOString(),
      timeZone,
    });
    const view = answer<SilenceView>(data, 'silence');
    if (view && this.putSilence(view, false)) this.emit();
  }

  async breakSilence(silenceId: string, statement: string): Promise<void> {
    const data = await call<unknown>('POST', `/api/silences/${enc(silenceId)}/break`, {
      statement,
    });
    const view = answer<SilenceView>(data, 'silence');
    if (view && this.putSilence(view, true)) this.emit();
  }

  async cancelSilence(silenceId: string): Promise<void> {
    const data = await call<unknown>('POST', `/api/silences/${enc(silenceId)}/cancel`);
    const view = answer<SilenceView>(data, 'silence');
    if (view && this.putSilence(view, false)) this.emit();
  }

  history(paragraphId: string): Promise<ParagraphHistoryResponse> {
    return call<ParagraphHistoryResponse>(
      'GET',
      `/api/reports/${enc(this.reportId)}/paragraphs/${enc(paragraphId)}/history`,
    );
  }
}
