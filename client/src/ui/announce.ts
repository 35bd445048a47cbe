/**
 * Messages for screen readers: one polite live region for the whole page (visually hidden).
 * Say something that changed where the user is not looking (a paragraph locked by someone
 * else, a silence broken) or how a key behaves now (Escape, then Tab leaves the text).
 */

let region: HTMLElement | null = null;

function liveRegion(): HTMLElement {
  if (region?.isConnected) return region;
  region = document.createElement('div');
  region.className = 'sr-only';
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  region.dataset['testid'] = 'announcer';
  document.body.append(region);
  return region;
}

/** Announces `text` (the same text twice in a row is announced twice). */
export function announce(text: string): void {
  const el = liveRegion();
  // A change of content is what a screen reader reads: clear first, then write.
  el.textContent = '';
  requestAnimationFrame(() => {
    el.textContent = text;
  });
}
