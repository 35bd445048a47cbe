/** Editing commands of the report editor (beyond prosemirror-commands' baseKeymap). */
import { splitBlockAs } from 'prosemirror-commands';
import type { Command } from 'prosemirror-state';
import { isTextBlock, MAX_PARAGRAPH_LEVEL } from '../../../shared/schema.js';

/**
 * Moves every paragraph touched by the selection `delta` levels deeper (Tab: +1) or shallower
 * (Shift-Tab: −1), clamped to 0..MAX_PARAGRAPH_LEVEL. Applies when the selection touches at
 * least one paragraph (so Tab never leaves the editor from inside the text).
 */
export function shiftParagraphLevel(delta: number): Command {
  return (state, dispatch) => {
    const { from, to } = state.selection;
    const targets: { pos: number; level: number }[] = [];
    state.doc.nodesBetween(from, to, (node, pos) => {
      if (isTextBlock(node)) {
        const level = Number(node.attrs['level']) || 0;
        targets.push({ pos, level });
        return false;
      }
      return true;
    });
    if (targets.length === 0) return false;
    const changes = targets
      .map((t) => ({ ...t, next: Math.min(Math.max(t.level + delta, 0), MAX_PARAGRAPH_LEVEL) }))
      .filter((t) => t.next !== t.level);
    if (dispatch && changes.length > 0) {
      const tr = state.tr;
      for (const c of changes) tr.setNodeAttribute(c.pos, 'level', c.next);
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}

/**
 * Enter in a paragraph. At the end of a sub-paragraph the new paragraph keeps its level (the
 * next "(b)" after "(a)"), with a fresh id; in the middle the split keeps both halves' attributes
 * and paragraphIdsPlugin gives the second half a new id. Enter in an empty sub-paragraph moves it
 * one level up instead, as in lists. Elsewhere (title, headings) it defers to baseKeymap.
 */
export const splitParagraph: Command = (state, dispatch) => {
  const { $from, empty } = state.selection;
  const paragraph = $from.parent;
  if (!isTextBlock(paragraph)) return false;
  const level = Number(paragraph.attrs['level']) || 0;
  if (empty && paragraph.content.size === 0 && level > 0) {
    return shiftParagraphLevel(-1)(state, dispatch);
  }
  return splitBlockAs((node, atEnd) =>
    atEnd ? { type: node.type, attrs: { level: Number(node.attrs['level']) || 0 } } : null,
  )(state, dispatch);
};
