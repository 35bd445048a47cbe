/** A margin badge's element: the count drawn by CSS from `data-count`, a click opens the threads. */
import type { BadgeInfo } from './badges.js';

export function badgeElement(
  paragraphId: string,
  badge: BadgeInfo,
  onClick: (paragraphId: string) => void,
): HTMLElement {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = badge.unread ? 'comment-badge is-unread' : 'comment-badge';
  el.contentEditable = 'false';
  el.dataset['count'] = String(badge.open);
  el.dataset['paragraphId'] = paragraphId;
  el.dataset['testid'] = 'comment-badge';
  el.setAttribute('data-testid', 'comment-badge');
  el.setAttribute(
    'aria-label',
    `${badge.open} open thread${badge.open === 1 ? '' : 's'}${badge.unread ? ', unread messages' : ''}`,
  );
  el.addEventListener('mousedown', (e) => e.preventDefault());
  el.addEventListener('click', (e) => {
    e.preventDefault();
    onClick(paragraphId);
  });
  return el;
}
