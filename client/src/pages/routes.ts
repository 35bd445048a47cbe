/** Hash routes: `#/` the report list, `#/r/<reportId>` a report. */

export type Route = { name: 'list' } | { name: 'report'; reportId: string } | { name: 'notFound' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { name: 'list' };
  const match = /^\/r\/([^/?#]+)\/?$/.exec(path);
  if (match) return { name: 'report', reportId: decodeURIComponent(match[1]!) };
  return { name: 'notFound' };
}

export function reportHref(reportId: string): string {
  return `#/r/${encodeURIComponent(reportId)}`;
}

export const LIST_HREF = '#/';
