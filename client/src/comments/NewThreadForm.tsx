/**
 * The new-thread form, on the paragraph the cursor was in: a comment or a proposal (replacement
 * text, starting from the paragraph's text), for the whole group, my delegation, or the chair
 * and secretariat; quoting the selection, when there was one. Escape closes it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { COMMENT_MAX, type ThreadKind, type ThreadVisibility } from '../../../shared/comments.js';
import { currentMe } from '../auth.js';
import { useLengthLimit } from '../ui/lengthLimit.js';
import type { CommentsState, FormRequest } from './CommentsState.js';
import { MentionField, mentionCandidates } from './MentionField.js';
import { VISIBILITY_TEXT } from './text.js';

function FormNote() {
  return (
    <p class="comment-form-note" role="status" data-testid="thread-form-note">
      Put the cursor in a numbered paragraph to comment on it.
    </p>
  );
}

export function NewThreadForm(props: { state: CommentsState; request: FormRequest }) {
  const { state, request } = props;
  const paragraphId = request.paragraphId;
  const body = useRef<HTMLTextAreaElement>(null);
  const proposal = useRef<HTMLTextAreaElement>(null);
  const [kind, setKind] = useState<ThreadKind>('comment');
  const [visibility, setVisibility] = useState<ThreadVisibility>('group');
  const [error, setError] = useState('');
  const bodyLimit = useLengthLimit(COMMENT_MAX, 'A comment');
  const proposalLimit = useLengthLimit(COMMENT_MAX, 'A proposal', request.text ?? '');
  useEffect(() => body.current?.focus(), []);
  if (!paragraphId) return <FormNote />;

  const info = state.editor.index.value.paragraphs.get(paragraphId);
  const represents = state.access.value?.represents ?? null;
  const delegation = state.can('delegationThreads') && Boolean(represents);
  const userId = currentMe()?.user.id ?? '';
  const candidates = mentionCandidates(state.members.value, userId, {
    visibility,
    delegation: visibility === 'delegation' ? represents : null,
    authorId: userId,
  });
  return (
    <form
      class="comment-form"
      data-testid="thread-form"
      onSubmit={(e) => {
        e.preventDefault();
        const text = body.current?.value.trim() ?? '';
        if (!text) {
          setError('Write a comment first.');
          return;
        }
        if (bodyLimit.over || (kind === 'proposal' && proposalLimit.over)) {
          setError('Shorten the text first (see above).');
          return;
        }
        void state.store.createThread({
          paragraphId,
          kind,
          visibility,
          body: text,
          ...(request.quote ? { quote: request.quote } : {}),
          ...(kind === 'proposal' ? { proposal: proposal.current?.value ?? '' } : {}),
        });
        state.closeForm();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') state.closeForm();
      }}
    >
      <p class="comment-form-target" data-testid="thread-form-target">
        {info?.citation ? `Paragraph ${info.citation}` : 'This paragraph'}
      </p>
      {request.quote ? <blockquote class="comment-quote">{request.quote}</blockquote> : null}
      <MentionField
        textarea={body}
        candidates={candidates}
        rows={3}
        aria-label="Comment"
        data-testid="thread-body"
        placeholder="Comment (@ to mention someone)"
        onText={(value) => bodyLimit.update(value)}
      />
      {bodyLimit.note}
      <div class="comment-form-row">
        <select
          aria-label="Kind"
          data-testid="thread-kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as ThreadKind)}
        >
          <option value="comment">Comment</option>
          <option value="proposal">Proposal (replacement text)</option>
        </select>
        <select
          aria-label="Visible to"
          data-testid="thread-visibility"
          value={visibility}
          onChange={(e) => setVisibility(e.currentTarget.value as ThreadVisibility)}
        >
          <option value="group">{VISIBILITY_TEXT.group}</option>
          {delegation ? <option value="delegation">{VISIBILITY_TEXT.delegation}</option> : null}
          <option value="chair">{VISIBILITY_TEXT.chair}</option>
        </select>
      </div>
      <label class="comment-field" hidden={kind !== 'proposal'}>
        Proposed text
        <textarea
          ref={proposal}
          rows={3}
          aria-label="Proposed text"
          data-testid="thread-proposal"
          defaultValue={request.text}
          onInput={(e) => proposalLimit.update(e.currentTarget.value)}
        />
      </label>
      {kind === 'proposal' ? proposalLimit.note : null}
      <p class="comment-error" role="alert">
        {error}
      </p>
      <div class="comment-actions">
        <button type="submit" data-testid="thread-submit">
          Post
        </button>
        <button type="button" onClick={() => state.closeForm()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
