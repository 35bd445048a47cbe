/**
 * Concord in the browser: the shell (header with the account menu), hash routing with a login
 * guard, and the pages.
 */
import 'prosemirror-view/style/prosemirror.css';
import './styles.css';
import type { Me } from '../../shared/api.js';
import { errorMessage, getMe, logout, setUnauthorizedHandler } from './api.js';
import {
  currentMe,
  currentMembership,
  onAuthChange,
  refreshMe,
  setCurrentGroup,
  setLoginNotice,
  setMe,
} from './auth.js';
import { roleAndState } from './identity.js';
import { inboxControl } from './inbox/panel.js';
import { inbox } from './inbox/store.js';
import { accountPage } from './pages/account.js';
import { boardPage } from './pages/board.js';
import type { PageContext } from './pages/context.js';
import { groupPage } from './pages/group.js';
import { homePage } from './pages/home.js';
import { invitePage } from './pages/invite.js';
import { loginPage } from './pages/login.js';
import { reportEditorPage } from './pages/reportEditor.js';
import { ACCOUNT_HREF, LIST_HREF, loginHref, PUBLIC_ROUTES, parseRoute } from './pages/routes.js';
import { setupPage } from './pages/setup.js';
import { dropSessions, hasUnsavedChanges, resumeSessions } from './sync/session.js';
import { h, replaceChildren } from './ui/dom.js';

