/**
 * The paragraph card beside the editor: the paragraph at the cursor (or whose margin label was
 * clicked), its status with the moves the user's role may make (a reason is required to reopen;
 * a refusal from the server is shown as it says it), its history one click away, the States'
 * current positions (experts record their own State's), and, for the chair, a silence procedure
 * on this paragraph, the selected paragraphs or the whole chapter. Controls a role cannot use are
 * not shown; the server decides anyway.
 */
import type { EditorView } from 'prosemirror-view';
import {
  CONSENSUS_NOTE_MAX,
  hasBrackets,
  isReopening,
  LOCKED_STATUSES,
  PARAGRAPH_STATUSES,
  type ParagraphHistoryResponse,
  type ParagraphStatus,
  POSITION_LABELS,
  POSITIONS,
  type Position,
  STATUS_LABELS,
  transitionAction,
} from '../../../shared/consensus.js';
import { computeNumbering } from '../../../shared/numbering.js';
import { type Action, type Role, roleCan } from '../../../shared/roles.js';
import { errorMessage, type ReportAccess } from '../api.js';
import { h, replaceChildren } from '../ui/dom.js';
import { personText, readerTimeZone, timeText } from './format.js';
import { shownStatus } from './plugin.js';
import type { ConsensusStore } from './store.js';

export interface ConsensusPanelOptions {
  store: ConsensusStore;
  access: () => ReportAccess | null;
  view: () => EditorView | null;
}

interface Para {
  id: string;
  pos: number;
  citation: string;
  text: string;
  chapterIds: string[];
}

/** The paragraph at `pos` and its chapter's paragraph ids. */
function paragraphAt(view: EditorView, id: string | null): Para | null {
  const doc = view.state.doc;
  const numbering = computeNumbering(doc);
  let found: Para | null = null;
  doc.forEach((chapter, offset) => {
    if (found || chapter.type.name !== 'chapter') return;
    const ids: string[] = [];
    let hit: Omit<Para, 'chapterIds'> | null = null;
    chapter.forEach((child, childOffset) => {
      if (child.type.name !== 'paragraph') return;
      const pid = child.attrs['id'] as string | null;
      if (!pid) return;
      ids.push(pid);
      if (pid === id) {
        const pos = offset + 1 + childOffset;
        hit = {
          id: pid,
          pos,
          citation: numbering.paragraphs.get(pid)?.citation ?? '',
          text: child.textContent,
        };
      }
    });
    if (hit) found = { ...(hit as Omit<Para, 'chapterIds'>), chapterIds: ids };
  });
  return found;
}

/** Ids of the paragraphs the selection touches. */
function selectedParagraphIds(view: EditorView): string[] {
  const { from, to } = view.state.selection;
  const out: string[] = [];
  view.state.doc.nodesBetween(from, to, (node) => {
    if (node.type.name === 'paragraph') {
      const id = node.attrs['id'] as string | null;
      if (id && !out.includes(id)) out.push(id);
      return false;
    }
    return true;
  });
  return out;
}

