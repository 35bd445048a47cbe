/**
 * The shell: boot (who is signed in), the login guard, and the page the hash names. Each route
 * gets a fresh page (keyed by the address), as a page's lifetime is its route's.
 */
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, getMe } from '../api.js';
import { currentMe, refreshMe } from '../auth.js';
import { inbox } from '../inbox/store.js';
import { AccountPage } from '../pages/AccountPage.js';
import { BoardPage } from '../pages/BoardPage.js';
import { GroupPage } from '../pages/GroupPage.js';
import { HomePage } from '../pages/HomePage.js';
import { InvitePage } from '../pages/InvitePage.js';
import { LoginPage } from '../pages/LoginPage.js';
import { ReportPage } from '../pages/ReportPage.js';
import { ComparePage, RevisionPage, RevisionsPage } from '../pages/RevisionsPage.js';
import { SetupPage } from '../pages/SetupPage.js';
import { hasUnsavedChanges } from '../sync/session.js';
import { startedAs } from './account.js';
import { Frame } from './Frame.js';
import { currentPath, followBrowser, go, hash } from './navigation.js';
import { LIST_HREF, loginHref, PUBLIC_ROUTES, parseRoute, type Route } from './routes.js';

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'report':
      return <ReportPage reportId={route.reportId} threadId={route.threadId} />;
    case 'board':
      return <BoardPage reportId={route.reportId} view={route.view} />;
    case 'revisions':
      return route.revisionId ? (
        <RevisionPage reportId={route.reportId} revisionId={route.revisionId} />
      ) : (
        <RevisionsPage reportId={route.reportId} />
      );
    case 'compare':
      return <ComparePage reportId={route.reportId} from={route.from} to={route.to} />;
    case 'list':
      return <HomePage />;
    case 'group':
      return <GroupPage groupId={route.groupId} />;
    case 'account':
      return <AccountPage />;
    case 'login':
      return <LoginPage next={route.next} />;
    case 'setup':
      return <SetupPage token={route.token} />;
    case 'invite':
      return <InvitePage token={route.token} />;
    default:
      return (
        <Frame>
          <div class="page">
            <h1>Page not found</h1>
            <p>
              <a href={LIST_HREF}>Back to the reports</a>
            </p>
          </div>
        </Frame>
      );
  }
}

/** Where a route must go instead (the login guard), or null to show it. */
function redirectFor(route: Route): string | null {
  const me = currentMe();
  if (!me && !PUBLIC_ROUTES.has(route.name)) return loginHref(currentPath());
  if (me && route.name === 'login') return `#${route.next ?? '/'}`;
  return null;
}

type Boot = { state: 'loading' } | { state: 'ready' } | { state: 'failed'; error: unknown };

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });

  const start = () => {
    setBoot({ state: 'loading' });
    getMe()
      .then((me) => {
        startedAs(me);
        setBoot({ state: 'ready' });
      })
      .catch((error: unknown) => setBoot({ state: 'failed', error }));
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: boots once; `start` is also the retry.
  useEffect(() => {
    start();
    // Roles may have changed since the last page: the header catches up in the background.
    const stop = followBrowser(() => {
      if (currentMe()) {
        void refreshMe();
        inbox.nudge();
      }
    });
    // Nothing typed may be lost silently: warn while the server has not confirmed our changes.
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (!hasUnsavedChanges()) return;
      event.preventDefault();
      // Older browsers need returnValue set to show the dialog.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      stop();
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, []);

  // The inbox polls while someone is signed in, and starts afresh for another account.
  const userId = currentMe()?.user.id ?? null;
  useEffect(() => {
    inbox.stop();
    if (userId) inbox.start();
  }, [userId]);

  const address = hash.value;
  const route = parseRoute(address);
  const redirect = boot.state === 'ready' ? redirectFor(route) : null;
  useEffect(() => {
    if (redirect) go(redirect, true);
  }, [redirect]);

  if (boot.state === 'loading') {
    return (
      <Frame>
        <p class="page muted">Loading…</p>
      </Frame>
    );
  }
  if (boot.state === 'failed') {
    return (
      <Frame>
        <div class="page narrow-page">
          <p class="banner is-fatal" role="alert">
            {`Concord cannot start: ${errorMessage(boot.error)}`}
          </p>
          <button class="primary" type="button" onClick={start}>
            Try again
          </button>
        </div>
      </Frame>
    );
  }
  if (redirect) return null;
  return <Page key={address} route={route} />;
}
