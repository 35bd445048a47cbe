/**
 * Comparing two versions of a report (two revisions, or a revision and the live text): nodes
 * aligned by their stable id, each row named for what happened to it (inserted, deleted, moved,
 * renumbered, text changed), with each side's number and a word diff of its text. Used by the
 * server's compare route and by the client that shows it.
 */
import { type DiffPart, wordDiff } from './diff.js';

/** One side of a node: what the comparison needs of a FrozenNode or a live one. */
export interface CompareNode {
  id: string;
  kind: string;
  scope?: string;
  parts?: string[];
  label: string;
  citation: string;
  text: string;
  level: number;
  status: string | null;
}

export type Change = 'inserted' | 'deleted' | 'moved' | 'renumbered' | 'text';

export interface CompareRow {
  id: string;
  kind: string;
  /** What happened to it, most telling first; empty when nothing did. */
  changes: Change[];
  before: CompareNode | null;
  after: CompareNode | null;
  /** Word diff of the text (before → after); the one side's text for an inserted or deleted node. */
  parts: DiffPart[];
}

export interface CompareSummary {
  inserted: number;
  deleted: number;
  moved: number;
  renumbered: number;
  text: number;
}

/**
 * Ids common to both, in `after` order, that keep their relative order: the longest increasing
 * subsequence of their `before` indices. Every other common id moved.
 */
function stayed(beforeIndex: Map<string, number>, after: readonly CompareNode[]): Set<string> {
  const seq = after.filter((n) => beforeIndex.has(n.id));
  const tails: number[] = []; // tails[k]: index in seq of the smallest tail of a run of length k+1
  const prev = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    const v = beforeIndex.get(seq[i]!.id)!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (beforeIndex.get(seq[tails[mid]!]!.id)! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<string>();
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!)
    out.add(seq[i]!.id);
  return out;
}

/**
 * The rows of a comparison in reading order: the `after` order, each deleted node placed after
 * the node that preceded it in `before` (or first).
 */
export function compareNodes(
  before: readonly CompareNode[],
  after: readonly CompareNode[],
): CompareRow[] {
  const beforeIndex = new Map(before.map((n, i) => [n.id, i]));
  const afterById = new Map(after.map((n) => [n.id, n]));
  const kept = stayed(beforeIndex, after);
  // Deleted nodes, grouped under the nearest earlier node that is still there.
  const deletedAfter = new Map<string | null, CompareNode[]>();
  let anchor: string | null = null;
  for (const n of before) {
    if (afterById.has(n.id)) {
      anchor = n.id;
      continue;
    }
    const list = deletedAfter.get(anchor) ?? [];
    list.push(n);
    deletedAfter.set(anchor, list);
  }
  const rows: CompareRow[] = [];
  const pushDeleted = (key: string | null) => {
    for (const n of deletedAfter.get(key) ?? [])
      rows.push({
        id: n.id,
        kind: n.kind,
        changes: ['deleted'],
        before: n,
        after: null,
        parts: n.text ? [{ kind: 'del', text: n.text }] : [],
      });
  };
  pushDeleted(null);
  for (const a of after) {
    const bi = beforeIndex.get(a.id);
    if (bi === undefined) {
      rows.push({
        id: a.id,
        kind: a.kind,
        changes: ['inserted'],
        before: null,
        after: a,
        parts: a.text ? [{ kind: 'ins', text: a.text }] : [],
      });
    } else {
      const b = before[bi]!;
      const changes: Change[] = [];
      if (!kept.has(a.id)) changes.push('moved');
      if (b.citation !== a.citation) changes.push('renumbered');
      if (b.text !== a.text) changes.push('text');
      rows.push({
        id: a.id,
        kind: a.kind,
        changes,
        before: b,
        after: a,
        parts: wordDiff(b.text, a.text),
      });
    }
    pushDeleted(a.id);
  }
  return rows;
}

export function summarise(rows: readonly CompareRow[]): CompareSummary {
  const s: CompareSummary = { inserted: 0, deleted: 0, moved: 0, renumbered: 0, text: 0 };
  for (const r of rows) for (const c of r.changes) s[c]++;
  return s;
}

/** "13 (c) in Rev.2, now 14 (c)", or null when the number did not move. */
export function numberMoved(
  before: string | null | undefined,
  label: string,
  now: string | null | undefined,
): string | null {
  if (!before || !now || before === now) return null;
  return `${before} in ${label}, now ${now}`;
}

/** GET /api/reports/:id/compare?from=<revision id>&to=<revision id or "live"> */
export interface CompareResponse {
  from: { id: string; label: string; date: string };
  /** null: the live text. */
  to: { id: string; label: string; date: string } | null;
  rows: CompareRow[];
  summary: CompareSummary;
}
