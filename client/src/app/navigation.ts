/**
 * Where the page is: the hash route as a signal. `go` opens an address now (not on the next
 * hashchange event); the browser's own navigation (links, back, forward) arrives through
 * hashchange.
 */
import { signal } from '@preact/signals';

function currentHash(): string {
  return window.location.hash || '#/';
}

/** The current hash ("#/r/abc"); the shell renders the page it names. */
export const hash = signal(currentHash());

/** The route part of the address ("/r/abc" for "#/r/abc"). */
export function currentPath(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

/** Opens `href` (a "#/…" address); `replace` keeps it out of the history. */
export function go(href: string, replace = false): void {
  if (window.location.hash !== href) {
    if (replace) window.history.replaceState(null, '', href);
    else window.history.pushState(null, '', href);
  }
  hash.value = currentHash();
}

/** Follows the browser's navigation; `onNavigate` runs first (the shell refreshes the account). */
export function followBrowser(onNavigate: () => void): () => void {
  const listener = () => {
    if (currentHash() === hash.peek()) return;
    onNavigate();
    hash.value = currentHash();
  };
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}
