/**
 * Paragraph numbers ("13.", "(a)", "(i)") and chapter numerals ("III.") in the margin.
 *
 * Numbers come from shared/numbering.ts (document order, never stored) and are shown as node
 * decorations: a `data-num` attribute that the stylesheet renders with `::before`, so the
 * numbers are not part of the editable text and cannot be typed over or copied as text.
 * Recomputed only when the document changes.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { type EditorState, Plugin, PluginKey } from 'prosemirror-state';
import { Decoration, DecorationSet } from 'prosemirror-view';
import { computeNumbering, type Numbering } from '../../../shared/numbering.js';

export interface NumberingState {
  numbering: Numbering;
  decorations: DecorationSet;
}

export const numberingKey = new PluginKey<NumberingState>('numbering');

function build(doc: PMNode): NumberingState {
  const numbering = computeNumbering(doc);
  const decorations: Decoration[] = [];
  doc.forEach((node, offset) => {
    if (node.type.name === 'title') {
      if (node.content.size === 0) {
        decorations.push(Decoration.node(offset, offset + node.nodeSize, { class: 'is-empty' }));
      }
      return;
    }
    if (node.type.name !== 'chapter') return;
    const numeral = numbering.chapters.get(offset);
    node.forEach((child, childOffset) => {
      const pos = offset + 1 + childOffset;
      const empty = child.content.size === 0;
      if (child.type.name === 'chapter_heading') {
        decorations.push(
          Decoration.node(pos, pos + child.nodeSize, {
            'data-num': numeral ? `${numeral}.` : '',
            ...(empty ? { class: 'is-empty' } : {}),
          }),
        );
      } else if (child.type.name === 'paragraph') {
        const number = numbering.byPos.get(pos);
        decorations.push(
          Decoration.node(pos, pos + child.nodeSize, {
            'data-num': number?.label ?? '',
            'data-cite': number?.citation ?? '',
            ...(empty ? { class: 'is-empty' } : {}),
          }),
        );
      }
    });
  });
  return { numbering, decorations: DecorationSet.create(doc, decorations) };
}

/** The plugin; its state (numbers by paragraph id and position) is readable via numberingKey. */
export function numberingPlugin(): Plugin<NumberingState> {
  return new Plugin<NumberingState>({
    key: numberingKey,
    state: {
      init: (_config, state) => build(state.doc),
      apply: (tr, previous) => (tr.docChanged ? build(tr.doc) : previous),
    },
    props: {
      decorations(state: EditorState) {
        return numberingKey.getState(state)?.decorations ?? null;
      },
    },
  });
}
