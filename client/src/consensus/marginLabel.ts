/**
 * A paragraph's status in the margin: a button (a ProseMirror widget, so plain DOM) that opens
 * the paragraph card. Its text is drawn by CSS from `data-label`: the paragraph's text stays
 * untouched.
 */
import type { StatusLabel } from './plugin.js';

export function marginLabel(
  label: StatusLabel,
  onClick: (paragraphId: string) => void,
): HTMLElement {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = `para-status status-${label.status}${label.silenced ? ' is-silenced' : ''}`;
  el.contentEditable = 'false';
  el.title = label.title;
  el.setAttribute('aria-label', `Status: ${label.title}`);
  el.dataset['testid'] = 'para-status';
  el.dataset['status'] = label.status;
  el.dataset['label'] = label.label;
  el.dataset['paragraphId'] = label.paragraphId;
  if (label.locked) el.dataset['locked'] = 'true';
  el.addEventListener('mousedown', (e) => e.preventDefault());
  el.addEventListener('click', (e) => {
    e.preventDefault();
    onClick(label.paragraphId);
  });
  return el;
}
