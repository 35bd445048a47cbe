/**
 * The comments side panel: threads in document order, each labelled with its paragraph's current
 * number; a form to open a thread on the paragraph at the cursor; replies, edits, deletions,
 * resolve / reopen, proposals shown as a word diff (applied by the chair or secretariat as a
 * normal edit of their own). User text only ever goes into text nodes.
 */
import { Fragment } from 'prosemirror-model';
import { TextSelection } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import {
  COMMENT_MAX,
  canSeeThread,
  type MessageView,
  type ThreadKind,
  type ThreadView,
  type ThreadVisibility,
} from '../../../shared/comments.js';
import { computeNumbering } from '../../../shared/numbering.js';
import { type Role, roleCan } from '../../../shared/roles.js';
import { schema } from '../../../shared/schema.js';
import { errorMessage, getGroup, type Member, type ReportAccess } from '../api.js';
import { affiliation } from '../identity.js';
import { h, replaceChildren } from '../ui/dom.js';
import { type BadgeInfo, setBadges } from './badges.js';
import { wordDiff } from './diff.js';
import type { PendingSend, ThreadStore } from './store.js';

export interface PanelOptions {
  store: ThreadStore;
  /** The report and the viewer's role and State (null until known). */
  access: () => ReportAccess | null;
  /** The editor, once it exists. */
  view: () => EditorView | null;
}

interface ParagraphInfo {
  pos: number;
  index: number;
  citation: string;
  text: string;
}

function paragraphsOf(view: EditorView | null): Map<string, ParagraphInfo> {
  const out = new Map<string, ParagraphInfo>();
  if (!view) return out;
  const doc = view.state.doc;
  const numbering = computeNumbering(doc);
  let index = 0;
  doc.descendants((node, pos) => {
    if (node.type.name !== 'paragraph')
      return node.type.name === 'doc' || node.type.name === 'chapter';
    const id = node.attrs['id'] as string | null;
    const number = numbering.byPos.get(pos);
    if (id && !out.has(id)) {
      out.set(id, { pos, index: index, citation: number?.citation ?? '', text: node.textContent });
    }
    index++;
    return false;
  });
  return out;
}

/**
 * The selection as the user sees it. ProseMirror reads a changed DOM selection a moment later
 * (selectionchange), so a shortcut pressed right after Shift+End would see the old one: when the
 * editor has the focus, the DOM selection is the truth.
 */
function currentRange(view: EditorView): { from: number; to: number } {
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

/** The paragraph that holds `pos`, if any. */
function paragraphAt(view: EditorView, pos: number): { id: string; pos: number } | null {
  const $from = view.state.doc.resolve(Math.min(Math.max(pos, 0), view.state.doc.content.size));
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (node.type.name === 'paragraph') {
      const id = node.attrs['id'] as string | null;
      return id ? { id, pos: $from.before(d) } : null;
    }
  }
  return null;
}

function personText(p: { name: string; role: Role; represents: string | null }): string {
  const aff = affiliation(p.role, p.represents);
  return aff ? `${p.name} · ${aff}` : p.name;
}

