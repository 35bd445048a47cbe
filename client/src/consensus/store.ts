/**
 * Consensus state of one report: paragraph statuses, the States' current positions, silence
 * procedures, the group's States and the ripe rule. Loaded once from GET /consensus, then kept
 * live by pushed events (MessageType.Event), each record replaced only by a newer seq, so an
 * event replayed after a reconnection changes nothing. Commands go through the one request
 * function; their answers are applied at once (the pushed event that follows is a no-op).
 *
 * State lives in signals and is replaced, never mutated, as in the comment store.
 */
import { batch, effect, signal, untracked } from '@preact/signals';
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
import type { ReportEvent } from '../../../shared/events.js';
import type {
  BreakSilenceRequest,
  RecordPositionRequest,
  SetStatusRequest,
  StartSilenceRequest,
} from '../../../shared/routes/consensus.js';
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

/** A silence that ended (broken, or adopted at its deadline) while this page was open: shown as a notification. */
export interface SilenceOutcomeNotice {
  silence: SilenceView;
}

/** Called after a pushed event with the status or silence record it replaced (null: none). */
export type ConsensusEventListener = (
  event: ReportEvent,
  previous: StatusView | SilenceView | null,
) => void;

export class ConsensusStore {
  private readonly statusMap = signal<ReadonlyMap<string, StatusView>>(new Map());
  private readonly positionMap = signal<ReadonlyMap<string, ReadonlyMap<string, PositionView>>>(
    new Map(),
  );
  private readonly silenceMap = signal<ReadonlyMap<string, SilenceView>>(new Map());
  private readonly stateList = signal<readonly string[]>([]);
  private readonly rule = signal<RipeRule>('no-objection');
  private readonly loadedFlag = signal(false);
  private readonly outcomes = signal<readonly SilenceOutcomeNotice[]>([]);
  /** The report's event seq when the consensus data was read (the catch-up cursor's floor). */
  seq = 0;
  private readonly eventListeners = new Set<ConsensusEventListener>();

  constructor(readonly reportId: string) {}

  /** Paragraph id → its recorded status (absent: DEFAULT_STATUS). */
  get statuses(): ReadonlyMap<string, StatusView> {
    return this.statusMap.value;
  }

  /** Paragraph id → State → its current position. */
  get positions(): ReadonlyMap<string, ReadonlyMap<string, PositionView>> {
    return this.positionMap.value;
  }

  /** Silence id → the procedure (running or settled). */
  get silences(): ReadonlyMap<string, SilenceView> {
    return this.silenceMap.value;
  }

  /** The group's States, sorted. */
  get states(): readonly string[] {
    return this.stateList.value;
  }

  get ripeRule(): RipeRule {
    return this.rule.value;
  }

  get loaded(): boolean {
    return this.loadedFlag.value;
  }

  /** Silences broken or adopted since the page opened, newest last, until dismissed. */
  get outcomeNotices(): readonly SilenceOutcomeNotice[] {
    return this.outcomes.value;
  }

  /** Listens to any change; not called at once. */
  subscribe(listener: () => void): () => void {
    let first = true;
    return effect(() => {
      void this.statusMap.value;
      void this.positionMap.value;
      void this.silenceMap.value;
      void this.stateList.value;
      void this.rule.value;
      void this.loadedFlag.value;
      void this.outcomes.value;
      if (first) {
        first = false;
        return;
      }
      untracked(listener);
    });
  }

  /** Fetches the report's consensus state (replacing what is held). */
  async load(): Promise<void> {
    const data = await call<ConsensusResponse>(
      'GET',
      `/api/reports/${enc(this.reportId)}/consensus`,
    );
    const statuses = new Map<string, StatusView>();
    for (const st of data.statuses) {
      const old = statuses.get(st.paragraphId);
      if (!old || old.seq < st.seq) statuses.set(st.paragraphId, st);
    }
    const positions = new Map<string, Map<string, PositionView>>();
    for (const p of data.positions) {
      const byState = positions.get(p.paragraphId) ?? new Map<string, PositionView>();
      positions.set(p.paragraphId, byState);
      const old = byState.get(p.state);
      if (!old || old.seq < p.seq) byState.set(p.state, p);
    }
    const silences = new Map<string, SilenceView>();
    for (const si of data.silences) {
      const old = silences.get(si.id);
      if (!old || old.seq < si.seq) silences.set(si.id, si);
    }
    batch(() => {
      this.statusMap.value = statuses;
      this.positionMap.value = positions;
      this.silenceMap.value = silences;
      this.stateList.value = [...data.states].sort((a, b) => a.localeCompare(b));
      this.rule.value = data.ripeRule;
      this.seq = data.seq;
      this.loadedFlag.value = true;
    });
  }