/** "2026-11-30T18:00" for a datetime-local input, in the reader's zone. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export class ConsensusPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private paragraphId: string | null = null;
  private renderedKey = '';
  private readonly unsubscribe: () => void;
  private history: { id: string; data: ParagraphHistoryResponse | null; error: string } | null =
    null;
  /** Drafts that survive a re-render. */
  private note = '';
  private target = '';
  private explanation = '';
  private position = '';
  private silenceScope: 'paragraph' | 'selection' | 'chapter' = 'paragraph';
  private deadline = '';
  /** The last refusal or failure of a command, per paragraph. */
  private error: { id: string; what: string; text: string } | null = null;
  private docTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;

  constructor(private readonly options: ConsensusPanelOptions) {
    this.body = h('div', { className: 'consensus-body' });
    this.element = h(
      'section',
      {
        className: 'consensus-panel',
        attrs: { 'data-testid': 'consensus-panel', 'aria-label': 'Paragraph status' },
      },
      this.body,
    );
    this.unsubscribe = options.store.subscribe(() => this.render());
    this.render();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.docTimer) clearTimeout(this.docTimer);
    this.unsubscribe();
  }

  private get role(): Role | null {
    return this.options.access()?.role ?? null;
  }

  private can(action: Action): boolean {
    const role = this.role;
    return role !== null && roleCan(role, action);
  }

  /** Shows a paragraph (the cursor moved into it, or its margin label was clicked). */
  show(paragraphId: string | null): void {
    if (!paragraphId || paragraphId === this.paragraphId) return;
    this.paragraphId = paragraphId;
    this.note = '';
    this.target = '';
    this.explanation = '';
    this.position = '';
    this.error = null;
    if (this.history && this.history.id !== paragraphId) this.history = null;
    this.render();
  }

  /** The paragraph's text or number may have changed: re-rendered once, shortly. */
  docChanged(): void {
    if (this.docTimer) return;
    this.docTimer = setTimeout(() => {
      this.docTimer = null;
      this.render();
    }, 80);
  }

  render(force = false): void {
    if (this.destroyed) return;
    const view = this.options.view();
    const store = this.options.store;
    const para = view && this.paragraphId ? paragraphAt(view, this.paragraphId) : null;
    if (!para) {
      const key = `none|${store.loaded}`;
      if (key === this.renderedKey && !force) return;
      this.renderedKey = key;
      replaceChildren(
        this.body,
        h('h2', { className: 'consensus-title' }, 'Paragraph status'),
        h(
          'p',
          { className: 'muted' },
          store.loaded
            ? 'Put the cursor in a paragraph, or click its status in the margin.'
            : 'Loading statuses…',
        ),
      );
      return;
    }
    const stored = store.statusOf(para.id);
    const brackets = hasBrackets(para.text);
    const silence = store.silenceOf(para.id);
    const positions = store.positionsOf(para.id);
    const key = JSON.stringify([
      para.id,
      para.citation,
      store.statuses.get(para.id)?.seq ?? 0,
      positions.map((p) => p.seq),
      silence?.seq ?? null,
      brackets,
      this.role,
      this.options.access()?.represents ?? null,
      this.history ? [this.history.id, this.history.data !== null, this.history.error] : null,
      this.error,
      store.states,
      view && this.can('runSilence') ? selectedParagraphIds(view).length : 0,
    ]);
    if (key === this.renderedKey && !force) return;
    this.renderedKey = key;
    // Keep the focus in whichever field had it.
    const active = document.activeElement as HTMLElement | null;
    const focused = this.body.contains(active) ? active?.dataset?.['testid'] : undefined;
    const caret =
      active instanceof HTMLInputElement && active.type === 'text'
        ? [active.selectionStart, active.selectionEnd]
        : null;
    const shown = shownStatus(stored, para.text);
    const locked = LOCKED_STATUSES.has(stored) || silence !== null;
    replaceChildren(
      this.body,
      h(
        'div',
        { className: 'consensus-head' },
        h(
          'h2',
          { className: 'consensus-title', attrs: { 'data-testid': 'consensus-paragraph' } },
          para.citation ? `Paragraph ${para.citation}` : 'Paragraph',
        ),
        h(
          'span',
          {
            className: `status-chip status-${shown}`,
            attrs: { 'data-testid': 'consensus-status', 'data-status': stored },
          },
          STATUS_LABELS[shown],
        ),
      ),
      locked
        ? h(
            'p',
            { className: 'consensus-locked', attrs: { 'data-testid': 'consensus-locked' } },
            silence
              ? 'Under silence: the text is locked until the deadline.'
              : 'Agreed text is locked. Only the chair can reopen it, with a reason.',
          )
        : null,
      brackets
        ? h(
            'p',
            { className: 'consensus-warning' },
            'The text still has square brackets: it cannot be declared agreed until they are removed.',
          )
        : null,
      this.statusControls(para, stored),
      this.historySection(para),
      this.positionsSection(para, positions),
      this.silenceControls(para, locked),
    );
    if (focused) {
      const el = this.body.querySelector<HTMLElement>(`[data-testid="${focused}"]`);
      el?.focus();
      if (caret && el instanceof HTMLInputElement)
        el.setSelectionRange(caret[0] ?? null, caret[1] ?? null);
    }
  }

  private errorFor(para: Para, what: string): HTMLElement {
    const text = this.error?.id === para.id && this.error.what === what ? this.error.text : '';
    return h(
      'p',
      {
        className: 'consensus-error',
        attrs: { role: 'alert', 'data-testid': `${what}-error` },
      },
      text,
    );
  }

  private fail(para: Para, what: string, e: unknown): void {
    this.error = { id: para.id, what, text: errorMessage(e) };
    this.render();
  }

  private statusControls(para: Para, from: ParagraphStatus): HTMLElement | null {
    const role = this.role;
    if (!role || !(this.can('setStatus') || this.can('declareAgreement'))) return null;
    if (this.options.store.silenceOf(para.id)) {
      return h(
        'p',
        { className: 'muted' },
        'Its status changes when the silence ends: adopted at the deadline, or broken.',
      );
    }
    const targets = PARAGRAPH_STATUSES.filter((to) => {
      const action = transitionAction(from, to);
      return action !== null && roleCan(role, action);
    });
    if (targets.length === 0) {
      return h(
        'p',
        { className: 'muted' },
        'Only the chair can change the status of this paragraph.',
      );
    }
    if (!targets.includes(this.target as ParagraphStatus)) this.target = targets[0]!;
    const select = h(
      'select',
      { attrs: { 'aria-label': 'New status', 'data-testid': 'status-select' } },
      ...targets.map((to) =>
        h('option', { attrs: { value: to, selected: to === this.target } }, STATUS_LABELS[to]),
      ),
    );
    select.value = this.target;
    const reopening = () => isReopening(from, select.value as ParagraphStatus);
    const note = h('input', {
      attrs: {
        type: 'text',
        maxlength: CONSENSUS_NOTE_MAX,
        'aria-label': 'Note',
        'data-testid': 'status-note',
      },
    });
    note.value = this.note;
    const setPlaceholder = () => {
      note.placeholder = reopening() ? 'Reason for reopening (required)' : 'Note (optional)';
      // Checked on submit with a message of ours (a native `required` would block silently).
      note.setAttribute('aria-required', String(reopening()));
    };
    setPlaceholder();
    select.addEventListener('change', () => {
      this.target = select.value;
      setPlaceholder();
    });
    note.addEventListener('input', () => {
      this.note = note.value;
    });
    const submit = h(
      'button',
      { className: 'primary', attrs: { type: 'submit', 'data-testid': 'status-submit' } },
      'Set status',
    );
    const form = h(
      'form',
      { className: 'consensus-form', attrs: { 'data-testid': 'status-form' } },
      h('div', { className: 'consensus-row' }, select, submit),
      note,
      this.errorFor(para, 'status'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const to = select.value as ParagraphStatus;
      const text = note.value.trim();
      if (reopening() && !text) {
        this.fail(para, 'status', new Error('Reopening needs a reason: write it in the note.'));
        return;
      }
      submit.disabled = true;
      this.error = null;
      this.options.store
        .setStatus(para.id, to, text || undefined)
        .then(() => {
          this.note = '';
          this.target = '';
          this.render(true);
        })
        .catch((err: unknown) => this.fail(para, 'status', err));
    });
    return form;
  }

  private historySection(para: Para): HTMLElement {
    const open = this.history?.id === para.id;
    const toggle = h(
      'button',
      {
        className: 'link-button',
        attrs: { type: 'button', 'data-testid': 'history-toggle', 'aria-expanded': String(open) },
        on: {
          click: () => {
            if (open) {
              this.history = null;
              this.render();
              return;
            }
            this.history = { id: para.id, data: null, error: '' };
            this.render();
            this.options.store
              .history(para.id)
              .then((data) => {
                if (this.history?.id === para.id) this.history = { id: para.id, data, error: '' };
                this.render(true);
              })
              .catch((e: unknown) => {
                if (this.history?.id === para.id) {
                  this.history = { id: para.id, data: null, error: errorMessage(e) };
                }
                this.render(true);
              });
          },
        },
      },
      open ? 'Hide history' : 'History',
    );
    const section = h('div', { className: 'consensus-history' }, toggle);
    if (!open || !this.history) return section;
    const { data, error } = this.history;
    if (error) {
      section.append(h('p', { className: 'consensus-error', attrs: { role: 'alert' } }, error));
      return section;
    }
    if (!data) {
      section.append(h('p', { className: 'muted' }, 'Loading…'));
      return section;
    }
    const list = h('ol', { className: 'history-list', attrs: { 'data-testid': 'history-list' } });
    const entries: { at: string; el: HTMLElement }[] = [];
    for (const c of data.statuses) {
      entries.push({
        at: c.at,
        el: h(
          'li',
          { attrs: { 'data-testid': 'history-entry' } },
          h(
            'span',
            { className: 'history-what' },
            `${STATUS_LABELS[c.from]} → ${STATUS_LABELS[c.to]}`,
          ),
          h(
            'span',
            { className: 'history-who muted' },
            ` ${c.cause === 'silence' ? 'by the silence procedure' : `by ${personText(c.by)}`}, ${timeText(c.at)}`,
          ),
          c.note ? h('span', { className: 'history-note' }, c.note) : null,
        ),
      });
    }
    for (const p of data.positions) {
      entries.push({
        at: p.at,
        el: h(
          'li',
          { attrs: { 'data-testid': 'history-entry' } },
          h('span', { className: 'history-what' }, `${p.state}: ${POSITION_LABELS[p.position]}`),
          h(
            'span',
            { className: 'history-who muted' },
            ` by ${personText(p.by)}, ${timeText(p.at)}`,
          ),
          p.explanation ? h('span', { className: 'history-note' }, p.explanation) : null,
        ),
      });
    }
    entries.sort((a, b) => b.at.localeCompare(a.at));
    if (entries.length === 0) list.append(h('li', { className: 'muted' }, 'No changes yet.'));
    for (const e of entries) list.append(e.el);
    section.append(list);
    return section;
  }

  private positionsSection(
    para: Para,
    positions: ReturnType<ConsensusStore['positionsOf']>,
  ): HTMLElement {
    const store = this.options.store;
    const section = h(
      'div',
      { className: 'consensus-positions' },
      h('h3', { className: 'consensus-subtitle' }, 'Positions'),
    );
    const list = h('ul', { className: 'position-list', attrs: { 'data-testid': 'position-list' } });
    for (const p of positions) {
      list.append(
        h(
          'li',
          {
            className: `position-entry position-${p.position}`,
            attrs: { 'data-testid': 'position-entry', 'data-state': p.state },
          },
          h('span', { className: 'position-state' }, p.state),
          h(
            'span',
            { className: `position-chip position-${p.position}` },
            POSITION_LABELS[p.position],
          ),
          p.explanation ? h('span', { className: 'position-explanation' }, p.explanation) : null,
        ),
      );
    }
    const silent = store.states.filter((s) => !positions.some((p) => p.state === s));
    if (positions.length === 0)
      list.append(h('li', { className: 'muted' }, 'No State has spoken yet.'));
    section.append(list);
    if (silent.length > 0) {
      section.append(
        h('p', { className: 'muted position-silent' }, `Not yet heard: ${silent.join(', ')}`),
      );
    }
    const state = this.options.access()?.represents ?? null;
    if (this.can('recordPosition') && state) {
      const current = positions.find((p) => p.state === state);
      const select = h(
        'select',
        { attrs: { 'aria-label': `${state}'s position`, 'data-testid': 'position-select' } },
        ...POSITIONS.map((p) => h('option', { attrs: { value: p } }, POSITION_LABELS[p])),
      );
      select.value = this.position || current?.position || 'can_accept';
      select.addEventListener('change', () => {
        this.position = select.value;
      });
      const explanation = h('input', {
        attrs: {
          type: 'text',
          maxlength: CONSENSUS_NOTE_MAX,
          'aria-label': 'Explanation (optional)',
          placeholder: 'Explanation (optional)',
          'data-testid': 'position-explanation',
        },
      });
      explanation.value = this.explanation;
      explanation.addEventListener('input', () => {
        this.explanation = explanation.value;
      });
      const submit = h(
        'button',
        { attrs: { type: 'submit', 'data-testid': 'position-submit' } },
        'Record',
      );
      const form = h(
        'form',
        { className: 'consensus-form', attrs: { 'data-testid': 'position-form' } },
        h('label', { className: 'consensus-label' }, `Position of ${state}`),
        h('div', { className: 'consensus-row' }, select, submit),
        explanation,
        this.errorFor(para, 'position'),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        submit.disabled = true;
        this.error = null;
        store
          .recordPosition(para.id, select.value as Position, explanation.value.trim() || undefined)
          .then(() => {
            this.explanation = '';
            this.position = '';
            this.render(true);
          })
          .catch((err: unknown) => this.fail(para, 'position', err));
      });
      section.append(form);
    }
    return section;
  }

  private silenceControls(para: Para, locked: boolean): HTMLElement | null {
    if (!this.can('runSilence')) return null;
    const view = this.options.view();
    const selected = view ? selectedParagraphIds(view) : [];
    const scope = h(
      'select',
      { attrs: { 'aria-label': 'Put under silence', 'data-testid': 'silence-scope' } },
      h('option', { attrs: { value: 'paragraph' } }, 'This paragraph'),
      selected.length > 1
        ? h(
            'option',
            { attrs: { value: 'selection' } },
            `The ${selected.length} selected paragraphs`,
          )
        : null,
      h('option', { attrs: { value: 'chapter' } }, `The whole chapter (${para.chapterIds.length})`),
    );
    if (this.silenceScope === 'selection' && selected.length <= 1) this.silenceScope = 'paragraph';
    scope.value = this.silenceScope;
    scope.addEventListener('change', () => {
      this.silenceScope = scope.value as typeof this.silenceScope;
    });
    const deadline = h('input', {
      attrs: {
        type: 'datetime-local',
        'aria-required': 'true',
        'aria-label': 'Deadline',
        'data-testid': 'silence-deadline-input',
      },
    });
    deadline.value = this.deadline || localInputValue(new Date(Date.now() + 72 * 3600_000));
    deadline.addEventListener('input', () => {
      this.deadline = deadline.value;
    });
    const zone = readerTimeZone();
    const submit = h(
      'button',
      { attrs: { type: 'submit', 'data-testid': 'silence-start', disabled: locked } },
      'Start silence',
    );
    const form = h(
      'form',
      { className: 'consensus-form consensus-silence', attrs: { 'data-testid': 'silence-form' } },
      h('h3', { className: 'consensus-subtitle' }, 'Silence procedure'),
      h('div', { className: 'consensus-row' }, scope),
      h('div', { className: 'consensus-row' }, deadline, submit),
      h('p', { className: 'muted consensus-zone' }, `Deadline in your time zone, ${zone}`),
      this.errorFor(para, 'silence'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const at = new Date(deadline.value);
      if (!deadline.value || Number.isNaN(at.getTime())) {
        this.fail(para, 'silence', new Error('Choose a deadline (date and time).'));
        return;
      }
      const ids =
        scope.value === 'chapter'
          ? para.chapterIds
          : scope.value === 'selection'
            ? selectedParagraphIds(view!)
            : [para.id];
      submit.disabled = true;
      this.error = null;
      this.options.store
        .startSilence(ids, at, zone)
        .then(() => {
          this.deadline = '';
          this.render(true);
        })
        .catch((err: unknown) => this.fail(para, 'silence', err));
    });
    return form;
  }
}
