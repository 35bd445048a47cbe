/**
 * Decorations computed paragraph by paragraph (each text block's own decorations depend only on
 * that block and on the plugin's data), kept up to date incrementally: after a change, the old
 * set is mapped over the part of the document that did not change and only the text blocks in
 * the changed range are decorated again.
 *
 * The changed range comes from comparing the two documents (`findDiffStart`/`findDiffEnd`), not
 * from the transaction's mapping: y-prosemirror shows every change from Yjs as one replacement of
 * the whole document, whose mapping would drop every decoration. Unchanged nodes are shared
 * between the two documents, so the comparison skips them without looking inside.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { Mapping, StepMap } from 'prosemirror-transform';
import { type Decoration, DecorationSet } from 'prosemirror-view';
import { isTextBlock } from '../../../shared/schema.js';

/** Adds the decorations of the text block `node` (at document position `pos`) to `out`. */
export type DecorateBlock = (node: PMNode, pos: number, out: Decoration[]) => void;

/** Every text block's decorations, computed from scratch. */
export function buildBlockDecorations(doc: PMNode, decorate: DecorateBlock): DecorationSet {
  const out: Decoration[] = [];
  doc.descendants((node, pos) => {
    if (!isTextBlock(node)) return !node.isTextblock;
    decorate(node, pos, out);
    return false;
  });
  return DecorationSet.create(doc, out);
}

/**
 * The range of `after` that differs from `before` ({from, toBefore, toAfter}), or null when the
 * two documents are equal.
 */
export function changedRange(
  before: PMNode,
  after: PMNode,
): { from: number; toBefore: number; toAfter: number } | null {
  const from = before.content.findDiffStart(after.content);
  if (from === null) return null;
  const end = before.content.findDiffEnd(after.content);
  let toBefore = end ? end.a : before.content.size;
  let toAfter = end ? end.b : after.content.size;
  // A repeated run at the edit (typing "a" after "a") lets the end scan pass the start.
  const overlap = from - Math.min(toBefore, toAfter);
  if (overlap > 0) {
    toBefore += overlap;
    toAfter += overlap;
  }
  return { from, toBefore, toAfter };
}

/**
 * `set` (the decorations of `before`) updated to `after`: mapped over the unchanged parts, and
 * every text block that touches the changed range decorated again.
 */
export function updateBlockDecorations(
  set: DecorationSet,
  before: PMNode,
  after: PMNode,
  decorate: DecorateBlock,
): DecorationSet {
  if (before === after) return set;
  const range = changedRange(before, after);
  if (range === null) return set.map(new Mapping(), after);
  const { from, toBefore, toAfter } = range;
  const mapped = set.map(
    new Mapping([new StepMap([from, toBefore - from, toAfter - from])]),
    after,
  );
  // The text blocks touching the changed range, and the span they cover.
  let start = from;
  let end = toAfter;
  const fresh: Decoration[] = [];
  after.nodesBetween(
    Math.max(0, from - 1),
    Math.min(after.content.size, toAfter + 1),
    (node, pos) => {
      if (!isTextBlock(node)) return !node.isTextblock;
      start = Math.min(start, pos);
      end = Math.max(end, pos + node.nodeSize);
      decorate(node, pos, fresh);
      return false;
    },
  );
  // Whatever the mapping left inside that span belonged to the blocks decorated again.
  const stale = mapped.find(start, end).filter((d) => d.from >= start && d.to <= end);
  return mapped.remove(stale).add(after, fresh);
}
