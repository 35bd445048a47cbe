/**
 * `#/r/<reportId>/board`: the report's consensus board. Per chapter, the paragraphs counted by
 * status with a progress bar; the report's share agreed; the open paragraphs with their current
 * number, open threads and the States holding them; running silences with countdowns. A click on
 * a paragraph opens it in the text. `#/r/<reportId>/matrix`: the chair's matrix, paragraphs ×
 * States, each State's current position (blank: not yet heard) and whether the paragraph is
 * ripe for agreement.
 *
 * Live: the report's sync session feeds the text (numbers, brackets, new paragraphs), the
 * threads and the consensus events; nothing here needs a reload.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import {
  hasBrackets,
  holdingStates,
  isRipe,
  PARAGRAPH_STATUSES,
  type ParagraphStatus,
  POSITION_LABELS,
  SETTLED_STATUSES,
  STATUS_LABELS,
  STATUS_SHORT,
} from '../../../shared/consensus.js';
import { computeNumbering } from '../../../shared/numbering.js';
import { CloseCode, closeReasonText, REPORT_ID_RE } from '../../../shared/protocol.js';
import { roleCan } from '../../../shared/roles.js';
import { schema } from '../../../shared/schema.js';
import { setCurrentGroup } from '../auth.js';
import { citationsIn, requestJump } from '../consensus/editor.js';
import { shownStatus } from '../consensus/plugin.js';
import { SilenceList } from '../consensus/silences.js';
import { closeSession, openSession } from '../sync/session.js';
import { h, replaceChildren } from '../ui/dom.js';
import type { PageContext } from './context.js';
import { type BoardView, boardHref, LIST_HREF, reportHref } from './routes.js';

interface BoardParagraph {
  id: string;
  citation: string;
  text: string;
  /** Recorded status. */
  stored: ParagraphStatus;
  /** What the margin shows (bracketed text reads as bracketed while a draft). */
  shown: ParagraphStatus;
}

interface BoardChapter {
  numeral: string;
  heading: string;
  paragraphs: BoardParagraph[];
}

const EXCERPT = 110;

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return '(empty paragraph)';
  return t.length > EXCERPT ? `${t.slice(0, EXCERPT - 1)}…` : t;
}

function percent(n: number, total: number): number {
  return total === 0 ? 0 : Math.round((n / total) * 100);
}

