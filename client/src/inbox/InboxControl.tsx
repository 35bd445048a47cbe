/**
 * The inbox in the header: a button with the unread count ("Inbox 3") that opens a list of the
 * user's mentions and replies to their threads, newest first, unread ones emphasized. Choosing
 * an item marks it read and opens its report at the thread. Hidden until the store has loaded
 * (nobody signed in: the store is stopped).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { InboxItem as Item } from '../../../shared/comments.js';
import { errorMessage } from '../api.js';
import { go } from '../app/navigation.js';
import { reportHref } from '../app/routes.js';
import { InboxItem } from './InboxItem.js';
import { inbox } from './store.js';

export function InboxControl() {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  const show = (next: boolean) => {
    setOpen(next);
    if (next) void inbox.refresh();
  };

  // Closed by a click elsewhere, or Escape (the focus goes back to the button).
  useEffect(() => {
    if (!open) return;
    const onClick = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const fail = (e: unknown) => setError(errorMessage(e));
  const choose = (item: Item) => {
    setOpen(false);
    setError('');
    if (item.unread) inbox.markRead(item.messageId).catch(() => {});
    // A silence outcome has no thread: it opens the report.
    if (!item.threadId || !inbox.jump(item.reportId, item.threadId))
      go(reportHref(item.reportId, item.threadId));
  };

  const unread = inbox.unread;
  const items = inbox.items;
  return (
    <div class="inbox" data-testid="inbox" ref={root} hidden={!inbox.loaded}>
      <button
        ref={button}
        class={`inbox-count${unread > 0 ? ' is-unread' : ''}`}
        type="button"
        data-testid="inbox-count"
        aria-haspopup="dialog"
        aria-expanded={open ? 'true' : 'false'}
        title="Mentions of you and replies to your threads"
        onClick={() => show(!open)}
      >
        {`Inbox ${unread}`}
      </button>
      <span class="inbox-status" role="status">
        {unread === 1 ? '1 unread item' : `${unread} unread items`}
      </span>
      <section
        class="inbox-panel"
        data-testid="inbox-panel"
        role="dialog"
        aria-label="Inbox"
        hidden={!open}
      >
        <header class="inbox-head">
          <h2 class="inbox-title">Mentions and replies</h2>
          <button
            class="inbox-read-all"
            type="button"
            data-testid="inbox-read-all"
            disabled={unread === 0}
            onClick={() => {
              setError('');
              inbox.markAllRead().catch(fail);
            }}
          >
            Mark all read
          </button>
        </header>
        <p class="form-error" role="alert">
          {error}
        </p>
        <ol class="inbox-list" data-testid="inbox-list">
          {!open ? null : items.length === 0 ? (
            <li class="muted inbox-empty">
              Nothing yet: mentions of you and replies to your threads appear here.
            </li>
          ) : (
            items.map((item) => (
              <InboxItem
                key={`${item.messageId}:${item.reason}`}
                item={item}
                onOpen={choose}
                onMarkRead={(i) => {
                  setError('');
                  inbox.markRead(i.messageId).catch(fail);
                }}
              />
            ))
          )}
        </ol>
      </section>
    </div>
  );
}