  /** Listens to pushed events with the record each replaced (for announcements). */
  onEvent(listener: ConsensusEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** A pushed event; thread events are the comment store's. Returns true when it was ours. */
  applyEvent(event: ReportEvent): boolean {
    const previous =
      event.type === 'status' && event.status
        ? (this.statusMap.peek().get(event.status.paragraphId) ?? null)
        : event.type === 'silence' && event.silence
          ? (this.silenceMap.peek().get(event.silence.id) ?? null)
          : null;
    const ours = this.put(event);
    if (ours) for (const listener of this.eventListeners) listener(event, previous);
    return ours;
  }

  private put(event: ReportEvent): boolean {
    if (event.type === 'status' && event.status) this.putStatus(event.status);
    else if (event.type === 'position' && event.position) {
      batch(() => {
        this.putPosition(event.position);
        // A State that records a position is a State of the group (a member added since the load).
        const state = event.position.state;
        const states = this.stateList.peek();
        if (!states.includes(state)) {
          this.stateList.value = [...states, state].sort((a, b) => a.localeCompare(b));
        }
      });
    } else if (event.type === 'silence' && event.silence) {
      this.putSilence(event.silence, true);
    } else return false;
    return true;
  }

  private putStatus(s: StatusView): boolean {
    const old = this.statusMap.peek().get(s.paragraphId);
    if (old && old.seq >= s.seq) return false;
    this.statusMap.value = new Map(this.statusMap.peek()).set(s.paragraphId, s);
    return true;
  }

  private putPosition(p: PositionView): boolean {
    const byState = this.positionMap.peek().get(p.paragraphId);
    const old = byState?.get(p.state);
    if (old && old.seq >= p.seq) return false;
    this.positionMap.value = new Map(this.positionMap.peek()).set(
      p.paragraphId,
      new Map(byState ?? []).set(p.state, p),
    );
    return true;
  }

  private putSilence(s: SilenceView, live: boolean): boolean {
    const old = this.silenceMap.peek().get(s.id);
    if (old && old.seq >= s.seq) return false;
    batch(() => {
      this.silenceMap.value = new Map(this.silenceMap.peek()).set(s.id, s);
      const ended = s.state === 'broken' || s.state === 'adopted';
      if (live && ended && old?.state !== s.state) {
        this.outcomes.value = [...this.outcomes.peek(), { silence: s }];
      }
    });
    return true;
  }

  dismissOutcome(notice: SilenceOutcomeNotice): void {
    this.outcomes.value = this.outcomes.peek().filter((n) => n !== notice);
  }

  /** The paragraph's status (DEFAULT_STATUS when none was ever set). */
  statusOf(paragraphId: string): ParagraphStatus {
    return this.statusMap.value.get(paragraphId)?.status ?? DEFAULT_STATUS;
  }

  /** The current positions on a paragraph, by State. */
  positionsOf(paragraphId: string): PositionView[] {
    return [...(this.positionMap.value.get(paragraphId)?.values() ?? [])].sort((a, b) =>
      a.state.localeCompare(b.state),
    );
  }

  /** Running silence procedures, earliest deadline first. */
  running(): SilenceView[] {
    return [...this.silenceMap.value.values()]
      .filter((s) => s.state === 'running')
      .sort((a, b) => a.deadline.localeCompare(b.deadline));
  }

  /** The running silence a paragraph is under, if any. */
  silenceOf(paragraphId: string): SilenceView | null {
    for (const s of this.silenceMap.value.values()) {
      if (s.state === 'running' && s.paragraphIds.includes(paragraphId)) return s;
    }
    return null;
  }

  /** Ids of the paragraphs nobody may edit: locked statuses and running silences. */
  lockedIds(): Set<string> {
    const out = new Set<string>();
    for (const [id, s] of this.statusMap.value) if (LOCKED_STATUSES.has(s.status)) out.add(id);
    for (const s of this.silenceMap.value.values()) {
      if (s.state === 'running') for (const id of s.paragraphIds) out.add(id);
    }
    return out;
  }

  // ---------- commands ----------

  async setStatus(paragraphId: string, status: ParagraphStatus, note?: string): Promise<void> {
    const data = await call<unknown>(
      'POST',
      `/api/reports/${enc(this.reportId)}/paragraphs/${enc(paragraphId)}/status`,
      { status, ...(note ? { note } : {}) } satisfies SetStatusRequest,
    );
    const view = answer<StatusView>(data, 'status');
    if (view) this.putStatus(view);
  }

  async recordPosition(
    paragraphId: string,
    position: Position,
    explanation?: string,
  ): Promise<void> {
    const data = await call<unknown>(
      'POST',
      `/api/reports/${enc(this.reportId)}/paragraphs/${enc(paragraphId)}/position`,
      { position, ...(explanation ? { explanation } : {}) } satisfies RecordPositionRequest,
    );
    const view = answer<PositionView>(data, 'position');
    if (view) this.putPosition(view);
  }

  async startSilence(paragraphIds: string[], deadline: Date, timeZone: string): Promise<void> {
    const body: StartSilenceRequest = {
      paragraphIds,
      deadline: deadline.toISOString(),
      timeZone,
    };
    const data = await call<unknown>('POST', `/api/reports/${enc(this.reportId)}/silences`, body);
    const view = answer<SilenceView>(data, 'silence');
    if (view) this.putSilence(view, false);
  }

  async breakSilence(silenceId: string, statement: string): Promise<void> {
    const body: BreakSilenceRequest = { statement };
    const data = await call<unknown>('POST', `/api/silences/${enc(silenceId)}/break`, body);
    const view = answer<SilenceView>(data, 'silence');
    if (view) this.putSilence(view, true);
  }

  async cancelSilence(silenceId: string): Promise<void> {
    const data = await call<unknown>('POST', `/api/silences/${enc(silenceId)}/cancel`);
    const view = answer<SilenceView>(data, 'silence');
    if (view) this.putSilence(view, false);
  }

  history(paragraphId: string): Promise<ParagraphHistoryResponse> {
    return call<ParagraphHistoryResponse>(
      'GET',
      `/api/reports/${enc(this.reportId)}/paragraphs/${enc(paragraphId)}/history`,
    );
  }
}
