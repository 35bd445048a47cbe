/**
 * The editor as the side views see it: the view once it exists, the document (settled: at most
 * one update per DOC_SETTLE_MS while someone types), its index, the paragraph at the cursor and
 * the paragraphs the selection touches. Fed by one plugin (`plugin()`); views read the signals.
 */
import { computed, type ReadonlySignal, signal } from '@preact/signals';
import type { Node as PMNode } from 'prosemirror-model';
import { type EditorState, Plugin } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { isTextBlock } from '../../../shared/schema.js';
import { sameItems } from '../ui/signals.js';
import { type DocIndex, indexDoc } from './docIndex.js';

/** How long the side views may lag behind the text while someone types. */
export const DOC_SETTLE_MS = 50;

/** The id of the paragraph that holds the selection's start, if any. */
export function cursorParagraphOf(state: EditorState): string | null {
  const $from = state.selection.$from;
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (isTextBlock(node)) return (node.attrs['id'] as string | null) ?? null;
  }
  return null;
}

/** Ids of the paragraphs the selection touches. */
export function selectedParagraphIds(state: EditorState): string[] {
  const { from, to } = state.selection;
  const out: string[] = [];
  state.doc.nodesBetween(from, to, (node) => {
    if (isTextBlock(node)) {
      const id = node.attrs['id'] as string | null;
      if (id && !out.includes(id)) out.push(id);
      return false;
    }
    return true;
  });
  return out;
}

export class EditorBridge {
  private readonly viewSignal = signal<EditorView | null>(null);
  private readonly docSignal = signal<PMNode | null>(null);
  private readonly cursor = signal<string | null>(null);
  private readonly selected = signal<readonly string[]>([]);
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Every paragraph's number, text and chapter, as of the settled document. */
  readonly index: ReadonlySignal<DocIndex> = computed(() => indexDoc(this.docSignal.value));

  /** The editor, once it exists. */
  get view(): ReadonlySignal<EditorView | null> {
    return this.viewSignal;
  }

  /** The settled document (null until the editor exists). */
  get doc(): ReadonlySignal<PMNode | null> {
    return this.docSignal;
  }

  /** The paragraph at the cursor (null outside paragraphs). */
  get cursorParagraph(): ReadonlySignal<string | null> {
    return this.cursor;
  }

  /** The paragraphs the selection touches. */
  get selectedParagraphs(): ReadonlySignal<readonly string[]> {
    return this.selected;
  }

  /** The editor exists: its document and selection are known from now on. */
  attach(view: EditorView): void {
    this.viewSignal.value = view;
    this.read(view.state);
    this.flush();
  }

  /** Brings the settled document up to date now (before reading the index for an action). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const view = this.viewSignal.peek();
    if (view) this.docSignal.value = view.state.doc;
  }

  /** Follows the editor: the document (settled) and the selection (at once). */
  plugin(): Plugin {
    return new Plugin({
      view: () => ({
        update: (view, prev) => {
          if (view.state.doc !== prev.doc && !this.timer) {
            this.timer = setTimeout(() => this.flush(), DOC_SETTLE_MS);
          }
          if (view.state.selection !== prev.selection || view.state.doc !== prev.doc) {
            this.read(view.state);
          }
        },
        destroy: () => this.dispose(),
      }),
    });
  }

  private read(state: EditorState): void {
    const id = cursorParagraphOf(state);
    // A paragraph the settled document does not have yet (just split off): catch up first.
    if (id !== this.cursor.peek() && id !== null && !this.index.peek().paragraphs.has(id)) {
      this.docSignal.value = state.doc;
    }
    this.cursor.value = id;
    const selected = state.selection.empty ? (id ? [id] : []) : selectedParagraphIds(state);
    if (!sameItems(selected, this.selected.peek())) this.selected.value = selected;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
