/**
 * One thread: its paragraph's current number (a button that selects it in the text), tags,
 * quote, proposal, messages, sends on their way, the reply box and resolve / reopen. Memoized:
 * the list passes only what this card shows, so a change elsewhere does not redraw it.
 */
import { useState } from 'preact/hooks';
import type { ThreadView } from '../../../shared/comments.js';
import { errorMessage, type Member } from '../api.js';
import { memo } from '../ui/memo.js';
import type { CommentsState } from './CommentsState.js';
import { MessageItem } from './MessageItem.js';
import { PendingSendItem } from './PendingSendItem.js';
import { Proposal } from './Proposal.js';
import { ReplyBox } from './ReplyBox.js';
import type { PendingSend } from './store.js';
import { personText, VISIBILITY_TEXT } from './text.js';

export interface ThreadCardProps {
  thread: ThreadView;
  state: CommentsState;
  /** The paragraph's number now; null when it is gone. */
  citation: string | null;
  /** "13 (c) in Rev.2, now 14 (c)" when its number moved since the last revision, else null. */
  movedSince: string | null;
  /** The paragraph's text, for a quote or a proposal (null otherwise, or when it is gone). */
  paragraphText: string | null;
  unread: boolean;
  active: boolean;
  pendings: readonly PendingSend[];
  /** The id of this thread's message whose edit box is open. */
  editing: string | null;
  userId: string;
  members: readonly Member[] | null;
  canComment: boolean;
  canResolveAny: boolean;
  canApply: boolean;
  canDeleteOthers: boolean;
}

function ResolveButton(props: { thread: ThreadView; state: CommentsState }) {
  const t = props.thread;
  const [error, setError] = useState('');
  const action = t.status === 'open' ? 'resolve' : 'reopen';
  return (
    <>
      <button
        type="button"
        data-testid={`thread-${action}`}
        onClick={() => {
          props.state.store.action(t.id, action).catch((e: unknown) => setError(errorMessage(e)));
        }}
      >
        {action === 'resolve' ? 'Resolve' : 'Reopen'}
      </button>
      <span class="comment-error" role="alert">
        {error}
      </span>
    </>
  );
}

export const ThreadCard = memo(function ThreadCard(p: ThreadCardProps) {
  const t = p.thread;
  const mine = t.author.id === p.userId;
  const mayResolve = mine ? p.canComment : p.canResolveAny;
  const resolvedBy = t.status === 'resolved' && t.resolvedBy ? t.resolvedBy : null;
  const classes = ['thread'];
  if (t.status === 'resolved') classes.push('is-resolved');
  if (p.unread) classes.push('is-unread');
  if (p.active) classes.push('is-active');
  return (
    // Opening a thread (any click in it) marks it read.
    // biome-ignore lint/a11y/useKeyWithClickEvents: a convenience; its controls are the keyboard path.
    <article
      class={classes.join(' ')}
      data-testid="thread"
      data-thread-id={t.id}
      data-paragraph-id={t.paragraphId}
      onClick={() => p.state.open(t)}
    >
      <header class="thread-head">
        <button
          class="thread-label"
          type="button"
          data-testid="thread-label"
          disabled={p.citation === null}
          onClick={() => p.state.goToParagraph(t.paragraphId)}
        >
          {p.citation !== null ? `Paragraph ${p.citation}` : 'paragraph deleted'}
        </button>
        <span class="thread-tags">
          {t.kind === 'proposal' ? <span class="tag">Proposal</span> : null}
          {t.visibility !== 'group' ? (
            <span class="tag">{VISIBILITY_TEXT[t.visibility]}</span>
          ) : null}
          {t.status === 'resolved' ? (
            <span class="tag" data-testid="thread-resolved">
              Resolved
            </span>
          ) : null}
          {p.unread ? (
            <span class="tag is-unread" data-testid="thread-unread">
              New
            </span>
          ) : null}
        </span>
      </header>
      {p.movedSince ? (
        <p class="thread-number-moved" data-testid="thread-number-moved">
          {p.movedSince}
        </p>
      ) : null}
      {t.quote ? (
        <blockquote class="comment-quote" data-testid="thread-quote">
          {t.quote}
        </blockquote>
      ) : null}
      {t.quote && p.paragraphText !== null && !p.paragraphText.includes(t.quote) ? (
        <p class="muted quote-gone" data-testid="quote-gone">
          (no longer in the text)
        </p>
      ) : null}
      {t.kind === 'proposal' && t.proposal !== null ? (
        <Proposal
          thread={t as ThreadView & { proposal: string }}
          paragraphText={p.citation === null ? null : p.paragraphText}
          canApply={p.canApply}
          state={p.state}
        />
      ) : null}
      <ol class="thread-messages">
        {t.messages.map((m) => (
          <MessageItem
            key={m.id}
            message={m}
            state={p.state}
            own={m.author.id === p.userId}
            canComment={p.canComment}
            canDeleteOthers={p.canDeleteOthers}
            editing={p.editing === m.id}
          />
        ))}
      </ol>
      {p.pendings.map((send) => (
        <PendingSendItem key={send.key} send={send} store={p.state.store} />
      ))}
      {p.canComment ? (
        <ReplyBox thread={t} state={p.state} members={p.members} userId={p.userId} />
      ) : null}
      {mayResolve || resolvedBy ? (
        <div class="comment-actions">
          {mayResolve ? <ResolveButton key={t.status} thread={t} state={p.state} /> : null}
          {resolvedBy ? <span class="muted">{`Resolved by ${personText(resolvedBy)}`}</span> : null}
        </div>
      ) : null}
    </article>
  );
});
