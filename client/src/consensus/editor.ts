/**
 * Consensus on the editor page, in one piece: the toolbar (board and matrix links, "Open
 * paragraphs only", running silences, a refused edit of locked text), the paragraph card beside
 * the text, and the editor plugin fed from the session's consensus store.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { Plugin, TextSelection } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { LOCKED_EDIT_NOTICE } from '../../../shared/consensus.js';
import { computeNumbering } from '../../../shared/numbering.js';
import { roleCan } from '../../../shared/roles.js';
import { boardHref } from '../pages/routes.js';
import type { ReportSession } from '../sync/session.js';
import { h, replaceChildren } from '../ui/dom.js';
import { ConsensusPanel } from './panel.js';
import { type ConsensusInfo, consensusPlugin, type StatusLabel, setConsensus } from './plugin.js';
import { SilenceList } from './silences.js';

/** A paragraph to select when the editor of its report opens next (set by the board). */
let pendingJump: { reportId: string; paragraphId: string } | null = null;

export function requestJump(reportId: string, paragraphId: string): void {
  pendingJump = { reportId, paragraphId };
}

/** "13, 14 (a)": current numbers of paragraphs in `doc`. */
export function citationsIn(doc: PMNode | null, ids: string[]): string {
  if (!doc) return '…';
  const numbering = computeNumbering(doc);
  const out = ids.map((id) => numbering.paragraphs.get(id)?.citation ?? null);
  const known = out.filter((c): c is string => c !== null);
  const missing = out.length - known.length;
  return [...known, ...(missing > 0 ? [`${missing} deleted`] : [])].join(', ');
}

/** Scrolls to a paragraph and selects its text. Returns false when it is not in the document. */
export function selectParagraph(view: EditorView, paragraphId: string): boolean {
  let found: { pos: number; size: number } | null = null;
  view.state.doc.descendants((node, pos) => {
    if (found) return false;
    if (node.type.name === 'paragraph') {
      if (node.attrs['id'] === paragraphId) found = { pos, size: node.content.size };
      return false;
    }
    return true;
  });
  if (!found) return false;
  const { pos, size } = found as { pos: number; size: number };
  const sel = TextSelection.create(view.state.doc, pos + 1, pos + 1 + size);
  view.dispatch(view.state.tr.setSelection(sel).scrollIntoView());
  const dom = view.nodeDOM(pos);
  if (dom instanceof HTMLElement) dom.scrollIntoView({ block: 'center' });
  view.focus();
  return true;
}

/** A paragraph's margin label: a button that opens the paragraph card. */
function statusLabel(label: StatusLabel, onClick: (paragraphId: string) => void): HTMLElement {
  const el = h('button', {
    className: `para-status status-${label.status}${label.silenced ? ' is-silenced' : ''}`,
    attrs: {
      type: 'button',
      contenteditable: 'false',
      title: label.title,
      'aria-label': `Status: ${label.title}`,
      'data-testid': 'para-status',
      'data-status': label.status,
      'data-label': label.label,
      'data-paragraph-id': label.paragraphId,
      'data-locked': label.locked ? 'true' : null,
    },
    on: {
      mousedown: (e) => e.preventDefault(),
      click: (e) => {
        e.preventDefault();
        onClick(label.paragraphId);
      },
    },
  });
  return el;
}

export class EditorConsensus {
  readonly toolbar: HTMLElement;
  readonly panel: ConsensusPanel;
  private readonly silences: SilenceList;
  private readonly openOnly: HTMLInputElement;
  private readonly lockNotice: HTMLElement;
  private readonly links: HTMLElement;
  private lockTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;
  private shownRole = '';

