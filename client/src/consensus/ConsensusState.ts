/**
 * Consensus on the report page: which paragraph the card shows (the one at the cursor, or whose
 * margin label was clicked), "open paragraphs only", the notice of a refused edit of locked
 * text, and the editor plugins fed from the consensus store.
 */
import { effect, signal } from '@preact/signals';
import { Plugin } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { citationsOf } from '../report/docIndex.js';
import { selectParagraph } from '../report/editorActions.js';
import { cursorParagraphOf, type EditorBridge } from '../report/editorBridge.js';
import { takeJump } from './jump.js';
import { marginLabel } from './marginLabel.js';
import { type ConsensusInfo, consensusPlugin, setConsensus } from './plugin.js';
import type { ConsensusStore } from './store.js';

/** How long the notice of a refused edit stays. */
const LOCK_NOTICE_MS = 6000;

export interface LockNotice {
  text: string;
  /** Counts the refusals: each shows the notice anew. */
  n: number;
}

export class ConsensusState {
  /** The paragraph the card shows. */
  readonly cardParagraph = signal<string | null>(null);
  /** Hide settled paragraphs in the text. */
  readonly openOnly = signal(false);
  readonly lockNotice = signal<LockNotice | null>(null);
  private lockTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(
    readonly reportId: string,
    readonly store: ConsensusStore,
    private readonly editor: EditorBridge,
  ) {
    // What the editor shows follows the store and the filter, applied after the change that
    // prompted it (never inside the editor's own update), once per burst.
    let queued = false;
    const push = () => {
      queued = false;
      const view = editor.view.peek();
      if (!view || view.isDestroyed) return;
      const info: ConsensusInfo = {
        statuses: new Map([...store.statuses].map(([id, s]) => [id, s.status])),
        silenced: new Set(store.running().flatMap((s) => s.paragraphIds)),
        locked: store.lockedIds(),
        openOnly: this.openOnly.peek(),
      };
      setConsensus(view, info);
    };
    this.stops.push(
      effect(() => {
        if (!editor.view.value) return;
        void store.statuses;
        void store.silences;
        void this.openOnly.value;
        if (queued) return;
        queued = true;
        queueMicrotask(push);
      }),
    );
  }

  /** Shows a paragraph in the card (null: keep the one shown). */
  show(paragraphId: string | null): void {
    if (paragraphId) this.cardParagraph.value = paragraphId;
  }

  /** The plugins the editor needs (the lock, the margin, the highlights, the card following). */
  plugins(): Plugin[] {
    return [
      consensusPlugin({
        renderLabel: (label) => marginLabel(label, (id) => this.show(id)),
        onRefused: (id) => this.refused(id),
      }),
      new Plugin({
        view: () => ({
          update: (v, prev) => {
            if (v.state.selection !== prev.selection || v.state.doc !== prev.doc) {
              this.show(cursorParagraphOf(v.state));
            }
          },
        }),
      }),
    ];
  }

  /** The editor exists: go to a paragraph the board asked for. */
  viewReady(view: EditorView): void {
    const id = takeJump(this.reportId);
    if (id && selectParagraph(view, id)) this.show(id);
  }

  /** "13, 14 (a)" as the text is now. */
  citations(ids: readonly string[]): string {
    return citationsOf(this.editor.index.value, ids);
  }

  private refused(paragraphId: string): void {
    this.editor.flush();
    const cite = citationsOf(this.editor.index.peek(), [paragraphId]);
    const silence = this.store.silenceOf(paragraphId);
    this.lockNotice.value = {
      text: `Paragraph ${cite} is ${silence ? 'under silence' : 'agreed'} and locked: your change to it was not made.`,
      n: (this.lockNotice.peek()?.n ?? 0) + 1,
    };
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = setTimeout(() => {
      this.lockNotice.value = null;
    }, LOCK_NOTICE_MS);
  }

  dispose(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    for (const stop of this.stops) stop();
  }
}
