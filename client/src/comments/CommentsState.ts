/**
 * The comments panel's state on a report page, and what other parts ask of it: the filters, the
 * open (active) thread, the new-thread form, the message being edited, reply drafts (they outlive
 * a card that a filter hides), the group's members for mentions, and the margin badges. A badge
 * click shows a paragraph's threads; Ctrl-Alt-M opens the form; an inbox item opens a thread.
 */
import { batch, effect, type ReadonlySignal, signal } from '@preact/signals';
import { COMMENT_MAX, type ThreadView } from '../../../shared/comments.js';
import { type Action, roleCan } from '../../../shared/roles.js';
import { getGroup, type Member, type ReportAccess } from '../api.js';
import {
  currentRange,
  paragraphIdAt,
  replaceParagraphText,
  selectParagraph,
} from '../report/editorActions.js';
import type { EditorBridge } from '../report/editorBridge.js';
import { type BadgeInfo, setBadges } from './badges.js';
import type { Filter } from './model.js';
import type { ThreadStore } from './store.js';

/** The new-thread form, as opened: on a paragraph (null: the cursor was in none), quoting. */
export interface FormRequest {
  paragraphId: string | null;
  quote: string;
  /** The paragraph's text when the form opened (the proposal starts from it). */
  text: string;
  /** Counts the openings: each opens a fresh form. */
  n: number;
}

/** Thread cards drawn at first, and added each time the end of the list comes into view. */
export const THREAD_PAGE = 30;

export class CommentsState {
  readonly filter = signal<Filter>('all');
  /** How many cards of the filtered list are drawn (see ThreadList). */
  readonly shown = signal(THREAD_PAGE);
  /** Only this paragraph's threads (a badge was clicked). */
  readonly paragraphFilter = signal<string | null>(null);
  /** The thread the user opened: what arrives in it is read at once. */
  readonly active = signal<string | null>(null);
  readonly form = signal<FormRequest | null>(null);
  readonly editing = signal<{ messageId: string; text: string } | null>(null);
  /** The group's members (for mentions), once loaded. */
  readonly members = signal<readonly Member[] | null>(null);
  /** Reply drafts by thread id. */
  readonly drafts = new Map<string, string>();
  /** The thread list's element (for scrolling to a card); set by the list. */
  list: HTMLElement | null = null;
  /** A thread to open once it is loaded and the editor is ready (from an inbox item). */
  private readonly pendingFocus = signal<string | null>(null);
  private readonly stops: (() => void)[] = [];
  private disposed = false;

  constructor(
    readonly store: ThreadStore,
    readonly access: ReadonlySignal<ReportAccess | null>,
    readonly editor: EditorBridge,
  ) {
    this.stops.push(
      effect(() => this.takeFocus()),
      effect(() => this.readActive()),
      effect(() => this.loadMembers()),
      // Another filter starts again from the first page.
      effect(() => {
        void this.filter.value;
        void this.paragraphFilter.value;
        this.shown.value = THREAD_PAGE;
      }),
      this.badges(),
    );
  }

  /** Draws the next page of thread cards. */
  showMore(): void {
    this.shown.value += THREAD_PAGE;
  }

  /** True when the viewer's role may `action` (false until the role is known). */
  can(action: Action): boolean {
    const role = this.access.value?.role;
    return role !== undefined && roleCan(role, action);
  }

  /** A badge was clicked: that paragraph's threads, the first one's label focused. */
  showParagraph(paragraphId: string): void {
    this.paragraphFilter.value = paragraphId;
    this.afterRender(() => {
      this.list?.firstElementChild?.scrollIntoView({ block: 'nearest' });
      this.list?.querySelector<HTMLElement>('.thread-label')?.focus();
    });
  }

  /**
   * Opens a thread: the filters are cleared so it is listed, it becomes the active (read)
   * thread, its paragraph is selected in the editor and its card scrolled into view. Waits for
   * the threads and the editor when they are not there yet.
   */
  focusThread(threadId: string): void {
    this.pendingFocus.value = threadId;
  }

