/** A comment or reply on its way: "Sending…", or "Not sent" with Retry and Discard. */
import type { PendingSend, ThreadStore } from './store.js';

export function PendingSendItem(props: { send: PendingSend; store: ThreadStore }) {
  const { send, store } = props;
  return (
    <div class={`comment-pending is-${send.state}`} data-testid="pending-send">
      <p class="comment-body">{send.body}</p>
      {send.state === 'sending' ? (
        <p class="muted">Sending…</p>
      ) : (
        <p class="comment-error" role="alert">
          <span>Not sent — </span>
          <button type="button" data-testid="pending-retry" onClick={() => void store.retry(send)}>
            Retry
          </button>
          <button type="button" data-testid="pending-discard" onClick={() => store.discard(send)}>
            Discard
          </button>
          <span class="muted">{` ${send.error}`}</span>
        </p>
      )}
    </div>
  );
}