  constructor(
    private readonly session: ReportSession,
    private readonly view: () => EditorView | null,
  ) {
    const store = session.consensus;
    this.panel = new ConsensusPanel({ store, access: () => session.access, view });
    this.silences = new SilenceList({
      store,
      role: () => session.access?.role ?? null,
      citations: (ids) => citationsIn(this.view()?.state.doc ?? null, ids),
      goTo: (id) => {
        const v = this.view();
        if (v) selectParagraph(v, id);
      },
    });
    this.openOnly = h('input', {
      attrs: { type: 'checkbox', 'data-testid': 'open-only' },
      on: { change: () => this.push() },
    });
    this.lockNotice = h('p', {
      className: 'banner is-warning lock-notice',
      attrs: { role: 'alert', 'data-testid': 'lock-notice' },
    });
    this.lockNotice.hidden = true;
    this.links = h('span', { className: 'consensus-links' });
    this.toolbar = h(
      'div',
      { className: 'consensus-toolbar', attrs: { 'data-testid': 'consensus-toolbar' } },
      h(
        'div',
        { className: 'consensus-toolbar-row' },
        h(
          'label',
          {
            className: 'toggle',
            attrs: { title: 'Hide agreed, ad referendum and deleted paragraphs' },
          },
          this.openOnly,
          ' Open paragraphs only',
        ),
        this.links,
      ),
      this.lockNotice,
      this.silences.element,
    );
    this.renderLinks();
    this.unsubscribe = store.subscribe(() => this.push());
  }

  /** The role may have changed: the links follow it. */
  renderLinks(): void {
    const role = this.session.access?.role ?? '';
    if (role === this.shownRole && this.links.childNodes.length > 0) return;
    this.shownRole = role;
    const id = this.session.reportId;
    replaceChildren(
      this.links,
      h(
        'a',
        { className: 'tool-link', attrs: { href: boardHref(id), 'data-testid': 'board-link' } },
        'Consensus board',
      ),
      role && (roleCan(role, 'setStatus') || roleCan(role, 'runSilence'))
        ? h(
            'a',
            {
              className: 'tool-link',
              attrs: { href: boardHref(id, 'matrix'), 'data-testid': 'matrix-link' },
            },
            'Positions matrix',
          )
        : null,
    );
    this.panel.render(true);
    this.silences.render(true);
  }

  /** The plugins the editor needs (the lock, the margin, the highlights, panel tracking). */
  plugins(): Plugin[] {
    return [
      consensusPlugin({
        renderLabel: (label) => statusLabel(label, (id) => this.panel.show(id)),
        onRefused: (id) => this.refused(id),
      }),
      new Plugin({
        view: () => ({
          update: (v, prev) => {
            if (v.state.selection !== prev.selection || v.state.doc !== prev.doc) {
              const $from = v.state.selection.$from;
              for (let d = $from.depth; d > 0; d--) {
                const node = $from.node(d);
                if (node.type.name === 'paragraph') {
                  this.panel.show((node.attrs['id'] as string | null) ?? null);
                  break;
                }
              }
              this.panel.render();
            }
            if (v.state.doc !== prev.doc) {
              this.panel.docChanged();
              this.silences.render();
            }
          },
        }),
      }),
    ];
  }

  /** The editor exists: show the data, and go to a paragraph the board asked for. */
  viewReady(view: EditorView): void {
    this.push();
    this.silences.render(true);
    if (pendingJump?.reportId === this.session.reportId) {
      const id = pendingJump.paragraphId;
      pendingJump = null;
      if (selectParagraph(view, id)) this.panel.show(id);
    }
  }

  private push(): void {
    const view = this.view();
    if (!view) return;
    const store = this.session.consensus;
    const info: ConsensusInfo = {
      statuses: new Map([...store.statuses].map(([id, s]) => [id, s.status])),
      silenced: new Set(store.running().flatMap((s) => s.paragraphIds)),
      locked: store.lockedIds(),
      openOnly: this.openOnly.checked,
    };
    setConsensus(view, info);
  }

  private refused(paragraphId: string): void {
    const doc = this.view()?.state.doc ?? null;
    const cite = citationsIn(doc, [paragraphId]);
    const silence = this.session.consensus.silenceOf(paragraphId);
    this.lockNotice.textContent = `Paragraph ${cite} is ${silence ? 'under silence' : 'agreed'} and locked: your change to it was not made.`;
    this.lockNotice.title = LOCKED_EDIT_NOTICE;
    this.lockNotice.hidden = false;
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = setTimeout(() => {
      this.lockNotice.hidden = true;
    }, 6000);
  }

  destroy(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.unsubscribe();
    this.panel.destroy();
    this.silences.destroy();
  }
}
