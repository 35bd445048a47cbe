/**
 * Margin badges: per paragraph, the number of open threads, marked when one has unread messages.
 * Widget decorations keyed by paragraph id (and what they show), so ProseMirror keeps a badge's
 * DOM while nothing about it changes. The count is drawn by CSS from `data-count`: the badge
 * adds no text to the paragraph.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { Plugin, PluginKey } from 'prosemirror-state';
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view';
import { isTextBlock } from '../../../shared/schema.js';

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
  decorations: DecorationSet;
}

export const badgesKey = new PluginKey<BadgeState>('commentBadges');

function build(
  doc: PMNode,
  info: Map<string, BadgeInfo>,
  onClick: (paragraphId: string) => void,
): DecorationSet {
  const decorations: Decoration[] = [];
  doc.descendants((node, pos) => {
    if (!isTextBlock(node)) return !node.isTextblock;
    const id = node.attrs['id'] as string | null;
    const badge = id ? info.get(id) : undefined;
    if (!id || !badge || badge.open === 0) return false;
    for (const quote of new Set(badge.quotes ?? [])) quoteHighlights(node, pos, quote, decorations);
    decorations.push(
      Decoration.widget(
        pos + 1,
        () => {
          const el = document.createElement('button');
          el.type = 'button';
          el.className = badge.unread ? 'comment-badge is-unread' : 'comment-badge';
          el.contentEditable = 'false';
          el.dataset['count'] = String(badge.open);
          el.dataset['paragraphId'] = id;
          el.dataset['testid'] = 'comment-badge';
          el.setAttribute('data-testid', 'comment-badge');
          el.setAttribute(
            'aria-label',
            `${badge.open} open thread${badge.open === 1 ? '' : 's'}${badge.unread ? ', unread messages' : ''}`,
          );
          el.addEventListener('mousedown', (e) => e.preventDefault());
          el.addEventListener('click', (e) => {
            e.preventDefault();
            onClick(id);
          });
          return el;
        },
        {
          key: `badge-${id}-${badge.open}-${badge.unread ? 1 : 0}`,
          side: -1,
          ignoreSelection: true,
          stopEvent: () => true,
        },
      ),
    );
    return false;
  });
  return DecorationSet.create(doc, decorations);
}

export function badgesPlugin(onClick: (paragraphId: string) => void): Plugin<BadgeState> {
  return new Plugin<BadgeState>({
    key: badgesKey,
    state: {
      init: (_config, state) => ({
        info: new Map(),
        decorations: build(state.doc, new Map(), onClick),
      }),
      apply: (tr, previous) => {
        const info = tr.getMeta(badgesKey) as Map<string, BadgeInfo> | undefined;
        if (info) return { info, decorations: build(tr.doc, info, onClick) };
        if (tr.docChanged)
          return { info: previous.info, decorations: build(tr.doc, previous.info, onClick) };
        return previous;
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
