/**
 * The threads the filters let through, in document order, each labelled with its paragraph's
 * current number; new threads on their way first. Each card gets only what it shows.
 * Only the first `state.shown` cards are drawn (and the open one): a report with hundreds of
 * threads would otherwise put tens of thousands of elements on the page. More are drawn as the
 * end of the list scrolls into view, or with the "Show more" button.
 */
import { useEffect, useRef } from 'preact/hooks';
import { numberMoved } from '../../../shared/compare.js';
import { lastRevision } from '../revisions/lastRevision.js';
import { type CommentsState, THREAD_PAGE } from './CommentsState.js';
import { inDocumentOrder, passes } from './model.js';
import { PendingSendItem } from './PendingSendItem.js';
import type { PendingSend } from './store.js';
import { ThreadCard } from './ThreadCard.js';

const NONE: readonly PendingSend[] = [];

export function ThreadList({ state }: { state: CommentsState }) {
  const { store } = state;
  const index = state.editor.index.value;
  const only = state.paragraphFilter.value;
  const filter = state.filter.value;
  const userId = store.userId;
  const editing = state.editing.value?.messageId ?? null;
  const active = state.active.value;
  const members = state.members.value;
  const canComment = state.can('comment');
  const canResolveAny = state.can('resolveAnyThread');
  const canApply = state.can('applyProposal');
  const canDeleteOthers = state.can('deleteOthersMessages');

  const revision = lastRevision.value?.reportId === store.reportId ? lastRevision.value : null;
  const pending = store.pending;
  const newThreads = pending.filter(
    (send) => send.what === 'thread' && (!only || send.paragraphId === only),
  );
  const repliesByThread = new Map<string, PendingSend[]>();
  for (const send of pending) {
    if (send.what !== 'reply' || !send.threadId) continue;
    const list = repliesByThread.get(send.threadId) ?? [];
    list.push(send);
    repliesByThread.set(send.threadId, list);
  }
  const threads = inDocumentOrder(store.threads.values(), index).filter(
    (t) => (!only || t.paragraphId === only) && passes(t, filter, userId),
  );
  // The open thread is always drawn, with those before it.
  const activeAt = active ? threads.findIndex((t) => t.id === active) : -1;
  const limit = Math.max(state.shown.value, activeAt + 1);
  const hidden = Math.max(0, threads.length - limit);

  return (
    <div
      class="comment-list"
      data-testid="thread-list"
      ref={(el) => {
        state.list = el;
      }}
    >
      {newThreads.map((send) => (
        <PendingSendItem key={send.key} send={send} store={store} />
      ))}
      {threads.slice(0, limit).map((t) => {
        const info = index.paragraphs.get(t.paragraphId) ?? null;
        return (
          <ThreadCard
            key={t.id}
            thread={t}
            state={state}
            citation={info ? info.citation : null}
            movedSince={
              revision && info
                ? numberMoved(revision.citations.get(t.paragraphId), revision.label, info.citation)
                : null
            }
            paragraphText={info && (t.quote || t.proposal !== null) ? info.text : null}
            unread={store.isUnread(t)}
            active={active === t.id}
            pendings={repliesByThread.get(t.id) ?? NONE}
            editing={editing !== null && t.messages.some((m) => m.id === editing) ? editing : null}
            userId={userId}
            members={members}
            canComment={canComment}
            canResolveAny={canResolveAny}
            canApply={canApply}
            canDeleteOthers={canDeleteOthers}
          />
        );
      })}
      {hidden > 0 ? <MoreThreads state={state} hidden={hidden} /> : null}
      {newThreads.length === 0 && threads.length === 0 ? (
        <p class="muted comment-empty">{store.loaded ? 'No comments yet.' : 'Loading comments…'}</p>
      ) : null}
    </div>
  );
}

/** The end of a shortened list: draws the next page when it scrolls into view, or on a click. */
function MoreThreads({ state, hidden }: { state: CommentsState; hidden: number }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) state.showMore();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [state]);
  const next = Math.min(hidden, THREAD_PAGE);
  return (
    <button
      ref={ref}
      type="button"
      class="comment-more"
      data-testid="threads-more"
      onClick={() => state.showMore()}
    >
      {`Show ${next} more (${hidden} not shown)`}
    </button>
  );
}
