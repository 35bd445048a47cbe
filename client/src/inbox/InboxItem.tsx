/** One inbox entry: who, why, which report, the excerpt and when; "Mark read" while unread. */
import type { InboxItem as Item } from '../../../shared/comments.js';
import { reportHref } from '../app/routes.js';
import { roleAndState } from '../identity.js';

const REASON_TEXT: Record<Item['reason'], string> = {
  mention: 'mentioned you',
  reply: 'replied to your thread',
  'silence-adopted': 'ran a silence procedure that passed: adopted',
  'silence-broken': 'broke silence',
};

function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function InboxItem(props: {
  item: Item;
  onOpen(item: Item): void;
  onMarkRead(item: Item): void;
}) {
  const { item } = props;
  const who = roleAndState(item.author.role, item.author.represents);
  return (
    <li
      class={`inbox-item${item.unread ? ' is-unread' : ''}`}
      data-testid="inbox-item"
      data-reason={item.reason}
      data-unread={item.unread ? 'true' : 'false'}
      data-thread-id={item.threadId ?? undefined}
    >
      <a
        class="inbox-open"
        href={reportHref(item.reportId, item.threadId)}
        data-testid="inbox-open"
        onClick={(event) => {
          event.preventDefault();
          props.onOpen(item);
        }}
      >
        <span class="inbox-line">
          <strong class="inbox-author">{item.author.name}</strong>
          {who ? <span class="inbox-state">{` (${who})`}</span> : null}
          {` ${REASON_TEXT[item.reason]}`}
          {item.paragraph ? (
            <span data-testid="inbox-paragraph">{` in paragraph ${item.paragraph}`}</span>
          ) : null}
          {'. '}
          {item.unread ? (
            <span class="tag is-unread" data-testid="inbox-unread">
              New
            </span>
          ) : null}
        </span>{' '}
        <span class="inbox-report" data-testid="inbox-report">
          {item.reportTitle}
        </span>{' '}
        <span class="inbox-excerpt" data-testid="inbox-excerpt">
          {item.excerpt}
        </span>{' '}
        <time class="inbox-time" dateTime={item.createdAt}>
          {when(item.createdAt)}
        </time>
      </a>{' '}
      {item.unread ? (
        <button
          class="inbox-mark-read"
          type="button"
          data-testid="inbox-mark-read"
          title="Mark read"
          onClick={() => props.onMarkRead(item)}
        >
          Mark read
        </button>
      ) : null}
    </li>
  );
}
