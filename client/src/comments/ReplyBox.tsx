/**
 * The reply box under a thread, with "@" completion among the members who may see the thread
 * (MentionField; the server notifies those the reply names). Ctrl-Enter sends. The draft
 * outlives the card (CommentsState).
 */
import { useRef } from 'preact/hooks';
import { COMMENT_MAX, type ThreadView } from '../../../shared/comments.js';
import type { Member } from '../api.js';
import { useLengthLimit } from '../ui/lengthLimit.js';
import type { CommentsState } from './CommentsState.js';
import { MentionField, mentionCandidates } from './MentionField.js';

export function ReplyBox(props: {
  thread: ThreadView;
  state: CommentsState;
  members: readonly Member[] | null;
  userId: string;
}) {
  const { thread: t, state } = props;
  const box = useRef<HTMLTextAreaElement>(null);
  const limit = useLengthLimit(COMMENT_MAX, 'A reply', state.drafts.get(t.id) ?? '');

  const send = () => {
    const reply = box.current;
    const text = reply?.value.trim() ?? '';
    if (!reply || !text || limit.over) return;
    state.drafts.delete(t.id);
    reply.value = '';
    void state.store.reply(t, text);
  };
  const candidates = mentionCandidates(props.members, props.userId, {
    visibility: t.visibility,
    delegation: t.delegation,
    authorId: t.author.id,
  });

  return (
    <div class="thread-reply">
      <MentionField
        textarea={box}
        candidates={candidates}
        rows={2}
        aria-label="Reply"
        placeholder="Reply (@ to mention someone)"
        data-testid="reply-body"
        defaultValue={state.drafts.get(t.id) ?? ''}
        onText={(value) => {
          state.drafts.set(t.id, value);
          limit.update(value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      {limit.note}
      <div class="comment-actions">
        <button type="button" data-testid="reply-send" onClick={send}>
          Reply
        </button>
      </div>
    </div>
  );
}
