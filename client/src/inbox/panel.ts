/**
 * The inbox in the header: a button with the unread count ("Inbox 3") that opens a list of the
 * user's mentions and replies to their threads, newest first, unread ones emphasized. Choosing
 * an item marks it read and opens its report at the thread. User text goes in as text nodes.
 */
import type { InboxItem } from '../../../shared/comments.js';
import { errorMessage } from '../api.js';
import { roleAndState } from '../identity.js';
import { reportHref } from '../pages/routes.js';
import { h, replaceChildren } from '../ui/dom.js';
import type { InboxStore } from './store.js';

const REASON_TEXT: Record<InboxItem['reason'], string> = {
  mention: 'mentioned you',
  reply: 'replied to your thread',
};

function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The header's inbox control; `go` opens a "#/…" address. Hidden while nobody is signed in
 * (the store is stopped then and has not loaded).
 */
export function inboxControl(store: InboxStore, go: (href: string) => void): HTMLElement {
  const button = h('button', {
    className: 'inbox-count',
    attrs: {
      type: 'button',
      'data-testid': 'inbox-count',
      'aria-haspopup': 'dialog',
      'aria-expanded': 'false',
      title: 'Mentions of you and replies to your threads',
    },
  });
  const status = h('span', { className: 'inbox-status', attrs: { role: 'status' } });
  const list = h('ol', { className: 'inbox-list', attrs: { 'data-testid': 'inbox-list' } });
  const error = h('p', { className: 'form-error', attrs: { role: 'alert' } });
  const readAll = h(
    'button',
    { className: 'inbox-read-all', attrs: { type: 'button', 'data-testid': 'inbox-read-all' } },
    'Mark all read',
  );
  const panel = h(
    'section',
    {
      className: 'inbox-panel',
      attrs: { 'data-testid': 'inbox-panel', role: 'dialog', 'aria-label': 'Inbox' },
    },
    h(
      'header',
      { className: 'inbox-head' },
      h('h2', { className: 'inbox-title' }, 'Mentions and replies'),
      readAll,
    ),
    error,
    list,
  );
  panel.hidden = true;
  const root = h('div', { className: 'inbox', attrs: { 'data-testid': 'inbox' } }, button, status);
  root.append(panel);

  const setOpen = (open: boolean) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      render();
      void store.refresh();
    }
  };

  const fail = (e: unknown) => {
    error.textContent = errorMessage(e);
  };

  const choose = (item: InboxItem) => {
    setOpen(false);
    error.textContent = '';
    if (item.unread) store.markRead(item.messageId).catch(() => {});
    if (!store.jump(item.reportId, item.threadId)) go(reportHref(item.reportId, item.threadId));
  };

  const itemElement = (item: InboxItem): HTMLElement => {
    const who = roleAndState(item.author.role, item.author.represents);
    const open = h(
      'a',
      {
        className: 'inbox-open',
        attrs: { href: reportHref(item.reportId, item.threadId), 'data-testid': 'inbox-open' },
        on: {
          click: (event) => {
            event.preventDefault();
            choose(item);
          },
        },
      },
      h(
        'span',
        { className: 'inbox-line' },
        h('strong', { className: 'inbox-author' }, item.author.name),
        who ? h('span', { className: 'inbox-state' }, ` (${who})`) : null,
        ` ${REASON_TEXT[item.reason]}`,
        item.unread
          ? h(
              'span',
              { className: 'tag is-unread', attrs: { 'data-testid': 'inbox-unread' } },
              'New',
            )
          : null,
      ),
      h(
        'span',
        { className: 'inbox-report', attrs: { 'data-testid': 'inbox-report' } },
        item.reportTitle,
      ),
      h(
        'span',
        { className: 'inbox-excerpt', attrs: { 'data-testid': 'inbox-excerpt' } },
        item.excerpt,
      ),
      h(
        'time',
        { className: 'inbox-time', attrs: { datetime: item.createdAt } },
        when(item.createdAt),
      ),
    );
    const markRead = item.unread
      ? h(
          'button',
          {
            className: 'inbox-mark-read',
            attrs: { type: 'button', 'data-testid': 'inbox-mark-read', title: 'Mark read' },
            on: {
              click: () => {
                error.textContent = '';
                store.markRead(item.messageId).catch(fail);
              },
            },
          },
          'Mark read',
        )
      : null;
    return h(
      'li',
      {
        className: `inbox-item${item.unread ? ' is-unread' : ''}`,
        attrs: {
          'data-testid': 'inbox-item',
          'data-reason': item.reason,
          'data-unread': item.unread ? 'true' : 'false',
          'data-thread-id': item.threadId,
        },
      },
      open,
      markRead,
    );
  };

  let shown = '';
  const render = () => {
    root.hidden = !store.loaded;
    button.textContent = `Inbox ${store.unread}`;
    button.classList.toggle('is-unread', store.unread > 0);
    const said = store.unread === 1 ? '1 unread item' : `${store.unread} unread items`;
    if (status.textContent !== said) status.textContent = said;
    readAll.disabled = store.unread === 0;
    if (panel.hidden) return;
    const key = JSON.stringify(store.items);
    if (key === shown && list.childElementCount > 0) return;
    shown = key;
    if (store.items.length === 0) {
      replaceChildren(
        list,
        h(
          'li',
          { className: 'muted inbox-empty' },
          'Nothing yet: mentions of you and replies to your threads appear here.',
        ),
      );
      return;
    }
    replaceChildren(list, ...store.items.map(itemElement));
  };

  button.addEventListener('click', () => setOpen(panel.hidden));
  readAll.addEventListener('click', () => {
    error.textContent = '';
    store.markAllRead().catch(fail);
  });
  document.addEventListener('click', (event) => {
    if (!panel.hidden && !root.contains(event.target as Node)) setOpen(false);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  window.addEventListener('hashchange', () => setOpen(false));
  store.subscribe(render);
  render();
  return root;
}