function timeText(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

const VISIBILITY_TEXT: Record<ThreadVisibility, string> = {
  group: 'Whole group',
  delegation: 'My delegation',
  chair: 'Chair and secretariat',
};

type Filter = 'all' | 'open' | 'resolved' | 'mine' | 'mentions' | `state:${string}`;

export class CommentsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly formHost: HTMLElement;
  private readonly filterNote: HTMLElement;
  private readonly newButton: HTMLButtonElement;
  private readonly filterSelect: HTMLSelectElement;
  private paragraphFilter: string | null = null;
  private filter: Filter = 'all';
  private activeThread: string | null = null;
  private readonly cards = new Map<string, { el: HTMLElement; key: string }>();
  /** Reply drafts and open edit boxes survive a re-render. */
  private readonly drafts = new Map<string, string>();
  private editing: { messageId: string; text: string } | null = null;
  private paragraphs = new Map<string, ParagraphInfo>();
  private readonly unsubscribe: () => void;
  private formOpen = false;
  /** The group's members, for @mentions (loaded once). */
  private members: Member[] | null = null;
  private membersLoading = false;
  /** Per thread: the people mentioned in the reply draft (id → name). */
  private readonly mentionDrafts = new Map<string, Map<string, string>>();
  private readonly stateOptions = new Set<string>();
  private destroyed = false;

  constructor(private readonly options: PanelOptions) {
    this.list = h('div', { className: 'comment-list', attrs: { 'data-testid': 'thread-list' } });
    this.formHost = h('div', { className: 'comment-form-host' });
    this.filterNote = h('div', { className: 'comment-filter-note' });
    this.newButton = h(
      'button',
      {
        className: 'comment-new',
        attrs: {
          type: 'button',
          'data-testid': 'new-thread',
          title: 'Comment on the paragraph at the cursor (Ctrl-Alt-M)',
        },
        on: { click: () => this.openForm() },
      },
      'New comment',
    );
    this.filterSelect = h(
      'select',
      {
        attrs: { 'aria-label': 'Show', 'data-testid': 'thread-filter' },
        on: {
          change: () => {
            this.filter = this.filterSelect.value as Filter;
            this.render();
          },
        },
      },
      h('option', { attrs: { value: 'all' } }, 'All threads'),
      h('option', { attrs: { value: 'open' } }, 'Open'),
      h('option', { attrs: { value: 'resolved' } }, 'Resolved'),
      h('option', { attrs: { value: 'mine' } }, 'Mine'),
      h('option', { attrs: { value: 'mentions' } }, 'Mentioning me'),
    );
    this.element = h(
      'aside',
      {
        className: 'comments-panel',
        attrs: { 'data-testid': 'comments-panel', 'aria-label': 'Comments' },
      },
      h(
        'div',
        { className: 'comments-head' },
        h('h2', { className: 'comments-title' }, 'Comments'),
        this.filterSelect,
        this.newButton,
      ),
      this.formHost,
      this.filterNote,
      this.list,
    );
    this.unsubscribe = options.store.subscribe(() => this.render());
    this.render();
  }

  destroy(): void {
    if (this.docTimer) clearTimeout(this.docTimer);
    this.destroyed = true;
    this.unsubscribe();
  }

  private get role(): Role | null {
    return this.options.access()?.role ?? null;
  }

  private can(action: Parameters<typeof roleCan>[1]): boolean {
    const role = this.role;
    return role !== null && roleCan(role, action);
  }

  private docTimer: ReturnType<typeof setTimeout> | null = null;

  /** The document changed (numbers, texts, deleted paragraphs): re-rendered once, after the update. */
  docChanged(): void {
    if (this.docTimer) return;
    this.docTimer = setTimeout(() => {
      this.docTimer = null;
      this.render();
    }, 50);
  }

  /** A badge was clicked: show that paragraph's threads. */
  showParagraph(paragraphId: string): void {
    this.paragraphFilter = paragraphId;
    this.render();
    this.list.firstElementChild?.scrollIntoView({ block: 'nearest' });
    (this.list.querySelector('.thread-label') as HTMLElement | null)?.focus();
  }

  /** A thread to open as soon as it is loaded and the editor is ready (from an inbox item). */
  private pendingFocus: string | null = null;

  /**
   * Opens a thread: the filters are cleared so it is listed, it becomes the active (read)
   * thread, its paragraph is selected in the editor and its card scrolled into view. Waits for
   * the threads and the editor when they are not there yet.
   */
  focusThread(threadId: string): void {
    this.pendingFocus = threadId;
    this.render();
  }

  /** Applies a pending focus if its thread and the editor are there; returns the thread. */
  private takeFocus(): ThreadView | null {
    const id = this.pendingFocus;
    const thread = id ? this.options.store.threads.get(id) : undefined;
    if (!thread || !this.options.view()) return null;
    this.pendingFocus = null;
    this.paragraphFilter = null;
    this.filter = 'all';
    this.filterSelect.value = 'all';
    this.activeThread = thread.id;
    return thread;
  }

  /** After the render that listed it: the focused thread's paragraph and card in view, read. */
  private revealThread(thread: ThreadView): void {
    setTimeout(() => {
      if (this.destroyed) return;
      this.goToParagraph(thread.paragraphId);
      const card = this.cards.get(thread.id)?.el;
      card?.scrollIntoView({ block: 'nearest' });
      this.options.store.markSeen(this.options.store.threads.get(thread.id) ?? thread);
    }, 0);
  }

  /** Scrolls the editor to a paragraph and selects its text. */
  private goToParagraph(paragraphId: string): void {
    const view = this.options.view();
    const info = this.paragraphs.get(paragraphId);
    if (!view || !info) return;
    const node = view.state.doc.nodeAt(info.pos);
    if (!node) return;
    const sel = TextSelection.create(
      view.state.doc,
      info.pos + 1,
      info.pos + 1 + node.content.size,
    );
    view.dispatch(view.state.tr.setSelection(sel).scrollIntoView());
    const dom = view.nodeDOM(info.pos);
    if (dom instanceof HTMLElement) dom.scrollIntoView({ block: 'center' });
    view.focus();
  }

  /** Opens the new-thread form on the paragraph at the cursor (button or Mod-Alt-m). */
  openForm(): boolean {
    const view = this.options.view();
    if (!view || !this.can('comment')) return false;
    const { from, to } = currentRange(view);
    const target = paragraphAt(view, from);
    const quote = from < to ? view.state.doc.textBetween(from, to, ' ').slice(0, COMMENT_MAX) : '';
    this.formOpen = true;
    this.renderForm(target, quote);
    return true;
  }

  private renderForm(target: { id: string; pos: number } | null, quote: string): void {
    const view = this.options.view();
    if (!view) return;
    if (!target) {
      replaceChildren(
        this.formHost,
        h(
          'p',
          {
            className: 'comment-form-note',
            attrs: { role: 'status', 'data-testid': 'thread-form-note' },
          },
          'Put the cursor in a numbered paragraph to comment on it.',
        ),
      );
      return;
    }
    const info = paragraphsOf(view).get(target.id);
    const label = info?.citation ? `Paragraph ${info.citation}` : 'This paragraph';
    const body = h('textarea', {
      attrs: {
        rows: 3,
        maxlength: COMMENT_MAX,
        'aria-label': 'Comment',
        'data-testid': 'thread-body',
        placeholder: 'Comment',
      },
    });
    const kind = h(
      'select',
      { attrs: { 'aria-label': 'Kind', 'data-testid': 'thread-kind' } },
      h('option', { attrs: { value: 'comment' } }, 'Comment'),
      h('option', { attrs: { value: 'proposal' } }, 'Proposal (replacement text)'),
    );
    const visibility = h(
      'select',
      { attrs: { 'aria-label': 'Visible to', 'data-testid': 'thread-visibility' } },
      h('option', { attrs: { value: 'group' } }, VISIBILITY_TEXT.group),
      this.can('delegationThreads') && this.options.access()?.represents
        ? h('option', { attrs: { value: 'delegation' } }, VISIBILITY_TEXT.delegation)
        : null,
      h('option', { attrs: { value: 'chair' } }, VISIBILITY_TEXT.chair),
    );
    const proposal = h('textarea', {
      attrs: {
        rows: 3,
        maxlength: COMMENT_MAX,
        'aria-label': 'Proposed text',
        'data-testid': 'thread-proposal',
      },
    });
    proposal.value = info?.text ?? '';
    const proposalRow = h('label', { className: 'comment-field' }, 'Proposed text', proposal);
    proposalRow.hidden = true;
    kind.addEventListener('change', () => {
      proposalRow.hidden = kind.value !== 'proposal';
    });
    const error = h('p', { className: 'comment-error', attrs: { role: 'alert' } });
    const close = () => {
      this.formOpen = false;
      replaceChildren(this.formHost);
    };
    const form = h(
      'form',
      {
        className: 'comment-form',
        attrs: { 'data-testid': 'thread-form' },
        on: {
          submit: (e) => {
            e.preventDefault();
            const text = body.value.trim();
            if (!text) {
              error.textContent = 'Write a comment first.';
              return;
            }
            const k = kind.value as ThreadKind;
            void this.options.store.createThread({
              paragraphId: target.id,
              kind: k,
              visibility: visibility.value as ThreadVisibility,
              body: text,
              ...(quote ? { quote } : {}),
              ...(k === 'proposal' ? { proposal: proposal.value } : {}),
            });
            close();
          },
          keydown: (e) => {
            if (e.key === 'Escape') close();
          },
        },
      },
      h(
        'p',
        { className: 'comment-form-target', attrs: { 'data-testid': 'thread-form-target' } },
        label,
      ),
      quote ? h('blockquote', { className: 'comment-quote' }, quote) : null,
      body,
      h('div', { className: 'comment-form-row' }, kind, visibility),
      proposalRow,
      error,
      h(
        'div',
        { className: 'comment-actions' },
        h('button', { attrs: { type: 'submit', 'data-testid': 'thread-submit' } }, 'Post'),
        h('button', { attrs: { type: 'button' }, on: { click: close } }, 'Cancel'),
      ),
    );
    replaceChildren(this.formHost, form);
    body.focus();
  }

  private visible(thread: ThreadView): boolean {
    const store = this.options.store;
    if (this.paragraphFilter && thread.paragraphId !== this.paragraphFilter) return false;
    switch (this.filter) {
      case 'open':
        return thread.status === 'open';
      case 'resolved':
        return thread.status === 'resolved';
      case 'mine':
        return (
          thread.author.id === store.userId ||
          thread.messages.some((m) => m.author.id === store.userId)
        );
      case 'mentions':
        return thread.messages.some((m) => m.mentions.includes(store.userId));
      case 'all':
        return true;
      default: {
        const state = this.filter.slice('state:'.length);
        return (
          thread.author.represents === state ||
          thread.messages.some((m) => m.author.represents === state)
        );
      }
    }
  }

  render(): void {
    if (this.destroyed) return;
    const store = this.options.store;
    const view = this.options.view();
    this.paragraphs = paragraphsOf(view);
    const focused = this.takeFocus();
    this.loadMembers();
    this.updateStateOptions();
    this.newButton.hidden = !this.can('comment');
    if (!this.can('comment') && this.formOpen) {
      this.formOpen = false;
      replaceChildren(this.formHost);
    }

    const threads = [...store.threads.values()].sort((a, b) => {
      const pa = this.paragraphs.get(a.paragraphId)?.index ?? Number.MAX_SAFE_INTEGER;
      const pb = this.paragraphs.get(b.paragraphId)?.index ?? Number.MAX_SAFE_INTEGER;
      return pa - pb || a.createdAt.localeCompare(b.createdAt);
    });

    // Badges: open threads per paragraph, unread when one of them is.
    if (view) {
      const badges = new Map<string, BadgeInfo>();
      for (const t of threads) {
        if (t.status !== 'open') continue;
        const b = badges.get(t.paragraphId) ?? { open: 0, unread: false };
        b.open++;
        b.unread ||= store.isUnread(t);
        if (t.quote) b.quotes = [...(b.quotes ?? []), t.quote];
        badges.set(t.paragraphId, b);
      }
      setBadges(view, badges);
    }

    if (this.paragraphFilter) {
      const info = this.paragraphs.get(this.paragraphFilter);
      replaceChildren(
        this.filterNote,
        h('span', null, info ? `Paragraph ${info.citation}` : 'A deleted paragraph'),
        h(
          'button',
          {
            attrs: { type: 'button', 'data-testid': 'thread-filter-clear' },
            on: {
              click: () => {
                this.paragraphFilter = null;
                this.render();
              },
            },
          },
          'Show all',
        ),
      );
    } else replaceChildren(this.filterNote);

    const wanted: HTMLElement[] = [];
    for (const send of store.pending) {
      if (
        send.what === 'thread' &&
        (!this.paragraphFilter || send.paragraphId === this.paragraphFilter)
      ) {
        wanted.push(this.pendingElement(send));
      }
    }
    const seenIds = new Set<string>();
    for (const t of threads) {
      if (!this.visible(t)) continue;
      seenIds.add(t.id);
      // The open thread got a new message: seen (after this render, which the marking repeats).
      if (this.activeThread === t.id && store.isUnread(t)) queueMicrotask(() => store.markSeen(t));
      const info = this.paragraphs.get(t.paragraphId);
      const pendings = store.pending.filter((p) => p.threadId === t.id);
      const key = JSON.stringify([
        t.seq,
        info?.citation ?? null,
        t.kind === 'proposal' ? (info?.text ?? null) : null,
        t.quote && info ? info.text.includes(t.quote) : null,
        store.isUnread(t),
        this.activeThread === t.id,
        this.editing?.messageId ?? null,
        pendings.map((p) => [p.key, p.state]),
        this.role,
        this.members !== null,
      ]);
      const cached = this.cards.get(t.id);
      if (cached && cached.key === key) {
        wanted.push(cached.el);
        continue;
      }
      const el = this.threadCard(t, info ?? null, pendings);
      if (cached) cached.el.replaceWith(el);
      this.cards.set(t.id, { el, key });
      wanted.push(el);
    }
    for (const id of [...this.cards.keys()]) if (!seenIds.has(id)) this.cards.delete(id);
    if (wanted.length === 0) {
      replaceChildren(
        this.list,
        h(
          'p',
          { className: 'muted comment-empty' },
          store.loaded ? 'No comments yet.' : 'Loading comments…',
        ),
      );
      return;
    }
    // Only move what is out of place (moving an element would take the focus from a reply box).
    const current = [...this.list.children];
    if (current.length !== wanted.length || current.some((el, i) => el !== wanted[i])) {
      for (const el of current) if (!wanted.includes(el as HTMLElement)) el.remove();
      wanted.forEach((el, i) => {
        if (this.list.children[i] !== el) this.list.insertBefore(el, this.list.children[i] ?? null);
      });
    }
    if (focused) this.revealThread(focused);
  }

  private loadMembers(): void {
    const access = this.options.access();
    const groupId = access?.report.groupId;
    if (this.members || this.membersLoading || !groupId || !this.can('comment')) return;
    this.membersLoading = true;
    getGroup(groupId)
      .then((group) => {
        this.members = group.members;
        this.render();
      })
      .catch(() => {
        // Mentions are offered once the members are known; a later render asks again.
        this.membersLoading = false;
      });
  }

  /** One "By State" option per State that wrote in a thread. */
  private updateStateOptions(): void {
    for (const t of this.options.store.threads.values()) {
      for (const p of [t.author, ...t.messages.map((m) => m.author)]) {
        if (!p.represents || this.stateOptions.has(p.represents)) continue;
        this.stateOptions.add(p.represents);
        this.filterSelect.append(
          h('option', { attrs: { value: `state:${p.represents}` } }, `By State: ${p.represents}`),
        );
      }
    }
  }

  /** A select that puts "@Name" in the reply and remembers who is meant. */
  private mentionPicker(t: ThreadView, reply: HTMLTextAreaElement): HTMLElement | null {
    const store = this.options.store;
    if (!this.members) return null;
    const audience = { visibility: t.visibility, delegation: t.delegation, authorId: t.author.id };
    const candidates = this.members.filter(
      (m) =>
        m.userId !== store.userId &&
        canSeeThread({ userId: m.userId, role: m.role, represents: m.represents }, audience),
    );
    if (candidates.length === 0) return null;
    const select = h(
      'select',
      { attrs: { 'aria-label': 'Mention someone', 'data-testid': 'mention-select' } },
      h('option', { attrs: { value: '' } }, '@ Mention…'),
      ...candidates.map((m) =>
        h(
          'option',
          { attrs: { value: m.userId } },
          m.represents ? `${m.displayName} · ${m.represents}` : m.displayName,
        ),
      ),
    );
    select.addEventListener('change', () => {
      const member = candidates.find((m) => m.userId === select.value);
      select.value = '';
      if (!member) return;
      const draft = this.mentionDrafts.get(t.id) ?? new Map<string, string>();
      draft.set(member.userId, member.displayName);
      this.mentionDrafts.set(t.id, draft);
      const sep = reply.value && !/\s$/.test(reply.value) ? ' ' : '';
      reply.value = `${reply.value}${sep}@${member.displayName} `;
      this.drafts.set(t.id, reply.value);
      reply.focus();
    });
    return select;
  }

  private pendingElement(send: PendingSend): HTMLElement {
    const store = this.options.store;
    return h(
      'div',
      { className: `comment-pending is-${send.state}`, attrs: { 'data-testid': 'pending-send' } },
      h('p', { className: 'comment-body' }, send.body),
      send.state === 'sending'
        ? h('p', { className: 'muted' }, 'Sending…')
        : h(
            'p',
            { className: 'comment-error', attrs: { role: 'alert' } },
            h('span', null, 'Not sent — '),
            h(
              'button',
              {
                attrs: { type: 'button', 'data-testid': 'pending-retry' },
                on: { click: () => void store.retry(send) },
              },
              'Retry',
            ),
            h(
              'button',
              {
                attrs: { type: 'button', 'data-testid': 'pending-discard' },
                on: { click: () => store.discard(send) },
              },
              'Discard',
            ),
            h('span', { className: 'muted' }, ` ${send.error}`),
          ),
    );
  }

  private threadCard(
    t: ThreadView,
    info: ParagraphInfo | null,
    pendings: PendingSend[],
  ): HTMLElement {
    const store = this.options.store;
    const mine = t.author.id === store.userId;
    const unread = store.isUnread(t);
    const card = h('article', {
      className: `thread${t.status === 'resolved' ? ' is-resolved' : ''}${unread ? ' is-unread' : ''}${this.activeThread === t.id ? ' is-active' : ''}`,
      attrs: {
        'data-testid': 'thread',
        'data-thread-id': t.id,
        'data-paragraph-id': t.paragraphId,
      },
    });
    // Opening a thread (any click in it) marks it read.
    card.addEventListener('click', () => {
      if (this.activeThread !== t.id) {
        this.activeThread = t.id;
        store.markSeen(t);
        this.render();
      }
    });
    const label = h(
      'button',
      {
        className: 'thread-label',
        attrs: { type: 'button', 'data-testid': 'thread-label', disabled: info === null },
        on: { click: () => this.goToParagraph(t.paragraphId) },
      },
      info ? `Paragraph ${info.citation}` : 'paragraph deleted',
    );
    const tags = h(
      'span',
      { className: 'thread-tags' },
      t.kind === 'proposal' ? h('span', { className: 'tag' }, 'Proposal') : null,
      t.visibility !== 'group'
        ? h('span', { className: 'tag' }, VISIBILITY_TEXT[t.visibility])
        : null,
      t.status === 'resolved'
        ? h('span', { className: 'tag', attrs: { 'data-testid': 'thread-resolved' } }, 'Resolved')
        : null,
      unread
        ? h(
            'span',
            { className: 'tag is-unread', attrs: { 'data-testid': 'thread-unread' } },
            'New',
          )
        : null,
    );
    card.append(h('header', { className: 'thread-head' }, label, tags));
    if (t.quote) {
      card.append(
        h(
          'blockquote',
          { className: 'comment-quote', attrs: { 'data-testid': 'thread-quote' } },
          t.quote,
        ),
      );
      // Highlighted in the editor while it still occurs in its paragraph.
      if (info && !info.text.includes(t.quote))
        card.append(
          h(
            'p',
            { className: 'muted quote-gone', attrs: { 'data-testid': 'quote-gone' } },
            '(no longer in the text)',
          ),
        );
    }

    if (t.kind === 'proposal' && t.proposal !== null) {
      const diff = h('p', {
        className: 'proposal-diff',
        attrs: { 'data-testid': 'proposal-diff' },
      });
      if (info) {
        for (const part of wordDiff(info.text, t.proposal)) {
          diff.append(
            part.kind === 'same'
              ? document.createTextNode(part.text)
              : h(part.kind, { className: `diff-${part.kind}` }, part.text),
          );
        }
      } else diff.append(h('ins', { className: 'diff-ins' }, t.proposal));
      card.append(diff);
      if (t.appliedBy) {
        card.append(
          h(
            'p',
            { className: 'proposal-applied', attrs: { 'data-testid': 'proposal-applied' } },
            `applied by ${personText(t.appliedBy)}`,
          ),
        );
      } else if (info && t.status === 'open' && this.can('applyProposal')) {
        const error = h('span', { className: 'comment-error', attrs: { role: 'alert' } });
        card.append(
          h(
            'div',
            { className: 'comment-actions' },
            h(
              'button',
              {
                attrs: { type: 'button', 'data-testid': 'proposal-apply' },
                on: {
                  click: () => {
                    this.applyProposal(t).catch((e: unknown) => {
                      error.textContent = errorMessage(e);
                    });
                  },
                },
              },
              'Apply',
            ),
            error,
          ),
        );
      }
    }

    const messages = h('ol', { className: 'thread-messages' });
    for (const m of t.messages) messages.append(this.messageItem(m));
    card.append(messages);
    for (const p of pendings) card.append(this.pendingElement(p));

    const actions = h('div', { className: 'comment-actions' });
    if (this.can('comment')) {
      const reply = h('textarea', {
        attrs: {
          rows: 2,
          maxlength: COMMENT_MAX,
          'aria-label': 'Reply',
          placeholder: 'Reply',
          'data-testid': 'reply-body',
        },
      });
      reply.value = this.drafts.get(t.id) ?? '';
      reply.addEventListener('input', () => this.drafts.set(t.id, reply.value));
      const send = () => {
        const text = reply.value.trim();
        if (!text) return;
        const mentioned = [...(this.mentionDrafts.get(t.id) ?? new Map<string, string>())]
          .filter(([, name]) => text.includes(`@${name}`))
          .map(([id]) => id);
        this.drafts.delete(t.id);
        this.mentionDrafts.delete(t.id);
        reply.value = '';
        void store.reply(t, text, mentioned);
      };
      reply.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          send();
        }
      });
      card.append(
        h(
          'div',
          { className: 'thread-reply' },
          reply,
          h(
            'div',
            { className: 'comment-actions' },
            h(
              'button',
              { attrs: { type: 'button', 'data-testid': 'reply-send' }, on: { click: send } },
              'Reply',
            ),
            this.mentionPicker(t, reply),
          ),
        ),
      );
    }
    const mayResolve = mine ? this.can('comment') : this.can('resolveAnyThread');
    if (mayResolve) {
      const action = t.status === 'open' ? 'resolve' : 'reopen';
      const error = h('span', { className: 'comment-error', attrs: { role: 'alert' } });
      actions.append(
        h(
          'button',
          {
            attrs: { type: 'button', 'data-testid': `thread-${action}` },
            on: {
              click: () => {
                store.action(t.id, action).catch((e: unknown) => {
                  error.textContent = errorMessage(e);
                });
              },
            },
          },
          action === 'resolve' ? 'Resolve' : 'Reopen',
        ),
        error,
      );
    }
    if (t.status === 'resolved' && t.resolvedBy) {
      actions.append(h('span', { className: 'muted' }, `Resolved by ${personText(t.resolvedBy)}`));
    }
    if (actions.childNodes.length > 0) card.append(actions);
    return card;
  }

  private messageItem(m: MessageView): HTMLElement {
    const store = this.options.store;
    const item = h('li', {
      className: 'message',
      attrs: { 'data-testid': 'message', 'data-message-id': m.id },
    });
    item.append(
      h(
        'p',
        { className: 'message-meta' },
        h(
          'span',
          { className: 'message-author', attrs: { 'data-testid': 'message-author' } },
          personText(m.author),
        ),
        h('time', { attrs: { datetime: m.createdAt } }, timeText(m.createdAt)),
        m.editedAt && !m.deleted ? h('span', { className: 'muted' }, '(edited)') : null,
      ),
    );
    if (m.deleted) {
      item.append(
        h(
          'p',
          { className: 'message-body is-deleted', attrs: { 'data-testid': 'message-body' } },
          'message deleted',
        ),
      );
      return item;
    }
    const error = h('span', { className: 'comment-error', attrs: { role: 'alert' } });
    if (this.editing?.messageId === m.id) {
      const box = h('textarea', {
        attrs: {
          rows: 3,
          maxlength: COMMENT_MAX,
          'aria-label': 'Edit message',
          'data-testid': 'message-edit-body',
        },
      });
      box.value = this.editing.text;
      box.addEventListener('input', () => {
        if (this.editing) this.editing.text = box.value;
      });
      item.append(
        box,
        h(
          'div',
          { className: 'comment-actions' },
          h(
            'button',
            {
              attrs: { type: 'button', 'data-testid': 'message-edit-save' },
              on: {
                click: () => {
                  const text = box.value.trim();
                  if (!text) return;
                  store
                    .editMessage(m.id, text)
                    .then(() => {
                      this.editing = null;
                      this.render();
                    })
                    .catch((e: unknown) => {
                      error.textContent = errorMessage(e);
                    });
                },
              },
            },
            'Save',
          ),
          h(
            'button',
            {
              attrs: { type: 'button' },
              on: {
                click: () => {
                  this.editing = null;
                  this.render();
                },
              },
            },
            'Cancel',
          ),
          error,
        ),
      );
      return item;
    }
    item.append(
      h('p', { className: 'message-body', attrs: { 'data-testid': 'message-body' } }, m.body),
    );
    const own = m.author.id === store.userId;
    const mayDelete = own ? this.can('comment') : this.can('deleteOthersMessages');
    if ((own && this.can('comment')) || mayDelete) {
      item.append(
        h(
          'div',
          { className: 'message-actions' },
          own && this.can('comment')
            ? h(
                'button',
                {
                  attrs: { type: 'button', 'data-testid': 'message-edit' },
                  on: {
                    click: () => {
                      this.editing = { messageId: m.id, text: m.body };
                      this.render();
                    },
                  },
                },
                'Edit',
              )
            : null,
          mayDelete
            ? h(
                'button',
                {
                  attrs: { type: 'button', 'data-testid': 'message-delete' },
                  on: {
                    click: () => {
                      store.deleteMessage(m.id).catch((e: unknown) => {
                        error.textContent = errorMessage(e);
                      });
                    },
                  },
                },
                'Delete',
              )
            : null,
          error,
        ),
      );
    }
    return item;
  }

  /** Replaces the paragraph's text with the proposal (an edit by this client), then records it. */
  private async applyProposal(t: ThreadView): Promise<void> {
    const view = this.options.view();
    if (!view || t.proposal === null) return;
    if (!view.editable) throw new Error('The editor is not editable right now.');
    let found: { pos: number; size: number } | null = null;
    view.state.doc.descendants((node, pos) => {
      if (found) return false;
      if (node.type.name === 'paragraph') {
        if (node.attrs['id'] === t.paragraphId) found = { pos, size: node.content.size };
        return false;
      }
      return true;
    });
    if (!found) throw new Error('The paragraph is gone.');
    const { pos, size } = found as { pos: number; size: number };
    const content = t.proposal ? Fragment.from(schema.text(t.proposal)) : Fragment.empty;
    view.dispatch(view.state.tr.replaceWith(pos + 1, pos + 1 + size, content));
    await this.options.store.action(t.id, 'applied');
  }
}
