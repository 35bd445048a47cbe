/**
 * Commands that add document structure (shared/schema.ts): a footnote at the caret, a document
 * reference, a lettered section, an annex, a front matter block. Each new identified node gets
 * a fresh id here (paragraphIdsPlugin would give one anyway); the caret goes where the user
 * writes next. Every command answers false when it does not apply where the caret is.
 */
import type { NodeType, Node as PMNode } from 'prosemirror-model';
import { type Command, type EditorState, TextSelection } from 'prosemirror-state';
import { newNodeId } from '../../../shared/ids.js';
import { SYMBOL_PATTERN } from '../../../shared/metadata.js';
import { schema } from '../../../shared/schema.js';

const n = schema.nodes;
const emptyParagraph = () => n['paragraph']!.create({ id: newNodeId(), level: 0 });

/** The caret's text block (a paragraph, a heading, the title), unless inside a footnote. */
function caretBlock(state: EditorState): boolean {
  const { $from } = state.selection;
  return $from.parent.isTextblock && $from.parent.type !== n['footnote'];
}

/** A footnote holding `text`, at the caret (replacing a selection's end: it is put after it). */
export function insertFootnote(text: string): Command {
  return (state, dispatch) => {
    const body = text.trim();
    if (!body || !caretBlock(state)) return false;
    const { to, $to } = state.selection;
    if (!$to.parent.canReplaceWith($to.index(), $to.index(), n['footnote']!)) return false;
    if (dispatch) {
      const note = n['footnote']!.create({ id: newNodeId() }, schema.text(body));
      const tr = state.tr.insert(to, note);
      tr.setSelection(TextSelection.create(tr.doc, to + note.nodeSize));
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}

/**
 * A document reference: the selection becomes a reference to `symbol` (or, with nothing
 * selected, the symbol is inserted as a reference). Refused unless `symbol` is a UN symbol.
 */
export function citeDocument(symbol: string): Command {
  return (state, dispatch) => {
    const s = symbol.trim();
    if (!SYMBOL_PATTERN.test(s)) return false;
    const { from, to, empty, $from } = state.selection;
    if (!$from.parent.inlineContent || !$from.parent.type.allowsMarkType(schema.marks['docref']!))
      return false;
    if (dispatch) {
      const mark = schema.marks['docref']!.create({ symbol: s });
      const tr = empty
        ? state.tr.insert(from, schema.text(s, [mark]))
        : state.tr.addMark(from, to, mark);
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}

/** The depth of the nearest ancestor of the caret of one of `types`, or -1. */
function ancestor(state: EditorState, types: readonly NodeType[]): number {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) if (types.includes($from.node(d).type)) return d;
  return -1;
}

function insertAndEnter(state: EditorState, pos: number, node: PMNode) {
  const tr = state.tr.insert(pos, node);
  // Into the new node's first text block (its heading).
  return tr.setSelection(TextSelection.near(tr.doc.resolve(pos + 2))).scrollIntoView();
}

/**
 * A lettered section in the chapter or annex of the caret: after the caret's section, or after
 * the container's last child (sections follow a container's own paragraphs).
 */
export const insertSection: Command = (state, dispatch) => {
  const { $from } = state.selection;
  const inSection = ancestor(state, [n['section']!]);
  const container = ancestor(state, [n['chapter']!, n['annex']!]);
  if (container < 0) return false;
  const pos = inSection >= 0 ? $from.after(inSection) : $from.end(container);
  const section = n['section']!.create({ id: newNodeId() }, [
    n['section_heading']!.create(),
    emptyParagraph(),
  ]);
  const parent = $from.node(container);
  const index = inSection >= 0 ? $from.index(container) + 1 : parent.childCount;
  if (!parent.canReplaceWith(index, index, n['section']!)) return false;
  if (dispatch) dispatch(insertAndEnter(state, pos, section));
  return true;
};

/** An annex at the end of the document (annexes come last), its title to be typed. */
export const insertAnnex: Command = (state, dispatch) => {
  const doc = state.doc;
  if (!doc.canReplaceWith(doc.childCount, doc.childCount, n['annex']!)) return false;
  if (dispatch) {
    const annex = n['annex']!.create({ id: newNodeId() }, [
      n['annex_heading']!.create(),
      emptyParagraph(),
    ]);
    dispatch(insertAndEnter(state, doc.content.size, annex));
  }
  return true;
};

/** A front matter block (foreword, summary …) after the existing ones, before chapter I. */
export const insertFrontMatter: Command = (state, dispatch) => {
  const doc = state.doc;
  let index = 1;
  while (index < doc.childCount && doc.child(index).type === n['front_matter']) index++;
  if (index >= doc.childCount || doc.child(index).type !== n['chapter']) return false;
  if (!doc.canReplaceWith(index, index, n['front_matter']!)) return false;
  if (dispatch) {
    let pos = 0;
    for (let i = 0; i < index; i++) pos += doc.child(i).nodeSize;
    const block = n['front_matter']!.create({ id: newNodeId() }, [
      n['front_heading']!.create(),
      emptyParagraph(),
    ]);
    dispatch(insertAndEnter(state, pos, block));
  }
  return true;
};
