/**
 * Margin badges: per paragraph, the number of open threads, marked when one has unread messages.
 * Widget decorations keyed by paragraph id (and what they show), so ProseMirror keeps a badge's
 * DOM while nothing about it changes. The count is drawn by CSS from `data-count`: the badge
 * adds no text to the paragraph.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { Plugin, PluginKey } from 'prosemirror-state';
import { Decoration, type DecorationSet, type EditorView } from 'prosemirror-view';
import {
  buildBlockDecorations,
  type DecorateBlock,
  updateBlockDecorations,
} from '../editor/blockDecorations.js';

export interface BadgeInfo {
  open: number;
  unread: boolean;
  /** The quotes of the paragraph's open threads: highlighted wherever they still occur in it. */
  quotes?: string[];
}

/**
 * Inline decorations over each occurrence of `quote` in the paragraph at `pos`, searched in the
 * paragraph's text (text nodes only; a quote does not span a line break).
 */
function quoteHighlights(node: PMNode, pos: number, quote: string, out: Decoration[]): void {
  if (!quote) return;
  let text = '';
  const starts: number[] = []; // doc position of each character of `text`
  node.forEach((child, offset) => {
    if (!child.isText) {
      text += '\uFFFC';
      starts.push(-1);
      return;
    }
    const t = child.text ?? '';
    for (let i = 0; i < t.length; i++) starts.push(pos + 1 + offset + i);
    text += t;
  });
  for (let at = text.indexOf(quote); at >= 0; at = text.indexOf(quote, at + quote.length)) {
    const from = starts[at]!;
    const to = starts[at + quote.length - 1]! + 1;
    if (from < 0 || to <= from) continue;
    out.push(
      Decoration.inline(from, to, {
        class: 'comment-quote-highlight',
        'data-testid': 'quote-highlight',
      }),
    );
  }
}

interface BadgeState {
  info: Map<string, BadgeInfo>;
  decorate: DecorateBlock;
  decorations: DecorationSet;
}

export const badgesKey = new PluginKey<BadgeState>('commentBadges');

type WidgetToDOM = Extract<Parameters<typeof Decoration.widget>[1], (...args: never[]) => unknown>;

/** Builds a badge's element (ProseMirror keeps it while its key is unchanged). */
export type RenderBadge = (paragraphId: string, badge: BadgeInfo) => ReturnType<WidgetToDOM>;

/** Decorates one text block: its open threads' badge and their quotes. */
function decorator(info: Map<string, BadgeInfo>, renderBadge: RenderBadge): DecorateBlock {
  return (node, pos, decorations) => {
    const id = node.attrs['id'] as string | null;
    const badge = id ? info.get(id) : undefined;
    if (!id || !badge || badge.open === 0) return;
    for (const quote of new Set(badge.quotes ?? [])) quoteHighlights(node, pos, quote, decorations);
    decorations.push(
      Decoration.widget(pos + 1, () => renderBadge(id, badge), {
        key: `badge-${id}-${badge.open}-${badge.unread ? 1 : 0}`,
        side: -1,
        ignoreSelection: true,
        stopEvent: () => true,
      }),
    );
  };
}

export function badgesPlugin(renderBadge: RenderBadge): Plugin<BadgeState> {
  return new Plugin<BadgeState>({
    key: badgesKey,
    state: {
      init: (_config, state) => {
        const decorate = decorator(new Map(), renderBadge);
        return {
          info: new Map(),
          decorate,
          decorations: buildBlockDecorations(state.doc, decorate),
        };
      },
      // New data redecorates everything; a change of the text only the paragraphs it touched.
      apply: (tr, previous) => {
        const info = tr.getMeta(badgesKey) as Map<string, BadgeInfo> | undefined;
        if (info) {
          const decorate = decorator(info, renderBadge);
          return { info, decorate, decorations: buildBlockDecorations(tr.doc, decorate) };
        }
        if (!tr.docChanged) return previous;
        return {
          ...previous,
          decorations: updateBlockDecorations(
            previous.decorations,
            tr.before,
            tr.doc,
            previous.decorate,
          ),
        };
      },
    },
    props: {
      decorations: (state) => badgesKey.getState(state)?.decorations ?? null,
    },
  });
}

/** Shows new badge data. */
export function setBadges(view: EditorView, info: Map<string, BadgeInfo>): void {
  view.dispatch(view.state.tr.setMeta(badgesKey, info).setMeta('addToHistory', false));
}
