/** One message of a thread: author, time, text; edit (own) and delete (own, or as moderator). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { COMMENT_MAX, type MessageView } from '../../../shared/comments.js';
import { errorMessage } from '../api.js';
import { currentMe } from '../auth.js';
import { useLengthLimit } from '../ui/lengthLimit.js';
import type { CommentsState } from './CommentsState.js';
import { MentionField, mentionCandidates } from './MentionField.js';
import { personText, timeText } from './text.js';

export interface MessageItemProps {
  message: MessageView;
  state: CommentsState;
  own: boolean;
  canComment: boolean;
  canDeleteOthers: boolean;
  /** This message's edit box is open. */
  editing: boolean;
}

function EditBox(props: { message: MessageView; state: CommentsState }) {
  const { state, message: m } = props;
  const box = useRef<HTMLTextAreaElement>(null);
  const [error, setError] = useState('');
  const limit = useLengthLimit(COMMENT_MAX, 'A message', state.editing.peek()?.text ?? m.body);
  useEffect(() => box.current?.focus(), []);
  // Names newly added by the edit are notified when it is saved.
  const thread = [...state.store.threads.values()].find((t) =>
    t.messages.some((x) => x.id === m.id),
  );
  const userId = currentMe()?.user.id ?? '';
  const candidates = thread
    ? mentionCandidates(state.members.value, userId, {
        visibility: thread.visibility,
        delegation: thread.delegation,
        authorId: thread.author.id,
      })
    : [];
  return (
    <>
      <MentionField
        textarea={box}
        candidates={candidates}
        rows={3}
        aria-label="Edit message"
        data-testid="message-edit-body"
        defaultValue={state.editing.peek()?.text ?? m.body}
        onText={(value) => {
          state.editing.value = { messageId: m.id, text: value };
          limit.update(value);
        }}
      />
      {limit.note}
      <div class="comment-actions">
        <button
          type="button"
          data-testid="message-edit-save"
          onClick={() => {
            const text = box.current?.value.trim() ?? '';
            if (!text || limit.over) return;
            state.store
              .editMessage(m.id, text)
              .then(() => {
                state.editing.value = null;
              })
              .catch((e: unknown) => setError(errorMessage(e)));
          }}
        >
          Save
        </button>
        <button
          type="button"
          onClick={() => {
            state.editing.value = null;
          }}
        >
          Cancel
        </button>
        <span class="comment-error" role="alert">
          {error}
        </span>
      </div>
    </>
  );
}

export function MessageItem(props: MessageItemProps) {
  const { message: m, state } = props;
  const [error, setError] = useState('');
  const mayEdit = props.own && props.canComment;
  const mayDelete = props.own ? props.canComment : props.canDeleteOthers;
  return (
    <li class="message" data-testid="message" data-message-id={m.id}>
      <p class="message-meta">
        <span class="message-author" data-testid="message-author">
          {personText(m.author)}
        </span>
        <time dateTime={m.createdAt}>{timeText(m.createdAt)}</time>
        {m.editedAt && !m.deleted ? <span class="muted">(edited)</span> : null}
      </p>
      {m.deleted ? (
        <p class="message-body is-deleted" data-testid="message-body">
          message deleted
        </p>
      ) : props.editing ? (
        <EditBox message={m} state={state} />
      ) : (
        <>
          <p class="message-body" data-testid="message-body">
            {m.body}
          </p>
          {mayEdit || mayDelete ? (
            <div class="message-actions">
              {mayEdit ? (
                <button
                  type="button"
                  data-testid="message-edit"
                  onClick={() => {
                    state.editing.value = { messageId: m.id, text: m.body };
                  }}
                >
                  Edit
                </button>
              ) : null}
              {mayDelete ? (
                <button
                  type="button"
                  data-testid="message-delete"
                  onClick={() => {
                    state.store
                      .deleteMessage(m.id)
                      .catch((e: unknown) => setError(errorMessage(e)));
                  }}
                >
                  Delete
                </button>
              ) : null}
              <span class="comment-error" role="alert">
                {error}
              </span>
            </div>
          ) : null}
        </>
      )}
    </li>
  );
}
