/**
 * What the side views do to the editor: select a paragraph (and bring it into view), replace its
 * text, and read the selection as the user sees it. Each takes the live view, never the settled
 * index, so positions are always current.
 */
import { Fragment, type Node as PMNode } from 'prosemirror-model';
import { TextSelection } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { isTextBlock, schema } from '../../../shared/schema.js';

/** The paragraph with `paragraphId` in `doc`: its position and content size. */
export function findParagraph(
  doc: PMNode,
  paragraphId: string,
): { pos: number; size: number } | null {
  let found: { pos: number; size: number } | null = null;
  doc.descendants((node, pos) => {
    if (found) return false;
    if (isTextBlock(node)) {
      if (node.attrs['id'] === paragraphId) found = { pos, size: node.content.size };
      return false;
    }
    return true;
  });
  return found;
}

/** Scrolls to a paragraph and selects its text. Returns false when it is not in the document. */
export function selectParagraph(view: EditorView, paragraphId: string): boolean {
  const found = findParagraph(view.state.doc, paragraphId);
  if (!found) return false;
  const sel = TextSelection.create(view.state.doc, found.pos + 1, found.pos + 1 + found.size);
  view.dispatch(view.state.tr.setSelection(sel).scrollIntoView());
  const dom = view.nodeDOM(found.pos);
  if (dom instanceof HTMLElement) dom.scrollIntoView({ block: 'center' });
  view.focus();
  return true;
}

/** Replaces a paragraph's text with `text` (an edit by this client, undoable). */
export function replaceParagraphText(view: EditorView, paragraphId: string, text: string): void {
  const found = findParagraph(view.state.doc, paragraphId);
  if (!found) throw new Error('The paragraph is gone.');
  const content = text ? Fragment.from(schema.text(text)) : Fragment.empty;
  view.dispatch(view.state.tr.replaceWith(found.pos + 1, found.pos + 1 + found.size, content));
}

/**
 * The selection as the user sees it. ProseMirror reads a changed DOM selection a moment later
 * (selectionchange), so a shortcut pressed right after Shift+End would see the old one: when the
 * editor has the focus, the DOM selection is the truth.
 */
export function currentRange(view: EditorView): { from: number; to: number } {
  const sel = view.dom.ownerDocument.getSelection();
  if (view.hasFocus() && sel?.anchorNode && sel.focusNode && view.dom.contains(sel.anchorNode)) {
    try {
      const a = view.posAtDOM(sel.anchorNode, sel.anchorOffset);
      const b = view.posAtDOM(sel.focusNode, sel.focusOffset);
      if (a >= 0 && b >= 0) return { from: Math.min(a, b), to: Math.max(a, b) };
    } catch {
      // Fall back on ProseMirror's own idea of the selection.
    }
  }
  return { from: view.state.selection.from, to: view.state.selection.to };
}

/** The id of the paragraph that holds `pos`, if any. */
export function paragraphIdAt(view: EditorView, pos: number): string | null {
  const doc = view.state.doc;
  const $from = doc.resolve(Math.min(Math.max(pos, 0), doc.content.size));
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (isTextBlock(node)) return (node.attrs['id'] as string | null) ?? null;
  }
  return null;
}
