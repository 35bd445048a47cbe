/**
 * Consensus tracking: paragraph statuses and who may move between them, delegations' positions,
 * silence procedures, and the square brackets that mark text not yet agreed. Data first: the
 * server's commands and the client's controls both read these tables. No Node or DOM imports.
 */
import type { PersonView, ThreadView } from './comments.js';
import type { Action } from './roles.js';

// ---------------------------------------------------------------------------------------------
// Statuses

export const PARAGRAPH_STATUSES = [
  'draft',
  'under_discussion',
  'bracketed',
  'agreed_ad_ref',
  'agreed',
  'deferred',
  'deleted_by_agreement',
] as const;
export type ParagraphStatus = (typeof PARAGRAPH_STATUSES)[number];

/** A paragraph nobody has set a status on. */
export const DEFAULT_STATUS: ParagraphStatus = 'draft';

export const STATUS_LABELS: Readonly<Record<ParagraphStatus, string>> = {
  draft: 'Draft',
  under_discussion: 'Under discussion',
  bracketed: 'Bracketed',
  agreed_ad_ref: 'Agreed ad referendum',
  agreed: 'Agreed',
  deferred: 'Deferred',
  deleted_by_agreement: 'Deleted by agreement',
};

/** Short margin labels. */
export const STATUS_SHORT: Readonly<Record<ParagraphStatus, string>> = {
  draft: 'draft',
  under_discussion: 'discussion',
  bracketed: '[ ]',
  agreed_ad_ref: 'ad ref',
  agreed: 'agreed',
  deferred: 'deferred',
  deleted_by_agreement: 'deleted',
};

/** Statuses that declare agreement (set by the chair only, never with brackets in the text). */
export const AGREEMENT_STATUSES: ReadonlySet<ParagraphStatus> = new Set([
  'agreed_ad_ref',
  'agreed',
  'deleted_by_agreement',
]);

/**
 * Statuses whose text is locked: nobody edits it until the chair reopens it. Agreed ad referendum
 * too: the capitals are confirming exactly these words, so they must not move meanwhile.
 */
export const LOCKED_STATUSES: ReadonlySet<ParagraphStatus> = new Set([
  'agreed_ad_ref',
  'agreed',
  'deleted_by_agreement',
]);

/** Statuses counted as settled on the board (the rest are "open"). */
export const SETTLED_STATUSES: ReadonlySet<ParagraphStatus> = new Set([
  'agreed',
  'agreed_ad_ref',
  'deleted_by_agreement',
]);

/**
 * Allowed transitions, and the matrix action each needs. Moving out of a locked status is a
 * reopening: chair only, with a reason. Anything not listed is refused.
 */
export const STATUS_TRANSITIONS: Readonly<
  Record<ParagraphStatus, Partial<Record<ParagraphStatus, Action>>>
> = {
  draft: {
    under_discussion: 'setStatus',
    bracketed: 'setStatus',
    deferred: 'setStatus',
    agreed_ad_ref: 'declareAgreement',
    agreed: 'declareAgreement',
    deleted_by_agreement: 'declareAgreement',
  },
  under_discussion: {
    draft: 'setStatus',
    bracketed: 'setStatus',
    deferred: 'setStatus',
    agreed_ad_ref: 'declareAgreement',
    agreed: 'declareAgreement',
    deleted_by_agreement: 'declareAgreement',
  },
  bracketed: {
    draft: 'setStatus',
    under_discussion: 'setStatus',
    deferred: 'setStatus',
    agreed_ad_ref: 'declareAgreement',
    agreed: 'declareAgreement',
    deleted_by_agreement: 'declareAgreement',
  },
  deferred: {
    draft: 'setStatus',
    under_discussion: 'setStatus',
    bracketed: 'setStatus',
    agreed_ad_ref: 'declareAgreement',
    agreed: 'declareAgreement',
    deleted_by_agreement: 'declareAgreement',
  },
  agreed_ad_ref: {
    agreed: 'declareAgreement',
    under_discussion: 'declareAgreement',
    bracketed: 'declareAgreement',
    deferred: 'declareAgreement',
  },
  agreed: { under_discussion: 'declareAgreement', bracketed: 'declareAgreement' },
  deleted_by_agreement: { under_discussion: 'declareAgreement' },
};

/** The matrix action a transition needs, or null when the transition is not allowed. */
export function transitionAction(from: ParagraphStatus, to: ParagraphStatus): Action | null {
  return STATUS_TRANSITIONS[from][to] ?? null;
}

/** A transition out of a locked or agreed status: reopening, which needs a reason. */
export function isReopening(from: ParagraphStatus, to: ParagraphStatus): boolean {
  return AGREEMENT_STATUSES.has(from) && !AGREEMENT_STATUSES.has(to);
}

/** Longest status note, silence statement or position explanation, in characters. */
export const CONSENSUS_NOTE_MAX = 2000;

// ---------------------------------------------------------------------------------------------
// Positions

