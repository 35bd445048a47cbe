/**
 * Consensus in the editor: each paragraph's status in the margin (label and colour), square
 * brackets highlighted live (unbalanced ones flagged), locked paragraphs (agreed, or under a
 * running silence) kept read-only, and the "open paragraphs only" filter.
 *
 * Everything is decorations, so nothing is added to the text: the margin label is drawn by CSS
 * from `data-label`. The lock is a filterTransaction: a local change that alters a locked
 * paragraph's content or attributes (or deletes it) is refused; inserting new paragraphs between
 * locked ones is not. Changes that arrive from Yjs (other people, the server's restoration) are
 * never filtered: the server decides what the text is.
 */
import type { Node as PMNode } from 'prosemirror-model';
import {
  type EditorState,
  Plugin,
  PluginKey,
  TextSelection,
  type Transaction,
} from 'prosemirror-state';
import { Decoration, type DecorationSet, type EditorView } from 'prosemirror-view';
import { ySyncPluginKey } from 'y-prosemirror';
import {
  DEFAULT_STATUS,
  type ParagraphStatus,
  SETTLED_STATUSES,
  STATUS_LABELS,
  STATUS_SHORT,
  scanBrackets,
} from '../../../shared/consensus.js';
import { isTextBlock } from '../../../shared/schema.js';
import { negotiatedText } from '../../../shared/text.js';
import {
  buildBlockDecorations,
  changedRange,
  type DecorateBlock,
  updateBlockDecorations,
} from '../editor/blockDecorations.js';
import { dropHistoryStep, lockedInHistoryStep, type RefuseHistory } from './history.js';

/** What the plugin shows; replaced as a whole by setConsensus. */
export interface ConsensusInfo {
  /** Paragraph id → recorded status (absent: DEFAULT_STATUS). */
  statuses: ReadonlyMap<string, ParagraphStatus>;
  /** Paragraphs under a running silence. */
  silenced: ReadonlySet<string>;
  /** Paragraphs nobody may edit (locked statuses and running silences). */
  locked: ReadonlySet<string>;
  /** Hide settled paragraphs. */
  openOnly: boolean;
}

export const EMPTY_CONSENSUS: ConsensusInfo = {
  statuses: new Map(),
  silenced: new Set(),
  locked: new Set(),
  openOnly: false,
};

interface ConsensusState {
  info: ConsensusInfo;
  decorate: DecorateBlock;
  decorations: DecorationSet;
}

export const consensusKey = new PluginKey<ConsensusState>('consensus');

/** The status a paragraph shows: bracketed text reads as bracketed while it is still a draft. */
export function shownStatus(stored: ParagraphStatus, text: string): ParagraphStatus {
  if (stored !== DEFAULT_STATUS) return stored;
  const scan = scanBrackets(text);
  return scan.pairs.length > 0 || scan.unbalanced.length > 0 ? 'bracketed' : stored;
}

function bracketDecorations(text: string, at: number[], out: Decoration[]): boolean {
  const scan = scanBrackets(text);
  for (const pair of scan.pairs) {
    const open = at[pair.open]!;
    const close = at[pair.close]!;
    const depth = String(Math.min(pair.depth, 3));
    out.push(
      Decoration.inline(open, open + 1, {
        class: 'bracket',
        'data-testid': 'bracket',
        'data-depth': depth,
      }),
      Decoration.inline(close, close + 1, {
        class: 'bracket',
        'data-testid': 'bracket',
        'data-depth': depth,
      }),
    );
    if (close > open + 1 && pair.depth === 0) {
      out.push(Decoration.inline(open + 1, close, { class: 'bracketed-text' }));
    }
  }
  for (const offset of scan.unbalanced) {
    const p = at[offset]!;
    const isOpen = text[offset] === '[';
    out.push(
      Decoration.inline(p, p + 1, {
        class: 'bracket is-unbalanced',
        'data-testid': 'bracket-unbalanced',
        title: isOpen
          ? 'Unbalanced bracket: this “[” is never closed'
          : 'Unbalanced bracket: this “]” has no opening “[”',
      }),
    );
  }
  return scan.pairs.length > 0 || scan.unbalanced.length > 0;
}

