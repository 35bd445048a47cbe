/**
 * `#/r/<reportId>`: the report editor with its header (title, presence, save state, read-only
 * badge). Editable only when the user's role in the report's group may edit the text; a role
 * change (close code 4409) switches it without a reload.
 */

import { keymap } from 'prosemirror-keymap';
import { Plugin } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { REPORT_TITLE_MAX } from '../../../shared/api.js';
import { CloseCode, closeReasonText, REPORT_ID_RE } from '../../../shared/protocol.js';
import { roleCan } from '../../../shared/roles.js';
import { errorMessage, renameReport } from '../api.js';
import { currentMe, setCurrentGroup } from '../auth.js';
import { badgesPlugin } from '../comments/badges.js';
import { CommentsPanel } from '../comments/panel.js';
import { EditorConsensus } from '../consensus/editor.js';
import { createEditor } from '../editor/view.js';
import { roleAndState } from '../identity.js';
import { inbox } from '../inbox/store.js';
import { SAVE_STATE_TEXT } from '../sync/saveState.js';
import { closeSession, openSession, type ReportSession } from '../sync/session.js';
import { h, replaceChildren } from '../ui/dom.js';
import { startInlineEdit } from '../ui/inlineEdit.js';
import { presenceBar } from '../ui/presence.js';
import type { PageContext } from './context.js';
import { LIST_HREF } from './routes.js';

const EDIT_HELP =
  'Tab / Shift-Tab: sub-paragraph level · Ctrl-B bold · Ctrl-I italic · Ctrl-Z undoes your own changes only';

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