  private takeFocus(): void {
    const id = this.pendingFocus.value;
    const thread = id ? this.store.threads.get(id) : undefined;
    if (!thread || !this.editor.view.value) return;
    batch(() => {
      this.pendingFocus.value = null;
      this.paragraphFilter.value = null;
      this.filter.value = 'all';
      this.active.value = thread.id;
    });
    this.afterRender(() => {
      this.goToParagraph(thread.paragraphId);
      const card = this.list?.querySelector(`[data-thread-id="${CSS.escape(thread.id)}"]`);
      card?.scrollIntoView({ block: 'nearest' });
      this.store.markSeen(this.store.threads.get(thread.id) ?? thread);
    });
  }

  /** What arrives in the open thread is read at once. */
  private readActive(): void {
    const id = this.active.value;
    const thread = id ? this.store.threads.get(id) : undefined;
    if (thread && this.store.isUnread(thread)) queueMicrotask(() => this.store.markSeen(thread));
  }

  /** A card was clicked: it is the open thread now, and read. */
  open(thread: ThreadView): void {
    if (this.active.peek() === thread.id) return;
    this.active.value = thread.id;
    this.store.markSeen(thread);
  }

  /** Scrolls the editor to a paragraph and selects its text. */
  goToParagraph(paragraphId: string): void {
    const view = this.editor.view.peek();
    if (view) selectParagraph(view, paragraphId);
  }

  /** Opens the new-thread form on the paragraph at the cursor (button or Mod-Alt-m). */
  openForm(): boolean {
    const view = this.editor.view.peek();
    if (!view || !this.can('comment')) return false;
    const { from, to } = currentRange(view);
    const paragraphId = paragraphIdAt(view, from);
    const quote = from < to ? view.state.doc.textBetween(from, to, ' ').slice(0, COMMENT_MAX) : '';
    this.editor.flush();
    const text = paragraphId
      ? (this.editor.index.peek().paragraphs.get(paragraphId)?.text ?? '')
      : '';
    this.form.value = { paragraphId, quote, text, n: (this.form.peek()?.n ?? 0) + 1 };
    return true;
  }

  closeForm(): void {
    this.form.value = null;
  }

  /** Replaces the paragraph's text with the proposal (an edit by this client), then records it. */
  async applyProposal(thread: ThreadView): Promise<void> {
    const view = this.editor.view.peek();
    if (!view || thread.proposal === null) return;
    if (!view.editable) throw new Error('The editor is not editable right now.');
    replaceParagraphText(view, thread.paragraphId, thread.proposal);
    await this.store.action(thread.id, 'applied');
  }

  /** The group's members, once, for those who may comment (mentions are offered then). */
  private membersLoading = false;
  private loadMembers(): void {
    const groupId = this.access.value?.report.groupId;
    if (this.members.value || this.membersLoading || !groupId || !this.can('comment')) return;
    this.membersLoading = true;
    getGroup(groupId)
      .then((group) => {
        if (!this.disposed) this.members.value = group.members;
      })
      .catch(() => {
        // Mentions are offered once the members are known; the next role change asks again.
        this.membersLoading = false;
      });
  }

  /** Margin badges: open threads per paragraph, unread when one of them is; quotes highlighted. */
  private badges(): () => void {
    let queued = false;
    const push = () => {
      queued = false;
      const view = this.editor.view.peek();
      if (!view || view.isDestroyed) return;
      const badges = new Map<string, BadgeInfo>();
      for (const t of this.store.threads.values()) {
        if (t.status !== 'open') continue;
        const b = badges.get(t.paragraphId) ?? { open: 0, unread: false };
        b.open++;
        b.unread ||= this.store.isUnread(t);
        if (t.quote) b.quotes = [...(b.quotes ?? []), t.quote];
        badges.set(t.paragraphId, b);
      }
      setBadges(view, badges);
    };
    return effect(() => {
      if (!this.editor.view.value) return;
      // What the badges depend on: the threads and what the user has read of them.
      for (const t of this.store.threads.values()) this.store.isUnread(t);
      if (queued) return;
      queued = true;
      // Applied after the change that prompted it, never inside the editor's own update.
      queueMicrotask(push);
    });
  }

  /** Runs `fn` once the views have rendered what was just set. */
  private afterRender(fn: () => void): void {
    setTimeout(() => {
      if (!this.disposed) fn();
    }, 0);
  }

  dispose(): void {
    this.disposed = true;
    for (const stop of this.stops) stop();
  }
}
