/**
 * Numbers in the margin: paragraphs ("13.", "(a)", "(i)"), chapter numerals ("III."), section
 * letters ("A."), annex names ("Annex II") and footnote numbers, all from numberNodes.
 *
 * Numbers come from shared/numbering.ts (document order, never stored) and are shown as node
 * decorations: a `data-num` attribute that the stylesheet renders with `::before`, so the
 * numbers are not part of the editable text and cannot be typed over or copied as text.
 * Recomputed when the document changes, and when the last revision's numbers arrive or change
 * (the bis/ter layer: they can arrive after the text, or with a revision another person issues).
 */
import { effect } from '@preact/signals';
import type { Node as PMNode } from 'prosemirror-model';
import { type EditorState, Plugin, PluginKey } from 'prosemirror-state';
import { Decoration, DecorationSet } from 'prosemirror-view';
import type { Numbering } from '../../../shared/numbering.js';
import { lastRevision } from '../revisions/lastRevision.js';
import { reportNumbering } from '../revisions/numbering.js';

export interface NumberingState {
  numbering: Numbering;
  decorations: DecorationSet;
}

export const numberingKey = new PluginKey<NumberingState>('numbering');

function build(doc: PMNode): NumberingState {
  const numbering = reportNumbering(doc);
  const decorations: Decoration[] = [];
  const empty = (node: PMNode) => (node.content.size === 0 ? { class: 'is-empty' } : {});
  const title = doc.firstChild;
  if (title && title.content.size === 0) {
    decorations.push(Decoration.node(0, title.nodeSize, { class: 'is-empty' }));
  }
  for (const entry of numbering.nodes) {
    const node = doc.nodeAt(entry.pos);
    if (!node) continue;
    if (node.isTextblock) {
      decorations.push(
        Decoration.node(entry.pos, entry.pos + node.nodeSize, {
          'data-num': entry.label,
          'data-cite': entry.citation,
          ...empty(node),
        }),
      );
    } else if (node.isInline) {
      // A footnote: its number shown before its text (the stylesheet sets it as a superscript).
      decorations.push(
        Decoration.node(entry.pos, entry.pos + node.nodeSize, { 'data-num': entry.label }),
      );
    } else {
      // A container: its number on its heading (first child), e.g. "III.", "A.", "Annex II".
      const heading = node.firstChild;
      if (!heading) continue;
      const pos = entry.pos + 1;
      decorations.push(
        Decoration.node(pos, pos + heading.nodeSize, {
          'data-num': entry.label,
          ...empty(heading),
        }),
      );
    }
  }
  return { numbering, decorations: DecorationSet.create(doc, decorations) };
}

/** The plugin; its state (numbers by paragraph id and position) is readable via numberingKey. */
export function numberingPlugin(): Plugin<NumberingState> {
  return new Plugin<NumberingState>({
    key: numberingKey,
    state: {
      init: (_config, state) => build(state.doc),
      apply: (tr, previous) =>
        tr.docChanged || tr.getMeta(numberingKey) ? build(tr.doc) : previous,
    },
    view(view) {
      let first = true;
      const stop = effect(() => {
        void lastRevision.value;
        // The first run is the plugin's creation, inside the view's constructor: nothing to redo.
        if (first) {
          first = false;
          return;
        }
        if (!view.isDestroyed) view.dispatch(view.state.tr.setMeta(numberingKey, true));
      });
      return { destroy: stop };
    },
    props: {
      decorations(state: EditorState) {
        return numberingKey.getState(state)?.decorations ?? null;
      },
    },
  });
}