/** The route part of the address ("/r/abc" for "#/r/abc"). */
function currentPath(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

/** The account menu at the right of the header: name, role and State, log out. */
function accountMenu(onLogout: () => void): HTMLElement {
  const slot = h('div', { className: 'account', attrs: { 'data-testid': 'account' } });
  const details = h('details', { className: 'account-menu' });
  let confirmLogout = false;

  const render = () => {
    const me = currentMe();
    if (!me) {
      slot.hidden = true;
      replaceChildren(slot);
      return;
    }
    slot.hidden = false;
    const group = currentMembership();
    const swatch = h('span', { className: 'user-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.backgroundColor = me.user.color;
    const role = group ? roleAndState(group.role, group.represents) : '';
    const summary = h(
      'summary',
      {
        attrs: {
          title: group ? `${me.user.displayName} — ${role} in ${group.name}` : me.user.displayName,
        },
      },
      swatch,
      h(
        'span',
        { className: 'account-text' },
        h(
          'span',
          { className: 'account-name', attrs: { 'data-testid': 'account-name' } },
          me.user.displayName,
        ),
        role
          ? h('span', { className: 'account-role', attrs: { 'data-testid': 'account-role' } }, role)
          : null,
      ),
    );
    const logoutButton = h(
      'button',
      { className: 'menu-item', attrs: { type: 'button', 'data-testid': 'logout' } },
      'Log out',
    );
    confirmLogout = false;
    logoutButton.addEventListener('click', () => {
      if (hasUnsavedChanges() && !confirmLogout) {
        confirmLogout = true;
        logoutButton.textContent = 'Changes not saved yet: log out anyway?';
        return;
      }
      details.open = false;
      onLogout();
    });
    replaceChildren(
      details,
      summary,
      h(
        'div',
        { className: 'menu', attrs: { role: 'menu' } },
        h('p', { className: 'menu-email' }, me.user.email),
        group ? h('p', { className: 'menu-group' }, `${role} in ${group.name}`) : null,
        h(
          'a',
          { className: 'menu-item', attrs: { href: ACCOUNT_HREF, 'data-testid': 'account-link' } },
          'My account and password',
        ),
        logoutButton,
      ),
    );
    if (!details.isConnected) slot.append(details);
  };
  onAuthChange(render);
  render();
  // Close the menu on a click elsewhere, Escape, or navigation.
  document.addEventListener('click', (event) => {
    if (details.open && !details.contains(event.target as Node)) details.open = false;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && details.open) {
      details.open = false;
      details.querySelector('summary')?.focus();
    }
  });
  window.addEventListener('hashchange', () => {
    details.open = false;
  });
  return slot;
}

function start(root: HTMLElement): void {
  const headerMain = h('div', { className: 'header-main' });
  const headerAside = h('div', { className: 'header-aside' });
  const banner = h('div', { className: 'banner-slot' });
  const main = h('main', { className: 'app-main' });

  let lastUserId: string | null = null;
  let cleanup: (() => void) | null = null;
  let routed: string | null = null;

  /** Opens `href` (a "#/…" address) now, not on the next hashchange event. */
  const go = (href: string, replace = false) => {
    if (window.location.hash !== href) {
      if (replace) window.history.replaceState(null, '', href);
      else window.history.pushState(null, '', href);
    }
    route();
  };

  const signedIn = (me: Me, next?: string | null) => {
    if (lastUserId !== null && lastUserId !== me.user.id) dropSessions();
    else resumeSessions();
    lastUserId = me.user.id;
    setLoginNotice(null);
    setMe(me);
    go(`#${next ?? '/'}`);
  };

  const doLogout = async () => {
    try {
      await logout();
    } catch (e) {
      // Offline: the session stays valid on the server; say so rather than pretend.
      replaceChildren(
        banner,
        h(
          'p',
          { className: 'banner is-fatal', attrs: { role: 'alert' } },
          `Could not log out: ${errorMessage(e)}`,
        ),
      );
      return;
    }
    setMe(null);
    lastUserId = null;
    go('#/login');
    dropSessions();
  };

  const context: PageContext = { main, headerMain, headerAside, banner, signedIn };

  // The inbox polls while someone is signed in, and starts afresh for another account.
  let inboxUser: string | null = null;
  onAuthChange(() => {
    const id = currentMe()?.user.id ?? null;
    if (id === inboxUser) return;
    inbox.stop();
    inboxUser = id;
    if (id) inbox.start();
  });

  replaceChildren(
    root,
    h(
      'header',
      { className: 'app-header' },
      h('a', { className: 'brand', attrs: { href: LIST_HREF } }, 'Concord'),
      headerMain,
      headerAside,
      h(
        'div',
        { className: 'header-end' },
        inboxControl(inbox, (href) => go(href)),
        accountMenu(() => void doLogout()),
      ),
    ),
    banner,
    main,
  );

  // A request or the sync socket found the session gone: log in again, then come back here.
  setUnauthorizedHandler((message) => {
    if (!currentMe()) return;
    setMe(null);
    setLoginNotice(message);
    const path = currentPath();
    go(loginHref(parseRoute(`#${path}`).name === 'login' ? null : path), true);
  });

  function route(): void {
    const hash = window.location.hash || '#/';
    routed = hash;
    cleanup?.();
    cleanup = null;
    replaceChildren(headerMain);
    replaceChildren(headerAside);
    replaceChildren(banner);
    replaceChildren(main);
    document.title = 'Concord';
    setCurrentGroup(null);
    const r = parseRoute(hash);
    const me = currentMe();
    if (!me && !PUBLIC_ROUTES.has(r.name)) {
      go(loginHref(currentPath()), true);
      return;
    }
    if (me && r.name === 'login') {
      go(`#${r.next ?? '/'}`, true);
      return;
    }
    switch (r.name) {
      case 'report':
        cleanup = reportEditorPage(context, r.reportId, r.threadId);
        break;
      case 'board':
        cleanup = boardPage(context, r.reportId, r.view);
        break;
      case 'list':
        cleanup = homePage(context);
        break;
      case 'group':
        cleanup = groupPage(context, r.groupId);
        break;
      case 'account':
        cleanup = accountPage(context);
        break;
      case 'login':
        cleanup = loginPage(context, r.next);
        break;
      case 'setup':
        cleanup = setupPage(context, r.token);
        break;
      case 'invite':
        cleanup = invitePage(context, r.token);
        break;
      default:
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
  }

  window.addEventListener('hashchange', () => {
    if ((window.location.hash || '#/') === routed) return;
    // Roles may have changed since the last page: the header catches up in the background.
    if (currentMe()) {
      void refreshMe();
      inbox.nudge();
    }
    route();
  });

  // Nothing typed may be lost silently: warn while the server has not confirmed our changes.
  window.addEventListener('beforeunload', (event) => {
    if (!hasUnsavedChanges()) return;
    event.preventDefault();
    // Older browsers need returnValue set to show the dialog.
    event.returnValue = '';
  });

  const boot = () => {
    replaceChildren(main, h('p', { className: 'page muted' }, 'Loading…'));
    getMe()
      .then((me) => {
        lastUserId = me?.user.id ?? null;
        setMe(me);
        route();
      })
      .catch((e) => {
        const retry = h('button', { className: 'primary', attrs: { type: 'button' } }, 'Try again');
        retry.addEventListener('click', boot);
        replaceChildren(
          main,
          h(
            'div',
            { className: 'page narrow-page' },
            h(
              'p',
              { className: 'banner is-fatal', attrs: { role: 'alert' } },
              `Concord cannot start: ${errorMessage(e)}`,
            ),
            retry,
          ),
        );
      });
  };
  boot();
}

const root = document.getElementById('app');
if (root) start(root);