export function boardPage(context: PageContext, reportId: string, mode: BoardView): () => void {
  const { main, headerMain, headerAside } = context;
  if (!REPORT_ID_RE.test(reportId)) {
    replaceChildren(
      main,
      h(
        'div',
        { className: 'page' },
        h(
          'p',
          { className: 'banner is-fatal', attrs: { role: 'alert' } },
          closeReasonText[CloseCode.InvalidReportId] ?? 'No such report.',
        ),
        h('p', null, h('a', { attrs: { href: LIST_HREF } }, 'Back to the reports')),
      ),
    );
    return () => {};
  }
  const session = openSession(reportId);
  const store = session.consensus;
  let alive = true;
  let doc: PMNode | null = null;

  const title = h('h1', { className: 'header-title' }, '…');
  replaceChildren(
    headerMain,
    h(
      'a',
      {
        className: 'back-link',
        attrs: { href: reportHref(reportId), 'data-testid': 'back-to-text' },
      },
      '← Text',
    ),
    title,
  );
  const tabs = h('nav', { className: 'board-tabs', attrs: { 'aria-label': 'Views' } });
  const summary = h('section', {
    className: 'board-summary',
    attrs: { 'data-testid': 'board-summary' },
  });
  const chapters = h('section', {
    className: 'board-chapters',
    attrs: { 'data-testid': 'board-chapters', 'aria-label': 'Chapters' },
  });
  const open = h('section', {
    className: 'board-open',
    attrs: { 'data-testid': 'board-open', 'aria-label': 'Open paragraphs' },
  });
  const matrix = h('section', {
    className: 'board-matrix',
    attrs: { 'data-testid': 'matrix', 'aria-label': 'Positions matrix' },
  });
  const status = h('p', { className: 'muted', attrs: { role: 'status' } }, 'Opening the report…');
  const silences = new SilenceList({
    store,
    role: () => session.access?.role ?? null,
    citations: (ids) => citationsIn(doc, ids),
    goTo: (id) => jump(id),
  });
  replaceChildren(
    main,
    h(
      'div',
      {
        className: `page board-page is-${mode}`,
        attrs: { 'data-testid': mode === 'board' ? 'board' : 'matrix-page' },
      },
      tabs,
      status,
      silences.element,
      ...(mode === 'board' ? [summary, chapters, open] : [matrix]),
    ),
  );

  const jump = (paragraphId: string) => {
    requestJump(reportId, paragraphId);
    window.location.hash = reportHref(reportId);
  };

  /** Chapters and their paragraphs as the text is now. */
  const model = (): BoardChapter[] => {
    if (!doc) return [];
    const numbering = computeNumbering(doc);
    const out: BoardChapter[] = [];
    doc.forEach((node, offset) => {
      if (node.type.name !== 'chapter') return;
      const chapter: BoardChapter = {
        numeral: numbering.chapters.get(offset) ?? '',
        heading: '',
        paragraphs: [],
      };
      node.forEach((child) => {
        if (child.type.name === 'chapter_heading') chapter.heading = child.textContent;
        if (child.type.name !== 'paragraph') return;
        const id = child.attrs['id'] as string | null;
        if (!id) return;
        const stored = store.statusOf(id);
        chapter.paragraphs.push({
          id,
          citation: numbering.paragraphs.get(id)?.citation ?? '',
          text: child.textContent,
          stored,
          shown: shownStatus(stored, child.textContent),
        });
      });
      out.push(chapter);
    });
    return out;
  };

  const paragraphButton = (p: BoardParagraph, testid: string) =>
    h(
      'button',
      {
        className: 'link-button para-link',
        attrs: { type: 'button', 'data-testid': testid, 'data-paragraph-id': p.id },
        on: { click: () => jump(p.id) },
      },
      p.citation || '—',
    );

  const progressBar = (counts: Map<ParagraphStatus, number>, total: number, label: string) => {
    const bar = h('div', {
      className: 'progress',
      attrs: { role: 'img', 'aria-label': label, title: label },
    });
    for (const s of PARAGRAPH_STATUSES) {
      const n = counts.get(s) ?? 0;
      if (n === 0) continue;
      const seg = h('span', { className: `progress-seg status-${s}` });
      // Width through a class per 5 % step (no inline styles under the CSP).
      seg.classList.add(`w-${Math.max(1, Math.round((n / total) * 20))}`);
      bar.append(seg);
    }
    return bar;
  };

  const renderTabs = () => {
    const role = session.access?.role;
    replaceChildren(
      tabs,
      h(
        'a',
        {
          className: `board-tab${mode === 'board' ? ' is-current' : ''}`,
          attrs: { href: boardHref(reportId), 'aria-current': mode === 'board' ? 'page' : null },
        },
        'Board',
      ),
      !role || roleCan(role, 'setStatus') || roleCan(role, 'runSilence') || mode === 'matrix'
        ? h(
            'a',
            {
              className: `board-tab${mode === 'matrix' ? ' is-current' : ''}`,
              attrs: {
                href: boardHref(reportId, 'matrix'),
                'data-testid': 'matrix-tab',
                'aria-current': mode === 'matrix' ? 'page' : null,
              },
            },
            'Positions matrix',
          )
        : null,
      h(
        'a',
        {
          className: 'board-tab',
          attrs: { href: reportHref(reportId), 'data-testid': 'text-link' },
        },
        'Text',
      ),
    );
  };

  const renderBoard = (data: BoardChapter[]) => {
    const all = data.flatMap((c) => c.paragraphs);
    const total = all.length;
    const count = (s: ParagraphStatus) => all.filter((p) => p.shown === s).length;
    const agreed = count('agreed') + count('deleted_by_agreement');
    const settled = all.filter((p) => SETTLED_STATUSES.has(p.shown)).length;
    const reportCounts = new Map(PARAGRAPH_STATUSES.map((s) => [s, count(s)]));
    replaceChildren(
      summary,
      h(
        'div',
        { className: 'board-share' },
        h(
          'strong',
          { className: 'board-share-number', attrs: { 'data-testid': 'share-agreed' } },
          `${percent(agreed, total)} %`,
        ),
        h(
          'span',
          { className: 'muted', attrs: { 'data-testid': 'share-agreed-text' } },
          ` agreed — ${agreed} of ${total} paragraph${total === 1 ? '' : 's'}; ${settled - agreed} ad referendum; ${total - settled} open`,
        ),
      ),
      progressBar(reportCounts, Math.max(total, 1), `${agreed} of ${total} agreed`),
      h(
        'ul',
        { className: 'status-legend' },
        ...PARAGRAPH_STATUSES.filter((s) => (reportCounts.get(s) ?? 0) > 0).map((s) =>
          h(
            'li',
            null,
            h('span', { className: `legend-swatch status-${s}` }),
            `${STATUS_LABELS[s]} ${reportCounts.get(s)}`,
          ),
        ),
      ),
    );

    const table = h(
      'table',
      { className: 'board-table', attrs: { 'data-testid': 'chapter-table' } },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { attrs: { scope: 'col' } }, 'Chapter'),
          ...PARAGRAPH_STATUSES.map((s) =>
            h(
              'th',
              { className: 'num', attrs: { scope: 'col', title: STATUS_LABELS[s] } },
              STATUS_SHORT[s],
            ),
          ),
          h('th', { attrs: { scope: 'col' } }, 'Progress'),
        ),
      ),
    );
    const body = h('tbody');
    for (const c of data) {
      const counts = new Map<ParagraphStatus, number>();
      for (const p of c.paragraphs) counts.set(p.shown, (counts.get(p.shown) ?? 0) + 1);
      const n = c.paragraphs.length;
      const cAgreed = (counts.get('agreed') ?? 0) + (counts.get('deleted_by_agreement') ?? 0);
      body.append(
        h(
          'tr',
          { attrs: { 'data-testid': 'chapter-row', 'data-numeral': c.numeral } },
          h(
            'th',
            { attrs: { scope: 'row' } },
            h('span', { className: 'chapter-numeral' }, c.numeral ? `${c.numeral}.` : ''),
            ` ${c.heading || 'Untitled chapter'}`,
          ),
          ...PARAGRAPH_STATUSES.map((s) =>
            h(
              'td',
              {
                className: `num${counts.get(s) ? '' : ' is-zero'}`,
                attrs: { 'data-testid': `count-${s}` },
              },
              String(counts.get(s) ?? 0),
            ),
          ),
          h(
            'td',
            null,
            h(
              'div',
              { className: 'progress-cell' },
              progressBar(counts, Math.max(n, 1), `${cAgreed} of ${n} agreed`),
              h('span', { className: 'muted progress-text' }, `${percent(cAgreed, n)} %`),
            ),
          ),
        ),
      );
    }
    table.append(body);
    replaceChildren(chapters, h('h2', { className: 'board-heading' }, 'Chapters'), table);

    const openRows = all.filter((p) => !SETTLED_STATUSES.has(p.shown));
    const threads = [...session.threads.threads.values()];
    const list = h(
      'table',
      { className: 'board-table open-table', attrs: { 'data-testid': 'open-table' } },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { attrs: { scope: 'col' } }, 'Para.'),
          h('th', { attrs: { scope: 'col' } }, 'Status'),
          h('th', { attrs: { scope: 'col' } }, 'Text'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'Open threads'),
          h('th', { attrs: { scope: 'col' } }, 'Held by'),
        ),
      ),
    );
    const rows = h('tbody');
    for (const p of openRows) {
      const openThreads = threads.filter(
        (t) => t.paragraphId === p.id && t.status === 'open',
      ).length;
      const holding = holdingStates(store.positionsOf(p.id));
      const silence = store.silenceOf(p.id);
      rows.append(
        h(
          'tr',
          {
            attrs: {
              'data-testid': 'open-paragraph',
              'data-paragraph-id': p.id,
              'data-status': p.shown,
            },
          },
          h('td', null, paragraphButton(p, 'open-paragraph-link')),
          h(
            'td',
            null,
            h('span', { className: `status-chip status-${p.shown}` }, STATUS_LABELS[p.shown]),
            silence ? h('span', { className: 'silence-tag' }, 'Silence') : null,
          ),
          h('td', { className: 'excerpt' }, excerpt(p.text)),
          h(
            'td',
            { className: 'num', attrs: { 'data-testid': 'open-threads' } },
            openThreads ? String(openThreads) : '',
          ),
          h(
            'td',
            { attrs: { 'data-testid': 'holding-states' } },
            holding.length ? holding.join(', ') : '',
          ),
        ),
      );
    }
    if (openRows.length === 0) {
      rows.append(
        h('tr', null, h('td', { attrs: { colspan: 5 }, className: 'muted' }, 'Nothing is open.')),
      );
    }
    list.append(rows);
    replaceChildren(
      open,
      h('h2', { className: 'board-heading' }, `Open paragraphs (${openRows.length})`),
      h('div', { className: 'table-scroll' }, list),
    );
  };

  const renderMatrix = (data: BoardChapter[]) => {
    const states = store.states;
    const table = h(
      'table',
      { className: 'board-table matrix-table', attrs: { 'data-testid': 'matrix-table' } },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { attrs: { scope: 'col' } }, 'Para.'),
          h('th', { attrs: { scope: 'col' } }, 'Status'),
          ...states.map((s) =>
            h('th', { className: 'matrix-state', attrs: { scope: 'col', title: s } }, s),
          ),
          h(
            'th',
            {
              attrs: {
                scope: 'col',
                title:
                  store.ripeRule === 'all-accept'
                    ? 'Ripe: every State can accept'
                    : 'Ripe: no State objects',
              },
            },
            'Ripe',
          ),
        ),
      ),
    );
    const body = h('tbody');
    for (const c of data) {
      body.append(
        h(
          'tr',
          { className: 'matrix-chapter' },
          h(
            'th',
            { attrs: { colspan: states.length + 3, scope: 'colgroup' } },
            `${c.numeral ? `${c.numeral}. ` : ''}${c.heading || 'Untitled chapter'}`,
          ),
        ),
      );
      for (const p of c.paragraphs) {
        const positions = store.positionsOf(p.id);
        const byState = new Map(positions.map((x) => [x.state, x]));
        // Text with brackets (or none at all) cannot be agreed, whatever the States say; text
        // under silence is already on its way to agreement.
        const underSilence = store.silenceOf(p.id) !== null;
        const ripe =
          !SETTLED_STATUSES.has(p.stored) &&
          !underSilence &&
          p.text.trim() !== '' &&
          !hasBrackets(p.text) &&
          isRipe(store.ripeRule, states, positions);
        const silent = states.filter((s) => !byState.has(s));
        body.append(
          h(
            'tr',
            { attrs: { 'data-testid': 'matrix-row', 'data-paragraph-id': p.id } },
            h('td', null, paragraphButton(p, 'matrix-paragraph')),
            h(
              'td',
              null,
              h(
                'span',
                {
                  className: `status-chip status-${p.shown}`,
                  attrs: { title: STATUS_LABELS[p.shown] },
                },
                STATUS_SHORT[p.shown],
              ),
            ),
            ...states.map((s) => {
              const pos = byState.get(s);
              return h(
                'td',
                {
                  className: `matrix-cell${pos ? ` position-${pos.position}` : ' is-silent'}`,
                  attrs: {
                    'data-testid': 'matrix-cell',
                    'data-state': s,
                    'data-position': pos?.position ?? '',
                    title: pos
                      ? `${s}: ${POSITION_LABELS[pos.position]}${pos.explanation ? ` — ${pos.explanation}` : ''}`
                      : `${s} has not said anything`,
                  },
                },
                pos ? POSITION_LABELS[pos.position] : '',
              );
            }),
            h(
              'td',
              {
                className: `matrix-ripe${ripe ? ' is-ripe' : ''}`,
                attrs: {
                  'data-testid': 'matrix-ripe',
                  'data-ripe': String(ripe),
                  title: ripe
                    ? `Ripe for agreement${silent.length ? ` (not yet heard: ${silent.join(', ')})` : ''}`
                    : SETTLED_STATUSES.has(p.stored)
                      ? STATUS_LABELS[p.stored]
                      : underSilence
                        ? 'Under silence until its deadline'
                        : hasBrackets(p.text)
                          ? 'Not ripe: square brackets in the text'
                          : 'Not ripe',
                },
              },
              ripe ? 'Ripe' : '',
            ),
          ),
        );
      }
    }
    table.append(body);
    replaceChildren(
      matrix,
      h('h2', { className: 'board-heading' }, 'Positions of States'),
      h(
        'p',
        { className: 'muted' },
        states.length
          ? `Each State's current position; blank where it has said nothing. ${store.ripeRule === 'all-accept' ? 'Ripe when every State can accept.' : 'Ripe when no State objects.'}`
          : 'No State is represented in this group yet.',
      ),
      h('div', { className: 'table-scroll' }, table),
    );
  };

  let timer: ReturnType<typeof setTimeout> | null = null;
  const render = () => {
    if (!alive) return;
    const access = session.access;
    if (access) {
      setCurrentGroup(access.report.groupId);
      title.textContent = `${mode === 'board' ? 'Consensus board' : 'Positions matrix'} · ${access.report.title}`;
      document.title = `${mode === 'board' ? 'Board' : 'Matrix'} · ${access.report.title} · Concord`;
    }
    renderTabs();
    const notice = session.notice;
    if (!session.hasSynced || !store.loaded) {
      status.textContent = notice?.text ?? 'Opening the report…';
      status.hidden = false;
      return;
    }
    status.hidden = true;
    doc = yXmlFragmentToProseMirrorRootNode(session.fragment, schema);
    const data = model();
    if (mode === 'board') renderBoard(data);
    else renderMatrix(data);
    silences.render(true);
  };
  /** Coalesces bursts (typing elsewhere) into one render. */
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      render();
    }, 120);
  };
  const stops = [
    session.subscribe(schedule),
    store.subscribe(schedule),
    session.threads.subscribe(schedule),
  ];
  session.doc.on('update', schedule);
  replaceChildren(headerAside);
  render();

  return () => {
    alive = false;
    if (timer) clearTimeout(timer);
    for (const stop of stops) stop();
    session.doc.off('update', schedule);
    silences.destroy();
    closeSession(session);
  };
}