export const POSITIONS = [
  'can_accept',
  'cannot_accept',
  'reservation',
  'consulting_capital',
] as const;
export type Position = (typeof POSITIONS)[number];

export const POSITION_LABELS: Readonly<Record<Position, string>> = {
  can_accept: 'Can accept',
  cannot_accept: 'Cannot accept',
  reservation: 'Reservation',
  consulting_capital: 'Consulting capital',
};

/**
 * When is a paragraph ripe for agreement? `no-objection`: no State says "cannot accept";
 * `all-accept`: every State of the group says "can accept". (Server config CONCORD_RIPE_RULE.)
 */
export const RIPE_RULES = ['no-objection', 'all-accept'] as const;
export type RipeRule = (typeof RIPE_RULES)[number];

/** States whose current position holds a paragraph up (anything but "can accept"). */
export function holdingStates(
  positions: readonly { state: string; position: Position }[],
): string[] {
  return positions
    .filter((p) => p.position !== 'can_accept')
    .map((p) => p.state)
    .sort((a, b) => a.localeCompare(b));
}

/**
 * True when the States' positions make the paragraph ripe under `rule`, given the group's States
 * and the current position of each State that has spoken. Ripeness needs positions: a paragraph
 * on which no State has said anything is not ripe under either rule.
 */
export function isRipe(
  rule: RipeRule,
  states: readonly string[],
  positions: readonly { state: string; position: Position }[],
): boolean {
  if (positions.length === 0) return false;
  const byState = new Map(positions.map((p) => [p.state, p.position]));
  if (rule === 'all-accept') {
    return states.length > 0 && states.every((s) => byState.get(s) === 'can_accept');
  }
  return positions.every((p) => p.position !== 'cannot_accept');
}

/** The ripeness rule in words, for the UI's help and tooltips (and README). */
export function ripeRuleText(rule: RipeRule): string {
  const positions =
    rule === 'all-accept'
      ? 'every State of the group has said it can accept it'
      : 'at least one State has recorded a position and none says it cannot accept it';
  return `A paragraph is ripe for agreement when ${positions}, its text is not empty and has no square brackets, and it is neither settled (agreed, agreed ad referendum, deleted by agreement) nor under silence. Ripeness is only a hint to the chair: nothing changes until the paragraph is agreed.`;
}

export interface Ripeness {
  ripe: boolean;
  /** Why, in a few words (a tooltip). */
  reason: string;
}

/**
 * The one ripeness rule: the States' positions pass `rule` (isRipe: positions must exist), and
 * nothing else stands in the way. Text with brackets (or none at all) cannot be agreed, whatever
 * the States say; text under silence is already on its way to agreement; settled text is settled.
 */
