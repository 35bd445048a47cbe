/**
 * The reply box under a thread, with "@ Mention…": a list of the members who may see the thread;
 * choosing one puts "@Name" in the reply and names them as mentioned when it is sent (if the
 * name is still in the text). Ctrl-Enter sends. The draft outlives the card (CommentsState).
 */
import { useRef } from 'preact/hooks';
import { COMMENT_MAX, canSeeThread, type ThreadView } from '../../../shared/comments.js';
import type { Member } from '../api.js';
import { useLengthLimit } from '../ui/lengthLimit.js';
import type { CommentsState } from './CommentsState.js';

function MentionPicker(props: {
  thread: ThreadView;
  members: readonly Member[];
  userId: string;
  onPick(member: Member): void;
}) {
  const t = props.thread;
  const audience = { visibility: t.visibility, delegation: t.delegation, authorId: t.author.id };
  const candidates = props.members.filter(
    (m) =>
      m.userId !== props.userId &&
      canSeeThread({ userId: m.userId, role: m.role, represents: m.represents }, audience),
  );
  if (candidates.length === 0) return null;
  return (
    <select
      aria-label="Mention someone"
      data-testid="mention-select"
      value=""
      onChange={(e) => {
        const select = e.currentTarget;
        const member = candidates.find((m) => m.userId === select.value);
        select.value = '';
        if (member) props.onPick(member);
      }}
    >
      <option value="">@ Mention…</option>
      {candidates.map((m) => (
        <option key={m.userId} value={m.userId}>
          {m.represents ? `${m.displayName} · ${m.represents}` : m.displayName}
        </option>
      ))}
    </select>
  );
}

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
    const mentioned = [...(state.mentionDrafts.get(t.id) ?? new Map<string, string>())]
      .filter(([, name]) => text.includes(`@${name}`))
      .map(([id]) => id);
    state.drafts.delete(t.id);
    state.mentionDrafts.delete(t.id);
    reply.value = '';
    void state.store.reply(t, text, mentioned);
  };

  const mention = (member: Member) => {
    const reply = box.current;
    if (!reply) return;
    const draft = state.mentionDrafts.get(t.id) ?? new Map<string, string>();
    draft.set(member.userId, member.displayName);
    state.mentionDrafts.set(t.id, draft);
    const sep = reply.value && !/\s$/.test(reply.value) ? ' ' : '';
    reply.value = `${reply.value}${sep}@${member.displayName} `;
    state.drafts.set(t.id, reply.value);
    reply.focus();
  };

  return (
    <div class="thread-reply">
      <textarea
        ref={box}
        rows={2}
        aria-label="Reply"
        placeholder="Reply"
        data-testid="reply-body"
        defaultValue={state.drafts.get(t.id) ?? ''}
        onInput={(e) => {
          state.drafts.set(t.id, e.currentTarget.value);
          limit.update(e.currentTarget.value);
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
        {props.members ? (
          <MentionPicker
            thread={t}
            members={props.members}
            userId={props.userId}
            onPick={mention}
          />
        ) : null}
      </div>
    </div>
  );
}
