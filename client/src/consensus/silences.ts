/**
 * Running silence procedures with a live countdown, each deadline in the reader's own zone and in
 * the chair's; "Break silence" (mandatory statement) for experts, "Cancel" for the chair; and a
 * notification for everyone when a silence is broken, naming who broke it and their statement.
 * Used by the editor and the board. User text only ever goes into text nodes.
 */
import { CONSENSUS_NOTE_MAX, type SilenceView } from '../../../shared/consensus.js';
import { type Role, roleCan } from '../../../shared/roles.js';
import { errorMessage } from '../api.js';
import { h, replaceChildren } from '../ui/dom.js';
import { countdownText, personText, readerTimeZone, timeText } from './format.js';
import type { ConsensusStore } from './store.js';

export interface SilenceListOptions {
  store: ConsensusStore;
  role: () => Role | null;
  /** "13, 14 (a)": the current numbers of the paragraphs (ids when unknown). */
  citations: (paragraphIds: string[]) => string;
  /** Jump to a paragraph (optional). */
  goTo?: (paragraphId: string) => void;
}

export class SilenceList {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly notices: HTMLElement;
  private readonly countdowns = new Map<HTMLElement, string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  /** The silence whose break form is open, with its draft. */
  private breaking: { id: string; text: string } | null = null;
  private renderedKey = '';

  constructor(private readonly options: SilenceListOptions) {
    this.list = h('ul', { className: 'silence-list' });
    this.notices = h('div', { className: 'silence-notices' });
    this.element = h(
      'section',
      { className: 'silences', attrs: { 'data-testid': 'silences', 'aria-label': 'Silence' } },
      this.notices,
      this.list,
    );
    this.unsubscribe = options.store.subscribe(() => this.render());
    this.timer = setInterval(() => this.tick(), 1000);
    this.render();
  }

  destroy(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }

  private tick(): void {
    const now = Date.now();
    for (const [el, deadline] of this.countdowns) {
      const text = countdownText(deadline, now);
      if (el.textContent !== text) el.textContent = text;
    }
  }

  /** Re-renders (e.g. when the numbers changed). */
  render(force = false): void {
    const store = this.options.store;
    const running = store.running();
    const role = this.options.role();
    const key = JSON.stringify([
      running.map((s) => [s.id, s.seq, this.options.citations(s.paragraphIds)]),
      store.brokenNotices.map((n) => n.silence.id),
      role,
      this.breaking?.id ?? null,
    ]);
    if (!force && key === this.renderedKey) return;
    this.renderedKey = key;
    this.countdowns.clear();
    replaceChildren(
      this.notices,
      ...store.brokenNotices.map((notice) => {
        const s = notice.silence;
        return h(
          'p',
          {
            className: 'banner is-warning silence-broken',
            attrs: { role: 'alert', 'data-testid': 'silence-broken' },
          },
          h(
            'span',
            { className: 'banner-text' },
            `Silence broken on paragraph${s.paragraphIds.length === 1 ? '' : 's'} ${this.options.citations(s.paragraphIds)} by ${personText(s.brokenBy)}: `,
            h('q', { className: 'silence-statement' }, s.statement ?? ''),
            ' The text is under discussion again.',
          ),
          h(
            'button',
            {
              className: 'banner-dismiss',
              attrs: { type: 'button', 'aria-label': 'Dismiss', 'data-testid': 'silence-dismiss' },
              on: { click: () => store.dismissBroken(notice) },
            },
            '×',
          ),
        );
      }),
    );
    replaceChildren(this.list, ...running.map((s) => this.item(s, role)));
    this.element.hidden = running.length === 0 && store.brokenNotices.length === 0;
  }