export function ripeness(p: {
  rule: RipeRule;
  states: readonly string[];
  positions: readonly { state: string; position: Position }[];
  status: ParagraphStatus;
  text: string;
  underSilence: boolean;
}): Ripeness {
  if (SETTLED_STATUSES.has(p.status)) return { ripe: false, reason: STATUS_LABELS[p.status] };
  if (p.underSilence) return { ripe: false, reason: 'Under silence until its deadline' };
  if (p.text.trim() === '') return { ripe: false, reason: 'Not ripe: no text' };
  if (hasBrackets(p.text)) return { ripe: false, reason: 'Not ripe: square brackets in the text' };
  if (p.positions.length === 0) return { ripe: false, reason: 'No State has recorded a position' };
  if (!isRipe(p.rule, p.states, p.positions)) {
    return {
      ripe: false,
      reason: `Not ripe: ${p.rule === 'all-accept' ? 'not every State can accept' : 'a State cannot accept'}`,
    };
  }
  const heard = new Set(p.positions.map((x) => x.state));
  const silent = p.states.filter((s) => !heard.has(s));
  return {
    ripe: true,
    reason: `Ripe for agreement${silent.length ? ` (not yet heard: ${silent.join(', ')})` : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Square brackets

export interface BracketPair {
  /** Offsets in the paragraph's text of `[` and of its matching `]`. */
  open: number;
  close: number;
  /** 0 for the outermost pair. */
  depth: number;
}

export interface BracketScan {
  pairs: BracketPair[];
  /** Offsets of brackets without a partner (an extra `]`, or a `[` never closed). */
  unbalanced: number[];
}

const QUOTE_PAIRS: Readonly<Record<string, string>> = { '“': '”', '"': '"', '«': '»' };

/**
 * Finds the negotiation brackets in a paragraph's text: nested pairs, and unbalanced ones.
 * Brackets inside quotation marks are part of quoted material (an editorial "[...]" in a quoted
 * resolution, a document symbol cited in a footnote), not brackets of this negotiation: ignored.
 * A quotation mark never closed quotes nothing.
 */
export function scanBrackets(text: string): BracketScan {
  const quoted = quotedRanges(text);
  const pairs: BracketPair[] = [];
  const unbalanced: number[] = [];
  const stack: number[] = [];
  let q = 0;
  for (let i = 0; i < text.length; i++) {
    while (q < quoted.length && quoted[q]![1] < i) q++;
    if (q < quoted.length && quoted[q]![0] <= i && i <= quoted[q]![1]) continue;
    const c = text[i];
    if (c === '[') stack.push(i);
    else if (c === ']') {
      const open = stack.pop();
      if (open === undefined) unbalanced.push(i);
      else pairs.push({ open, close: i, depth: stack.length });
    }
  }
  unbalanced.push(...stack);
  unbalanced.sort((a, b) => a - b);
  pairs.sort((a, b) => a.open - b.open);
  return { pairs, unbalanced };
}

/** True when the text holds any negotiation bracket, balanced or not. */
export function hasBrackets(text: string): boolean {
  const scan = scanBrackets(text);
  return scan.pairs.length > 0 || scan.unbalanced.length > 0;
}

/** [start, end] offsets (inclusive) of closed quotations. */
function quotedRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < text.length; i++) {
    const closer = QUOTE_PAIRS[text[i]!];
    if (closer === undefined) continue;
    const end = text.indexOf(closer, i + 1);
    if (end < 0) continue;
    out.push([i, end]);
    i = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Silence procedures

export type SilenceState = 'running' | 'broken' | 'adopted' | 'cancelled';

/** Shortest silence the server accepts (the General Assembly's practice is 72 hours or more). */
export const SILENCE_MIN_MS = 60_000;
/** Longest: 60 days. */
export const SILENCE_MAX_MS = 60 * 24 * 3600_000;

// ---------------------------------------------------------------------------------------------
// Views (HTTP answers and pushed events)

export interface StatusView {
  paragraphId: string;
  status: ParagraphStatus;
  /** The status before the last change (DEFAULT_STATUS when first set). */
  from: ParagraphStatus;
  note: string | null;
  by: PersonView | null;
  at: string;
  seq: number;
}

export interface StatusChange {
  from: ParagraphStatus;
  to: ParagraphStatus;
  note: string | null;
  by: PersonView | null;
  at: string;
  /** 'silence' when a silence procedure settled it (broken or adopted); 'member' otherwise. */
  cause: 'member' | 'silence';
}

export interface PositionView {
  paragraphId: string;
  state: string;
  position: Position;
  explanation: string | null;
  by: PersonView;
  at: string;
  seq: number;
}

export interface PositionChange {
  state: string;
  position: Position;
  explanation: string | null;
  by: PersonView;
  at: string;
}

export interface SilenceView {
  id: string;
  reportId: string;
  paragraphIds: string[];
  /** ISO 8601, UTC. Clients show it in the reader's own zone. */
  deadline: string;
  /** The chair's time zone when it was set (IANA name), shown beside the reader's. */
  timeZone: string;
  state: SilenceState;
  startedBy: PersonView;
  startedAt: string;
  brokenBy: PersonView | null;
  brokenAt: string | null;
  statement: string | null;
  settledAt: string | null;
  seq: number;
}

/** GET /api/reports/:id/consensus */
export interface ConsensusResponse {
  /** Paragraphs with a recorded status; the rest are DEFAULT_STATUS. */
  statuses: StatusView[];
  positions: PositionView[];
  silences: SilenceView[];
  /** The States represented by the group's experts (matrix columns). */
  states: string[];
  ripeRule: RipeRule;
  /** The report's last event seq when this was read. */
  seq: number;
}

/** GET /api/reports/:id/paragraphs/:pid/history */
export interface ParagraphHistoryResponse {
  statuses: StatusChange[];
  positions: PositionChange[];
}

/** Answer of POST …/status: the paragraph's status now (as it was, when it already had it). */
export interface SetStatusResponse {
  status: StatusView;
}

/** Answer of POST …/position; `thread` is the group thread its explanation opened, if any. */
export interface RecordPositionResponse {
  position: PositionView;
  thread: ThreadView | null;
}

/** Answer of POST /api/reports/:id/silences (201), /api/silences/:sid/break and …/cancel. */
export interface SilenceResponse {
  silence: SilenceView;
}

/** The sync-channel notice text for a refused edit of locked text (Notice message, 101). */
export const LOCKED_EDIT_NOTICE =
  'That paragraph is agreed or under silence and locked: your change to it was undone.';

/** Notice for a new paragraph that carried an existing paragraph's id (it was not kept). */
export const DUPLICATE_ID_NOTICE =
  'A paragraph added from this page carried the identity of an existing one: that identity was not saved.';

/** Notice for content the report's structure does not allow (an unknown element, mark…). */
export const SCHEMA_NOTICE =
  'Part of a change from this page does not fit the report’s structure and was not saved.';

/** Notice telling the client to rebuild its copy of the report from the server. */
export const RESYNC_NOTICE =
  'Part of a change from this page would have removed agreed text and was not saved: the report is reloaded from the server.';

/** Notice for an update the server could not apply. */
export const UNAPPLIED_NOTICE =
  'The server could not apply a change from this page: the report is reloaded from the server.';