/** What a margin label shows (drawn by `ConsensusPluginOptions.renderLabel`). */
export interface StatusLabel {
  paragraphId: string;
  /** The status shown (bracketed text reads as bracketed while a draft). */
  status: ParagraphStatus;
  /** The short text (CSS draws it from data-label, so the paragraph's text is untouched). */
  label: string;
  /** The long description (tooltip). */
  title: string;
  locked: boolean;
  silenced: boolean;
}

type WidgetToDOM = Extract<Parameters<typeof Decoration.widget>[1], (...args: never[]) => unknown>;

/** Decorates one text block: its brackets, and (with an id) its status and margin label. */
function decorator(
  info: ConsensusInfo,
  renderLabel: (label: StatusLabel) => ReturnType<WidgetToDOM>,
): DecorateBlock {
  return (node, pos, decorations) => {
    const id = node.attrs['id'] as string | null;
    const { text, at } = negotiatedText(node, pos);
    const bracketed = bracketDecorations(text, at, decorations);
    if (!id) return;
    const stored = info.statuses.get(id) ?? DEFAULT_STATUS;
    const status = bracketed && stored === DEFAULT_STATUS ? 'bracketed' : stored;
    const locked = info.locked.has(id);
    const silenced = info.silenced.has(id);
    const hidden = info.openOnly && SETTLED_STATUSES.has(stored);
    const classes = [`status-${status}`];
    if (locked) classes.push('is-locked');
    if (silenced) classes.push('is-silenced');
    if (hidden) classes.push('is-filtered-out');
    decorations.push(
      Decoration.node(pos, pos + node.nodeSize, {
        class: classes.join(' '),
        'data-status': status,
        ...(locked ? { 'data-locked': 'true' } : {}),
      }),
    );
    const label = silenced ? 'silence' : STATUS_SHORT[status];
    const title = `${STATUS_LABELS[status]}${stored !== status ? ' (brackets in the text)' : ''}${silenced ? ' · under silence' : ''}${locked ? ' · locked' : ''} — click for status, positions and history`;
    decorations.push(
      Decoration.widget(
        pos + 1,
        () => renderLabel({ paragraphId: id, status, label, title, locked, silenced }),
        {
          key: `status-${id}-${status}-${locked ? 1 : 0}-${silenced ? 1 : 0}`,
          side: -1,
          ignoreSelection: true,
          stopEvent: () => true,
        },
      ),
    );
  };
}

/** True for the transactions through which y-prosemirror shows what came from Yjs. */
function fromYjs(tr: Transaction): boolean {
  return tr.getMeta(ySyncPluginKey) !== undefined;
}

/** Every paragraph node by id (a duplicated id has several). */
function paragraphsById(doc: PMNode, wanted: ReadonlySet<string>): Map<string, PMNode[]> {
  const out = new Map<string, PMNode[]>();
  doc.descendants((node) => {
    if (!isTextBlock(node)) return !node.isTextblock;
    const id = node.attrs['id'] as string | null;
    if (id && wanted.has(id)) {
      const list = out.get(id);
      if (list) list.push(node);
      else out.set(id, [node]);
    }
    return false;
  });
  return out;
}

/**
 * The id of a locked paragraph that `after` changed (content, attributes, or gone), or null when
 * every locked paragraph of `before` is still there, identical. New paragraphs anywhere are fine.
 */
export function lockViolation(
  before: PMNode,
  after: PMNode,
  locked: ReadonlySet<string>,
): string | null {
  if (locked.size === 0) return null;
  // Only a locked paragraph in the changed range can have changed (the rest is shared).
  const range = changedRange(before, after);
  if (range === null) return null;
  const touched = new Set<string>();
  before.nodesBetween(
    Math.max(0, range.from - 1),
    Math.min(before.content.size, range.toBefore + 1),
    (node) => {
      if (!isTextBlock(node)) return !node.isTextblock;
      const id = node.attrs['id'] as string | null;
      if (id && locked.has(id)) touched.add(id);
      return false;
    },
  );
  if (touched.size === 0) return null;
  const old = paragraphsById(before, touched);
  if (old.size === 0) return null;
  const now = paragraphsById(after, locked);
  for (const [id, nodes] of old) {
    const candidates = now.get(id) ?? [];
    for (const node of nodes) {
      if (!candidates.some((c) => c.eq(node))) return id;
    }
  }
  return null;
}

/**
 * The selection as the browser has it. ProseMirror reads a caret moved by the browser (End, a
 * click) a moment later, on selectionchange; an input event can come first.
 */
