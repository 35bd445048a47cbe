/**
 * "Keep the last revision's numbers" (issue #16), a layer over numbering.ts: a paragraph that
 * was in the last revision keeps the number it had there; one inserted since takes the number of
 * the kept paragraph before it with a Latin suffix: 5 bis, 5 ter, 5 quater … Sub-paragraphs
 * alike under a kept paragraph: (c) bis. An insertion before the first kept paragraph of its
 * scope counts from 0 (0 bis), before the first kept sub-paragraph from (0): order is kept.
 * Deleted paragraphs leave their numbers unused. Only numbered paragraphs are renumbered;
 * containers, footnotes and unnumbered paragraphs keep numbering.ts's numbers. The next
 * revision freezes plain numbers again (the switch applies between revisions).
 */
import type { NumberedNode } from './numbering.js';
import { TEXT_BLOCK_KINDS } from './schema.js';

const SUFFIXES = [
  'bis',
  'ter',
  'quater',
  'quinquies',
  'sexies',
  'septies',
  'octies',
  'novies',
  'decies',
  'undecies',
  'duodecies',
  'terdecies',
  'quaterdecies',
  'quindecies',
  'sexdecies',
  'septdecies',
  'octodecies',
  'novodecies',
  'vicies',
];

/** 1 → bis, 2 → ter, 3 → quater … (past vicies: "bis 20", "bis 21" …). */
export function latinSuffix(n: number): string {
  return SUFFIXES[n - 1] ?? `bis ${n}`;
}

/** A node's number in the last revision (shared/revisions.ts FrozenNode). */
export interface PreviousNumber {
  scope: string;
  level: number;
  label: string;
  parts: readonly string[];
}

const stripDot = (label: string) => label.replace(/\.$/, '');

/** The part of a level-0 citation before its number ("annex I, " of "annex I, 2"). */
function prefixOf(n: NumberedNode): string {
  const part = n.parts[0] ?? '';
  const number = stripDot(n.label);
  return part.endsWith(number) ? part.slice(0, part.length - number.length) : '';
}

/** The zero of a sub-paragraph level: (0), or 0. for the dotted levels. */
const zero = (level: number) => (level <= 2 ? '(0)' : '0.');

interface ScopeState {
  /** Per level: the last kept item's label ("5.", "(c)"), and how many were inserted after it. */
  anchor: Array<string | null>;
  inserted: number[];
  /** Per level: whether the current item at that level was in the last revision. */
  kept: boolean[];
  /** Per level: the citation part of the current item. */
  parts: string[];
}

const LEVELS = 6;

function freshState(): ScopeState {
  return {
    anchor: new Array<string | null>(LEVELS).fill(null),
    inserted: new Array<number>(LEVELS).fill(0),
    kept: new Array<boolean>(LEVELS).fill(false),
    parts: new Array<string>(LEVELS).fill(''),
  };
}

function resetBelow(st: ScopeState, level: number): void {
  for (let l = level + 1; l < LEVELS; l++) {
    st.anchor[l] = null;
    st.inserted[l] = 0;
    st.kept[l] = false;
    st.parts[l] = '';
  }
}

/**
 * `nodes` (numberNodes of the live document) renumbered to keep `previous` (id → number in the
 * last revision). Pass the result to computeNumbering(doc, nodes) for the maps.
 */
export function keepRevisionNumbers(
  nodes: readonly NumberedNode[],
  previous: ReadonlyMap<string, PreviousNumber>,
): NumberedNode[] {
  const states = new Map<string, ScopeState>();
  return nodes.map((n) => {
    if (!TEXT_BLOCK_KINDS.has(n.kind) || !n.numbered) return n;
    let st = states.get(n.scope);
    if (!st) {
      st = freshState();
      states.set(n.scope, st);
    }
    const l = Math.min(n.level, LEVELS - 1);
    const prev = n.id ? previous.get(n.id) : undefined;
    const wasHere = prev !== undefined && prev.scope === n.scope && prev.level === l;
    resetBelow(st, l);
    let label: string;
    let part: string;
    if (l === 0) {
      if (wasHere) {
        label = prev.label;
        part = prev.parts[0] ?? stripDot(prev.label);
        st.anchor[0] = part;
        st.inserted[0] = 0;
      } else {
        const suffix = latinSuffix(++st.inserted[0]!);
        const anchor = st.anchor[0] ?? `${prefixOf(n)}0`;
        part = `${anchor} ${suffix}`;
        label = `${stripDot(anchor.slice(prefixOf(n).length) || anchor)} ${suffix}.`;
      }
      st.kept[0] = wasHere;
    } else if (st.kept[l - 1]) {
      // Under a paragraph that was in the last revision: kept numbers, or bis after the last.
      if (wasHere) {
        label = prev.label;
        st.anchor[l] = label;
        st.inserted[l] = 0;
      } else {
        label = `${st.anchor[l] ?? zero(l)} ${latinSuffix(++st.inserted[l]!)}`;
      }
      part = label;
      st.kept[l] = wasHere;
    } else {
      // Under an inserted paragraph: numbered afresh, as numbering.ts numbered it.
      label = n.label;
      part = n.label;
      st.kept[l] = false;
    }
    st.parts[l] = part;
    const parts = st.parts.slice(0, l + 1).filter(Boolean);
    return { ...n, label, citation: parts.join(' '), parts };
  });
}

/** The numbers of a revision's nodes, by id, as keepRevisionNumbers reads them. */
export function previousNumbers(
  nodes: ReadonlyArray<{
    id: string;
    scope: string;
    level: number;
    label: string;
    citation: string;
    parts?: readonly string[];
  }>,
): Map<string, PreviousNumber> {
  return new Map(
    nodes.map((n) => [
      n.id,
      { scope: n.scope, level: n.level, label: n.label, parts: n.parts ?? [n.citation] },
    ]),
  );
}
