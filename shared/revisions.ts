/**
 * Revisions of a report (issue #16): what one freezes, how labels are proposed and checked, and
 * the API shapes. A revision is issued by the server and never changes afterwards; the client
 * reads these types to list, open and compare revisions.
 */
import type { PersonView } from './comments.js';
import type { ParagraphStatus, PositionView } from './consensus.js';

/** Longest revision label ("Rev.12", "Final", "Zero draft"). */
export const REVISION_LABEL_MAX = 60;
/** Longest cover note (a few paragraphs from the chair). */
export const REVISION_NOTE_MAX = 4000;
/** The label of the first revision, and of the one adoption issues. */
export const ZERO_DRAFT = 'Zero draft';
export const FINAL_LABEL = 'Final';

/**
 * In a report's set of locked ids (ConsensusStore.lockedParagraphIds, the sync guard's input):
 * the report is adopted and its whole text is locked. Never a node id (ids are [A-Za-z0-9_-]).
 */
export const WHOLE_DOCUMENT_LOCK = '*adopted*';

/** The sync channel's notice when an edit reaches an adopted report. */
export const ADOPTED_EDIT_NOTICE = 'The report is adopted: its text can no longer change.';

/** One identified node as it stood in a revision (document order). */
export interface FrozenNode {
  id: string;
  /** The node type ("paragraph", "chapter", "footnote", …). */
  kind: string;
  /** Its counter scope then ('body', 'annex:1', 'footnotes' …; numbering.ts). */
  scope: string;
  /** What the margin showed ("13.", "(a)", "II"). */
  label: string;
  /** How delegates cited it ("13 (a)"); a chapter's Roman numeral. */
  citation: string;
  /** The citation's parts, outermost first (what bis/ter numbering builds on). */
  parts: string[];
  /** Its text then (plain). */
  text: string;
  /** Sub-paragraph level (0 for a numbered paragraph and for nodes without levels). */
  level: number;
  status: ParagraphStatus | null;
  /** Audience keys (shared/comments.ts audienceKey) of the threads open on it then. */
  openThreads: string[];
}

/** Everything a revision freezes besides the encoded Yjs state. */
export interface RevisionContent {
  /** The document as ProseMirror JSON. */
  doc: unknown;
  nodes: FrozenNode[];
  /** Delegations' positions on the paragraphs then. */
  positions: PositionView[];
  /** The report's metadata then (title, template, and whatever the document model adds). */
  metadata: Record<string, unknown>;
}

/** A revision as listed: no document. */
export interface RevisionSummary {
  id: string;
  reportId: string;
  /** 1 for the first revision of the report, then 2, 3 … */
  number: number;
  label: string;
  /** The date the revision bears (YYYY-MM-DD). */
  date: string;
  coverNote: string | null;
  issuedBy: PersonView;
  issuedAt: string;
  /** The revision adoption issued. */
  final: boolean;
  /** sha256 (hex) over the stored state and content, checked on every read. */
  sha256: string;
  /** Bytes stored for it (state and content). */
  bytes: number;
  /** The report event that announced it. */
  seq: number;
}

/** A node of an opened revision, as one viewer may see it. */
export interface RevisionNodeView extends Omit<FrozenNode, 'openThreads'> {
  /** Open threads on it then that this viewer may see. */
  openThreads: number;
}

/** GET /api/revisions/:rid */
export interface RevisionResponse {
  revision: RevisionSummary;
  doc: unknown;
  nodes: RevisionNodeView[];
  positions: PositionView[];
  metadata: Record<string, unknown>;
}

/** How a report was adopted (once; never reopened). */
export interface AdoptionView {
  revisionId: string;
  at: string;
  by: PersonView;
  /** "Adopted by consensus on 7 December 2026". */
  statement: string;
}

/** GET /api/reports/:id/revisions */
export interface RevisionListResponse {
  revisions: RevisionSummary[];
  /** What the next revision would be called. */
  proposedLabel: string;
  /** The per-report switch: number inserted paragraphs 5 bis, 5 ter … after the last revision. */
  keepNumbers: boolean;
  adoption: AdoptionView | null;
}

/** POST /api/reports/:id/revisions */
export interface IssueRevisionRequest {
  /** Defaults to the proposed label. */
  label?: string;
  /** YYYY-MM-DD; defaults to today (UTC). */
  date?: string;
  coverNote?: string;
}

export interface IssueRevisionResponse {
  revision: RevisionSummary;
}

/** Pushed to everyone in the report (audience 'group'). */
export interface RevisionEvent {
  seq: number;
  type: 'revision';
  revision: RevisionSummary;
  adoption?: AdoptionView;
}

/** Pushed when the bis/ter switch changes. */
export interface NumberingEvent {
  seq: number;
  type: 'numbering';
  keepNumbers: boolean;
}

/**
 * The label the server proposes for the next revision: "Zero draft" first, then "Rev.1",
 * "Rev.2" … (one more than the highest Rev.N issued, skipping labels already taken).
 */
export function proposeLabel(existing: readonly string[]): string {
  if (existing.length === 0) return ZERO_DRAFT;
  const taken = new Set(existing.map(normaliseLabel));
  let n = 0;
  for (const label of existing) {
    const m = /^rev\.\s*(\d+)$/i.exec(label.trim());
    if (m) n = Math.max(n, Number(m[1]));
  }
  if (n === 0) n = existing.filter((l) => normaliseLabel(l) !== normaliseLabel(ZERO_DRAFT)).length;
  let label = `Rev.${n + 1}`;
  while (taken.has(normaliseLabel(label))) label = `Rev.${++n + 1}`;
  return label;
}

/** Labels compare without case and with inner spaces collapsed ("rev.2" is "Rev.2"). */
export function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Why a label cannot be used, or null when it can. */
export function labelProblem(label: string, existing: readonly string[]): string | null {
  const l = label.trim();
  if (l.length === 0) return 'A revision needs a label.';
  if (l.length > REVISION_LABEL_MAX)
    return `A revision label has at most ${REVISION_LABEL_MAX} characters.`;
  if ([...l].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))
    return 'A revision label is one line of text.';
  if (existing.some((e) => normaliseLabel(e) === normaliseLabel(l)))
    return `A revision labelled "${l}" exists already.`;
  return null;
}

/** Is `s` a calendar date YYYY-MM-DD? */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2026-12-07" → "7 December 2026" (UN style). */
export function unDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${d} ${MONTHS[(m ?? 1) - 1]} ${y}`;
}
