/** `#/r/<reportId>`: the report editor with its header (title, presence, save state). */
import type { EditorView } from 'prosemirror-view';
import { REPORT_TITLE_MAX } from '../../../shared/api.js';
import { CloseCode, closeReasonText, REPORT_ID_RE } from '../../../shared/protocol.js';
import { errorMessage, getReport, renameReport } from '../api.js';
import { createEditor } from '../editor/view.js';
import { SAVE_STATE_TEXT } from '../sync/saveState.js';
import { closeSession, openSession, type ReportSession } from '../sync/session.js';
import { h, replaceChildren } from '../ui/dom.js';
import { startInlineEdit } from '../ui/inlineEdit.js';
import { presenceBar } from '../ui/presence.js';
import type { PageContext } from './context.js';
import { LIST_HREF } from './routes.js';

function backLink(): HTMLElement {
  return h(
    'a',
    { className: 'back-link', attrs: { href: LIST_HREF, 'data-testid': 'back-link' } },
    '← Reports',
  );
}

function invalidReport({ main, headerMain }: PageContext, text: string): () => void {
  replaceChildren(headerMain, backLink());
  replaceChildren(
    main,
    h(
      'div',
      { className: 'page' },
      h('p', { className: 'banner is-fatal', attrs: { role: 'alert' } }, text),
      h('p', null, h('a', { attrs: { href: LIST_HREF } }, 'Back to the reports')),
    ),
  );
  return () => {};
}

export function reportEditorPage(context: PageContext, reportId: string): () => void {
  if (!REPORT_ID_RE.test(reportId)) {
    return invalidReport(context, closeReasonText[CloseCode.InvalidReportId]!);
  }
  const { main, headerMain, headerAside, banner } = context;
  let alive = true;
  const session: ReportSession = openSession(reportId);
  let view: EditorView | null = null;

  // Header: back link and the title (renamed in place).
  const titleError = h('span', { className: 'header-error', attrs: { role: 'alert' } });
  const titleButton = h(
    'button',
    {
      className: 'title-button',
      attrs: { type: 'button', title: 'Rename this report', 'data-testid': 'report-title' },
    },
    '…',
  );
  let currentTitle = '';
  titleButton.addEventListener('click', () => {
    if (!currentTitle) return;
    startInlineEdit(titleButton, {
      value: currentTitle,
      label: 'Report title',
      maxLength: REPORT_TITLE_MAX,
      testid: 'rename-input',
      commit: async (title) => {
        const report = await renameReport(reportId, title);
        setTitle(report.title);
        titleError.textContent = '';
      },
      onError: (e) => {
        titleError.textContent = errorMessage(e);
      },
    });
  });
  const setTitle = (title: string) => {
    currentTitle = title;
    titleButton.textContent = title;
    titleButton.title = `${title} (click to rename)`;
    document.title = `${title} · Concord`;
  };
  getReport(reportId)
    .then((report) => {
      if (!alive) return;
      if (report) setTitle(report.title);
      else titleButton.textContent = 'Unknown report';
    })
    .catch((e) => {
      if (alive) titleError.textContent = `Could not load the title: ${errorMessage(e)}`;
    });
  replaceChildren(
    headerMain,
    backLink(),
    h('h1', { className: 'header-title' }, titleButton),
    titleError,
  );

  // Header: presence and save state.
  const presence = presenceBar(session.awareness);
  const saveState = h('span', {
    className: 'save-state',
    attrs: { 'data-testid': 'save-state', role: 'status', 'aria-live': 'polite' },
  });
  replaceChildren(headerAside, presence.element, saveState);

  // Body: a sheet that holds the editor once the first sync is done.
  const sheet = h('article', { className: 'sheet', attrs: { 'data-testid': 'sheet' } });
  const placeholder = h('p', { className: 'muted sheet-loading' }, 'Opening the report…');
  sheet.append(placeholder);
  const help = h(
    'p',
    { className: 'editor-help muted' },
    'Tab / Shift-Tab: sub-paragraph level · Ctrl-B bold · Ctrl-I italic · Ctrl-Z undoes your own changes only',
  );
  replaceChildren(main, h('div', { className: 'page editor-page' }, sheet, help));

  const bannerText = h('p', {
    className: 'banner',
    attrs: { role: 'alert', 'data-testid': 'connection-banner' },
  });

  const serverNoticeText = h('span', { className: 'banner-text' });
  const serverNotice = h(
    'p',
    { className: 'banner is-info', attrs: { role: 'status', 'data-testid': 'server-notice' } },
    serverNoticeText,
    h(
      'button',
      {
        className: 'banner-dismiss',
        attrs: { type: 'button', 'aria-label': 'Dismiss' },
        on: { click: () => session.dismissServerNotice() },
      },
      '×',
    ),
  );

  const render = () => {
    if (!alive) return;
    // Only write what changed: the indicator is an aria-live region.
    if (saveState.dataset['state'] !== session.saveState) {
      saveState.textContent = SAVE_STATE_TEXT[session.saveState];
      saveState.dataset['state'] = session.saveState;
    }
    const notice = session.notice;
    if (notice) {
      if (bannerText.textContent !== notice.text) bannerText.textContent = notice.text;
      bannerText.classList.toggle('is-fatal', notice.fatal);
      if (!bannerText.isConnected) banner.append(bannerText);
    } else {
      bannerText.remove();
    }
    if (session.serverNotice) {
      serverNoticeText.textContent = session.serverNotice.message;
      if (!serverNotice.isConnected) banner.append(serverNotice);
    } else {
      serverNotice.remove();
    }
    if (!view && session.hasSynced) {
      placeholder.remove();
      view = createEditor(sheet, session);
    } else if (!view && notice?.fatal) {
      placeholder.textContent = '';
    }
  };
  const unsubscribe = session.subscribe(render);
  render();

  return () => {
    alive = false;
    unsubscribe();
    presence.destroy();
    view?.destroy();
    view = null;
    bannerText.remove();
    serverNotice.remove();
    closeSession(session);
  };
}
