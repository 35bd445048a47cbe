/** Concord in the browser: the shell (header, name field), hash routing and the pages. */
import 'prosemirror-view/style/prosemirror.css';
import './styles.css';
import { getMe } from './api.js';
import {
  currentUser,
  nameFromAccount,
  onUserChange,
  setUserName,
  USER_NAME_MAX,
  useAccount,
} from './identity.js';
import type { PageContext } from './pages/context.js';
import { reportEditorPage } from './pages/reportEditor.js';
import { reportListPage } from './pages/reportList.js';
import { LIST_HREF, parseRoute } from './pages/routes.js';
import { hasUnsavedChanges } from './sync/session.js';
import { h, replaceChildren } from './ui/dom.js';

function nameField(): HTMLElement {
  const input = h('input', {
    attrs: {
      id: 'user-name',
      type: 'text',
      maxlength: USER_NAME_MAX,
      autocomplete: 'nickname',
      placeholder: 'Your name',
      title: 'Your name, as others see it',
      'data-testid': 'user-name',
    },
  });
  input.value = currentUser().name;
  const swatch = h('span', { className: 'user-swatch', attrs: { 'aria-hidden': 'true' } });
  const paint = () => {
    swatch.style.backgroundColor = currentUser().color;
    if (nameFromAccount()) {
      // Signed in: the server shows the account's name to others, so that is the name.
      input.value = currentUser().name;
      input.readOnly = true;
      input.title = 'The name of your account';
    }
  };
  paint();
  onUserChange(paint);
  void getMe().then((me) => {
    if (me) useAccount(me.user);
  });
  input.addEventListener('input', () => setUserName(input.value));
  input.addEventListener('change', () => {
    // An emptied field goes back to the name in use.
    if (!input.value.trim()) input.value = currentUser().name;
  });
  return h(
    'div',
    { className: 'user-field' },
    swatch,
    h('label', { className: 'user-label', attrs: { for: 'user-name' } }, 'Your name'),
    input,
  );
}

function start(root: HTMLElement): void {
  const headerMain = h('div', { className: 'header-main' });
  const headerAside = h('div', { className: 'header-aside' });
  const banner = h('div', { className: 'banner-slot' });
  const main = h('main', { className: 'app-main' });
  replaceChildren(
    root,
    h(
      'header',
      { className: 'app-header' },
      h('a', { className: 'brand', attrs: { href: LIST_HREF } }, 'Concord'),
      headerMain,
      headerAside,
      nameField(),
    ),
    banner,
    main,
  );
  const context: PageContext = { main, headerMain, headerAside, banner };

  let cleanup: (() => void) | null = null;
  const route = () => {
    cleanup?.();
    cleanup = null;
    replaceChildren(headerMain);
    replaceChildren(headerAside);
    replaceChildren(banner);
    replaceChildren(main);
    document.title = 'Concord';
    const r = parseRoute(window.location.hash);
    if (r.name === 'report') cleanup = reportEditorPage(context, r.reportId);
    else if (r.name === 'list') cleanup = reportListPage(context);
    else {
      replaceChildren(
        main,
        h(
          'div',
          { className: 'page' },
          h('h1', null, 'Page not found'),
          h('p', null, h('a', { attrs: { href: LIST_HREF } }, 'Back to the reports')),
        ),
      );
    }
  };
  window.addEventListener('hashchange', route);
  route();

  // Nothing typed may be lost silently: warn while the server has not confirmed our changes.
  window.addEventListener('beforeunload', (event) => {
    if (!hasUnsavedChanges()) return;
    event.preventDefault();
    // Older browsers need returnValue set to show the dialog.
    event.returnValue = '';
  });
}

const root = document.getElementById('app');
if (root) start(root);
