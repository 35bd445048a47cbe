/**
 * Hash routes:
 *   #/                 home: my groups and their reports
 *   #/r/<reportId>     a report (?thread=<threadId>: opened at that comment thread)
 *   #/r/<reportId>/board   its consensus board (…/matrix: the chair's positions matrix)
 *   #/r/<reportId>/revisions[/<revisionId>]   its revisions; one revision read-only
 *   #/r/<reportId>/compare/<from>/<to>   two revisions compared (<to> "live": the text now)
 *   #/g/<groupId>      a group's members (and, for chair and secretariat, their management)
 *   #/account          my account (change password)
 *   #/login[?next=…]   log in (then go to `next`, a route of this list)
 *   #/setup/<token>    first start: create the first account and group
 *   #/invite/<token>   accept an invitation
 */

/** The two views of a report's consensus board. */
export type BoardView = 'board' | 'matrix';

export type Route =
  | { name: 'list' }
  | { name: 'report'; reportId: string; threadId: string | null }
  | { name: 'board'; reportId: string; view: BoardView }
  | { name: 'revisions'; reportId: string; revisionId: string | null }
  | { name: 'compare'; reportId: string; from: string; to: string }
  | { name: 'group'; groupId: string }
  | { name: 'account' }
  | { name: 'login'; next: string | null }
  | { name: 'setup'; token: string }
  | { name: 'invite'; token: string }
  | { name: 'notFound' };

/** Routes anyone may open without being logged in. */
export const PUBLIC_ROUTES: ReadonlySet<Route['name']> = new Set(['login', 'setup', 'invite']);

function param(match: RegExpExecArray): string {
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  if (path === '/' || path === '') return { name: 'list' };
  let match = /^\/r\/([^/?#]+)\/?$/.exec(path);
  if (match) {
    const thread = new URLSearchParams(query).get('thread');
    return { name: 'report', reportId: param(match), threadId: thread || null };
  }
  match = /^\/r\/([^/?#]+)\/(board|matrix)\/?$/.exec(path);
  if (match) return { name: 'board', reportId: param(match), view: match[2] as BoardView };
  match = /^\/r\/([^/?#]+)\/revisions(?:\/([^/?#]+))?\/?$/.exec(path);
  if (match)
    return {
      name: 'revisions',
      reportId: param(match),
      revisionId: match[2] ? decodeURIComponent(match[2]) : null,
    };
  match = /^\/r\/([^/?#]+)\/compare\/([^/?#]+)\/([^/?#]+)\/?$/.exec(path);
  if (match)
    return {
      name: 'compare',
      reportId: param(match),
      from: decodeURIComponent(match[2]!),
      to: decodeURIComponent(match[3]!),
    };
  match = /^\/g\/([^/?#]+)\/?$/.exec(path);
  if (match) return { name: 'group', groupId: param(match) };
  if (path === '/account') return { name: 'account' };
  if (path === '/login') {
    const next = new URLSearchParams(query).get('next');
    // Only a path of this app (no scheme, no host): anything else is ignored.
    return { name: 'login', next: next && /^\/[^/\\]/.test(next) ? next : null };
  }
  match = /^\/setup\/([^/?#]+)\/?$/.exec(path);
  if (match) return { name: 'setup', token: param(match) };
  match = /^\/invite\/([^/?#]+)\/?$/.exec(path);
  if (match) return { name: 'invite', token: param(match) };
  return { name: 'notFound' };
}

/** A report; with `threadId`, opened at that comment thread. */
export function reportHref(reportId: string, threadId?: string | null): string {
  const thread = threadId ? `?thread=${encodeURIComponent(threadId)}` : '';
  return `#/r/${encodeURIComponent(reportId)}${thread}`;
}

/** A report's consensus board, or its positions matrix. */
export function boardHref(reportId: string, view: BoardView = 'board'): string {
  return `#/r/${encodeURIComponent(reportId)}/${view}`;
}

/** A report's revisions, or one of them read-only. */
export function revisionsHref(reportId: string): string {
  return `#/r/${encodeURIComponent(reportId)}/revisions`;
}

export function revisionHref(reportId: string, revisionId: string): string {
  return `${revisionsHref(reportId)}/${encodeURIComponent(revisionId)}`;
}

/** Two revisions compared; `to` 'live' is the text now. */
export function compareHref(reportId: string, from: string, to: string): string {
  return `#/r/${encodeURIComponent(reportId)}/compare/${encodeURIComponent(from)}/${encodeURIComponent(to)}`;
}

export function groupHref(groupId: string): string {
  return `#/g/${encodeURIComponent(groupId)}`;
}

/** The login page; `next` is the route to open afterwards (a hash path like "/r/abc"). */
export function loginHref(next?: string | null): string {
  return next && next !== '/' ? `#/login?next=${encodeURIComponent(next)}` : '#/login';
}

export const LIST_HREF = '#/';
export const ACCOUNT_HREF = '#/account';
