/**
 * The board's and the matrix's figures, from the document index and the consensus store: per
 * chapter the paragraphs by status, the open paragraphs, and whether a paragraph is ripe. Pure:
 * unit-tested without a browser.
 */
import {
  PARAGRAPH_STATUSES,
  type ParagraphStatus,
  type PositionView,
  type RipeRule,
  SETTLED_STATUSES,
  ripeness as sharedRipeness,
} from '../../../shared/consensus.js';
import { shownStatus } from '../consensus/plugin.js';
import type { DocIndex } from '../report/docIndex.js';

export interface BoardParagraph {
  id: string;
  citation: string;
  text: string;
  /** Recorded status. */
  stored: ParagraphStatus;
  /** What the margin shows (bracketed text reads as bracketed while a draft). */
  shown: ParagraphStatus;
}

export interface BoardChapter {
  id: string;
  numeral: string;
  heading: string;
  paragraphs: BoardParagraph[];
}

/** Chapters and their paragraphs as the text is now, with their statuses. */
export function boardChapters(
  index: DocIndex,
  statusOf: (paragraphId: string) => ParagraphStatus,
): BoardChapter[] {
  return index.chapters.map((c) => ({
    id: c.id,
    numeral: c.numeral,
    heading: c.heading,
    paragraphs: c.paragraphIds.map((id) => {
      const p = index.paragraphs.get(id)!;
      const stored = statusOf(id);
      return {
        id,
        citation: p.citation,
        text: p.text,
        stored,
        shown: shownStatus(stored, p.negotiated),
      };
    }),
  }));
}

/** How many paragraphs show each status. */
export function countByStatus(paragraphs: readonly BoardParagraph[]): Map<ParagraphStatus, number> {
  const counts = new Map<ParagraphStatus, number>(PARAGRAPH_STATUSES.map((s) => [s, 0]));
  for (const p of paragraphs) counts.set(p.shown, (counts.get(p.shown) ?? 0) + 1);
  return counts;
}

/** Agreed (or deleted by agreement). */
export function agreedCount(counts: ReadonlyMap<ParagraphStatus, number>): number {
  return (counts.get('agreed') ?? 0) + (counts.get('deleted_by_agreement') ?? 0);
}

export function percent(n: number, total: number): number {
  return total === 0 ? 0 : Math.round((n / total) * 100);
}

export function isOpen(p: BoardParagraph): boolean {
  return !SETTLED_STATUSES.has(p.shown);
}

const EXCERPT = 110;

/** One line of the paragraph's text, cut at EXCERPT characters. */
export function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return '(empty paragraph)';
  return t.length > EXCERPT ? `${t.slice(0, EXCERPT - 1)}…` : t;
}

export interface Ripeness {
  ripe: boolean;
  /** Why (the matrix cell's tooltip). */
  title: string;
}

/** The paragraph's ripeness by the one rule (shared/consensus.ts, ripeness). */
export function ripeness(
  p: BoardParagraph,
  rule: RipeRule,
  states: readonly string[],
  positions: readonly PositionView[],
  underSilence: boolean,
): Ripeness {
  const r = sharedRipeness({
    rule,
    states,
    positions,
    status: p.stored,
    text: p.text,
    underSilence,
  });
  return { ripe: r.ripe, title: r.reason };
}