function domRange(view: EditorView): { anchor: number; head: number } | null {
  const sel = view.dom.ownerDocument.getSelection();
  if (!sel?.anchorNode || !sel.focusNode || !view.dom.contains(sel.anchorNode)) return null;
  try {
    const anchor = view.posAtDOM(sel.anchorNode, sel.anchorOffset);
    const head = view.posAtDOM(sel.focusNode, sel.focusOffset);
    return anchor >= 0 && head >= 0 ? { anchor, head } : null;
  } catch {
    return null;
  }
}

/** The first locked paragraph between `from` and `to`, or null. */
function lockedBetween(state: EditorState, from: number, to: number): string | null {
  const locked = consensusKey.getState(state)?.info.locked;
  if (!locked || locked.size === 0) return null;
  let hit: string | null = null;
  state.doc.nodesBetween(from, to, (node) => {
    if (hit) return false;
    if (!isTextBlock(node)) return true;
    const id = node.attrs['id'] as string | null;
    if (id && locked.has(id)) hit = id;
    return false;
  });
  return hit;
}

export interface ConsensusPluginOptions {
  /** Builds a margin label's element (ProseMirror keeps it while its key is unchanged). */
  renderLabel: (label: StatusLabel) => ReturnType<WidgetToDOM>;
  /** A local change to a locked paragraph was refused. */
  onRefused: (paragraphId: string) => void;
}

export function consensusPlugin(options: ConsensusPluginOptions): Plugin<ConsensusState> {
  return new Plugin<ConsensusState>({
    key: consensusKey,
    state: {
      init: (_config, state) => {
        const decorate = decorator(EMPTY_CONSENSUS, options.renderLabel);
        return {
          info: EMPTY_CONSENSUS,
          decorate,
          decorations: buildBlockDecorations(state.doc, decorate),
        };
      },
      // New data redecorates everything; a change of the text only the paragraphs it touched.
      apply: (tr, previous) => {
        const info = tr.getMeta(consensusKey) as ConsensusInfo | undefined;
        if (info) {
          const decorate = decorator(info, options.renderLabel);
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
    // Undo and redo run on the Y.Doc and arrive as changes from Yjs, past the filter below: the
    // step is looked at before it runs (see history.ts).
    refuseHistory: ((state, stack) => {
      const locked = consensusKey.getState(state)?.info.locked;
      if (!locked || locked.size === 0) return false;
      const id = lockedInHistoryStep(state, stack, locked);
      if (id === null) return false;
      dropHistoryStep(state, stack);
      options.onRefused(id);
      return true;
    }) satisfies RefuseHistory,
    filterTransaction: (tr: Transaction, state: EditorState) => {
      if (!tr.docChanged || fromYjs(tr)) return true;
      const locked = consensusKey.getState(state)?.info.locked;
      if (!locked || locked.size === 0) return true;
      const id = lockViolation(state.doc, tr.doc, locked);
      if (id === null) return true;
      options.onRefused(id);
      return false;
    },
    props: {
      decorations: (state) => consensusKey.getState(state)?.decorations ?? null,
      handleDOMEvents: {
        // Typing into locked text is stopped before the browser touches the DOM (the filter
        // alone would refuse the change only after the browser made it, and the caret would
        // not survive the repair).
        beforeinput: (view, event) => {
          if (!event.cancelable) return false;
          const range = domRange(view);
          const { state } = view;
          const from = range ? Math.min(range.anchor, range.head) : state.selection.from;
          const to = range ? Math.max(range.anchor, range.head) : state.selection.to;
          const id = lockedBetween(state, from, to);
          if (id === null) return false;
          event.preventDefault();
          // Nothing is typed, but the caret the browser moved is where the user is: make it
          // ProseMirror's too, so that the next key (Enter at the end) acts there.
          if (
            range &&
            (range.anchor !== state.selection.anchor || range.head !== state.selection.head)
          ) {
            try {
              view.dispatch(
                state.tr.setSelection(TextSelection.create(state.doc, range.anchor, range.head)),
              );
            } catch {
              // Not a text position: ProseMirror catches up on selectionchange.
            }
          }
          options.onRefused(id);
          return true;
        },
      },
    },
  });
}

/** Shows new consensus data (statuses, locks, the filter). */
export function setConsensus(view: EditorView, info: ConsensusInfo): void {
  view.dispatch(view.state.tr.setMeta(consensusKey, info).setMeta('addToHistory', false));
}