  private item(s: SilenceView, role: Role | null): HTMLElement {
    const store = this.options.store;
    const countdown = h(
      'strong',
      { className: 'silence-countdown', attrs: { 'data-testid': 'silence-countdown' } },
      countdownText(s.deadline),
    );
    this.countdowns.set(countdown, s.deadline);
    const own = readerTimeZone();
    const paragraphs = h('span', { className: 'silence-paragraphs' });
    const first = s.paragraphIds[0];
    if (this.options.goTo && first) {
      paragraphs.append(
        h(
          'button',
          {
            className: 'link-button',
            attrs: { type: 'button', 'data-testid': 'silence-paragraphs' },
            on: { click: () => this.options.goTo?.(first) },
          },
          this.options.citations(s.paragraphIds),
        ),
      );
    } else paragraphs.append(this.options.citations(s.paragraphIds));
    const error = h('span', { className: 'consensus-error', attrs: { role: 'alert' } });
    const li = h(
      'li',
      {
        className: 'silence-item',
        attrs: { 'data-testid': 'silence-item', 'data-silence-id': s.id },
      },
      h(
        'div',
        { className: 'silence-line' },
        h('span', { className: 'silence-tag' }, 'Silence'),
        h('span', null, `Paragraph${s.paragraphIds.length === 1 ? '' : 's'} `),
        paragraphs,
        countdown,
      ),
      h(
        'div',
        { className: 'silence-deadline muted', attrs: { 'data-testid': 'silence-deadline' } },
        `Deadline ${timeText(s.deadline)} your time`,
        s.timeZone && s.timeZone !== own
          ? ` · ${timeText(s.deadline, s.timeZone)} chair's time`
          : '',
        ` · started by ${personText(s.startedBy)}`,
      ),
    );
    const actions = h('div', { className: 'silence-actions' });
    if (role && roleCan(role, 'breakSilence')) {
      if (this.breaking?.id === s.id) {
        const statement = h('textarea', {
          attrs: {
            rows: 2,
            maxlength: CONSENSUS_NOTE_MAX,
            required: true,
            'aria-label': 'Statement (required)',
            placeholder: 'Your statement (required): why your State breaks silence',
            'data-testid': 'silence-statement',
          },
        });
        statement.value = this.breaking.text;
        statement.addEventListener('input', () => {
          if (this.breaking) this.breaking.text = statement.value;
        });
        const confirm = h(
          'button',
          {
            className: 'danger',
            attrs: { type: 'button', 'data-testid': 'silence-break-confirm' },
          },
          'Break silence',
        );
        confirm.addEventListener('click', () => {
          const text = statement.value.trim();
          if (!text) {
            error.textContent = 'A statement is required to break silence.';
            statement.focus();
            return;
          }
          confirm.disabled = true;
          store
            .breakSilence(s.id, text)
            .then(() => {
              this.breaking = null;
              this.render(true);
            })
            .catch((e: unknown) => {
              confirm.disabled = false;
              error.textContent = errorMessage(e);
            });
        });
        actions.append(
          statement,
          h(
            'div',
            { className: 'consensus-actions' },
            confirm,
            h(
              'button',
              {
                attrs: { type: 'button' },
                on: {
                  click: () => {
                    this.breaking = null;
                    this.render(true);
                  },
                },
              },
              'Cancel',
            ),
            error,
          ),
        );
        queueMicrotask(() => statement.focus());
      } else {
        actions.append(
          h(
            'button',
            {
              className: 'danger',
              attrs: { type: 'button', 'data-testid': 'silence-break' },
              on: {
                click: () => {
                  this.breaking = { id: s.id, text: '' };
                  this.render(true);
                },
              },
            },
            'Break silence…',
          ),
        );
      }
    }
    if (role && roleCan(role, 'runSilence')) {
      actions.append(
        h(
          'button',
          {
            attrs: { type: 'button', 'data-testid': 'silence-cancel' },
            on: {
              click: () => {
                store.cancelSilence(s.id).catch((e: unknown) => {
                  error.textContent = errorMessage(e);
                });
              },
            },
          },
          'Cancel silence',
        ),
        error,
      );
    }
    if (actions.childNodes.length > 0) li.append(actions);
    return li;
  }
}