/** The report `reportId`; with `threadId` (from an inbox item), opened at that thread. */
export function reportEditorPage(
  context: PageContext,
  reportId: string,
  threadId: string | null = null,
): () => void {
  if (!REPORT_ID_RE.test(reportId)) {
    return invalidReport(context, closeReasonText[CloseCode.InvalidReportId]!);
  }
  const { main, headerMain, headerAside, banner } = context;
  let alive = true;
  const session: ReportSession = openSession(reportId);
  let view: EditorView | null = null;

  // Header: back link and the title (renamed in place by those who may).
  const titleError = h('span', { className: 'header-error', attrs: { role: 'alert' } });
  const title = h('h1', { className: 'header-title' });
  let currentTitle = '';
  let titleRenamable: boolean | null = null;
  const titleText = h(
    'span',
    { className: 'title-text', attrs: { 'data-testid': 'report-title' } },
    '…',
  );
  const titleButton = h(
    'button',
    {
      className: 'title-button',
      attrs: { type: 'button', 'data-testid': 'report-title' },
    },
    '…',
  );
  titleButton.addEventListener('click', () => {
    if (!currentTitle) return;
    startInlineEdit(titleButton, {
      value: currentTitle,
      label: 'Report title',
      maxLength: REPORT_TITLE_MAX,
      testid: 'rename-input',
      commit: async (next) => {
        const report = await renameReport(reportId, next);
        setTitle(report.title);
        titleError.textContent = '';
      },
      onError: (e) => {
        titleError.textContent = errorMessage(e);
      },
    });
  });
  const setTitle = (text: string) => {
    currentTitle = text;
    titleText.textContent = text;
    titleButton.textContent = text;
    titleButton.title = `${text} (click to rename)`;
    titleText.title = text;
    document.title = `${text} · Concord`;
  };
  replaceChildren(headerMain, backLink(), title, titleError);

  // Header: presence, read-only badge and save state.
  const presence = presenceBar(session.awareness);
  const readOnlyBadge = h(
    'span',
    {
      className: 'read-only-badge',
      attrs: { 'data-testid': 'read-only', title: 'Your role cannot edit the text of this report' },
    },
    'Read only',
  );
  readOnlyBadge.hidden = true;
  const saveState = h('span', {
    className: 'save-state',
    attrs: { 'data-testid': 'save-state', role: 'status', 'aria-live': 'polite' },
  });
  // The header's inbox (client/src/inbox) asks again soon when a thread of this report changes.
  const stopInbox = session.threads.subscribe(() => inbox.nudge());
  replaceChildren(headerAside, presence.element, readOnlyBadge, saveState);

  // Body: a sheet that holds the editor once the first sync is done and the role is known.
  const sheet = h('article', { className: 'sheet', attrs: { 'data-testid': 'sheet' } });
  const placeholder = h('p', { className: 'muted sheet-loading' }, 'Opening the report…');
  sheet.append(placeholder);
  const help = h('p', { className: 'editor-help muted', attrs: { 'data-testid': 'editor-help' } });
  // The comments panel beside the sheet.
  const comments = new CommentsPanel({
    store: session.threads,
    access: () => session.access,
    view: () => view,
  });
  // Consensus: statuses in the margin, locks, brackets, silences, the paragraph card.
  const consensus = new EditorConsensus(session, () => view);
  // An inbox item of this report opens its thread here, without reloading the page.
  const stopJumper = inbox.setJumper((rid, tid) => {
    if (rid !== reportId) return false;
    comments.focusThread(tid);
    return true;
  });
  if (threadId) comments.focusThread(threadId);
  replaceChildren(
    main,
    h(
      'div',
      { className: 'page editor-page has-comments' },
      h(
        'div',
        { className: 'editor-columns' },
        h('div', { className: 'editor-column' }, consensus.toolbar, sheet, help),
        h('div', { className: 'side-column' }, consensus.panel.element, comments.element),
      ),
    ),
  );

  const bannerText = h('p', {
    className: 'banner',
    attrs: { role: 'alert', 'data-testid': 'connection-banner' },
  });

  const serverNoticeText = h('span', { className: 'banner-text' });
  const reloadButton = h(
    'button',
    {
      className: 'banner-action',
      attrs: { type: 'button', 'data-testid': 'server-notice-reload' },
      on: { click: () => window.location.reload() },
    },
    'Reload the report',
  );
  const serverNotice = h(
    'p',
    { className: 'banner is-info', attrs: { role: 'status', 'data-testid': 'server-notice' } },
    serverNoticeText,
    reloadButton,
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

  /** Editable when the role may edit and the connection has not stopped for good. */
  const isEditable = () => session.canEdit && !session.notice?.fatal;
  let shownEditable: boolean | null = null;

  let shownAudience = '';
  const render = () => {
    if (!alive) return;
    const access = session.access;
    if (access) {
      // The comment controls follow the role (a change arrives without a reload).
      const audience = `${access.role}|${access.represents ?? ''}`;
      if (audience !== shownAudience) {
        shownAudience = audience;
        comments.render();
      }
      setCurrentGroup(access.report.groupId);
      if (!currentTitle) setTitle(access.report.title);
      consensus.renderLinks();
      const renamable = roleCan(access.role, 'createReport');
      if (renamable !== titleRenamable) {
        titleRenamable = renamable;
        replaceChildren(title, renamable ? titleButton : titleText);
      }
    }
    // Only write what changed: the indicator is an aria-live region.
    if (saveState.dataset['state'] !== session.saveState) {
      saveState.textContent = SAVE_STATE_TEXT[session.saveState];
      saveState.dataset['state'] = session.saveState;
    }
    readOnlyBadge.hidden = !session.readOnly;
    const helpText = !access
      ? ''
      : session.readOnly
        ? `You can read this report and follow the changes live. Your role (${roleAndState(access.role, access.represents)}) cannot edit the text.`
        : EDIT_HELP;
    if (help.textContent !== helpText) help.textContent = helpText;

    const notice = session.notice;
    if (notice) {
      if (bannerText.textContent !== notice.text) bannerText.textContent = notice.text;
      bannerText.classList.toggle('is-fatal', notice.fatal);
      if (!bannerText.isConnected) banner.append(bannerText);
    } else {
      bannerText.remove();
    }
    const sn = session.serverNotice;
    if (sn) {
      serverNoticeText.textContent = sn.message;
      // Refused changes stay on this page only: reloading shows what the server has.
      reloadButton.hidden = sn.code !== 'read-only' && sn.code !== 'foreign-client-id';
      serverNotice.dataset['code'] = sn.code;
      if (!serverNotice.isConnected) banner.append(serverNotice);
    } else {
      serverNotice.remove();
    }
    if (!view && session.hasSynced && access) {
      placeholder.remove();
      const me = currentMe();
      if (me) session.threads.setUser(me.user.id);
      view = createEditor(sheet, session, isEditable, [
        badgesPlugin((paragraphId) => comments.showParagraph(paragraphId)),
        keymap({ 'Mod-Alt-m': () => comments.openForm() }),
        ...consensus.plugins(),
        new Plugin({
          view: () => ({
            update: (v, prev) => {
              if (v.state.doc !== prev.doc) comments.docChanged();
            },
          }),
        }),
      ]);
      shownEditable = isEditable();
      comments.render();
      consensus.viewReady(view);
    } else if (!view && notice?.fatal) {
      placeholder.textContent = '';
    }
    const editable = isEditable();
    if (view && editable !== shownEditable) {
      shownEditable = editable;
      view.setProps({});
    }
    sheet.classList.toggle('is-read-only', view !== null && !editable);
  };
  const unsubscribe = session.subscribe(render);
  render();

  return () => {
    alive = false;
    unsubscribe();
    presence.destroy();
    comments.destroy();
    consensus.destroy();
    stopInbox();
    stopJumper();
    view?.destroy();
    view = null;
    bannerText.remove();
    serverNotice.remove();
    closeSession(session);
  };
}
