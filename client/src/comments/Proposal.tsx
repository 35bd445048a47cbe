/**
 * A proposal's replacement text as a word diff against the paragraph as it is now; who applied
 * it, or "Apply" for the chair and secretariat while the thread is open.
 */
import { useMemo, useState } from 'preact/hooks';
import type { ThreadView } from '../../../shared/comments.js';
import { wordDiff } from '../../../shared/diff.js';
import { errorMessage } from '../api.js';
import type { CommentsState } from './CommentsState.js';
import { personText } from './text.js';

export function Proposal(props: {
  thread: ThreadView & { proposal: string };
  /** The paragraph's text now (null: the paragraph is gone). */
  paragraphText: string | null;
  canApply: boolean;
  state: CommentsState;
}) {
  const t = props.thread;
  const [error, setError] = useState('');
  const parts = useMemo(
    () => (props.paragraphText === null ? null : wordDiff(props.paragraphText, t.proposal)),
    [props.paragraphText, t.proposal],
  );
  return (
    <>
      <p class="proposal-diff" data-testid="proposal-diff">
        {parts === null ? (
          <ins class="diff-ins">{t.proposal}</ins>
        ) : (
          parts.map((part, i) =>
            part.kind === 'same' ? (
              part.text
            ) : part.kind === 'ins' ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: the parts have no identity of their own.
              <ins key={i} class="diff-ins">
                {part.text}
              </ins>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: the parts have no identity of their own.
              <del key={i} class="diff-del">
                {part.text}
              </del>
            ),
          )
        )}
      </p>
      {t.appliedBy ? (
        <p class="proposal-applied" data-testid="proposal-applied">
          {`applied by ${personText(t.appliedBy)}`}
        </p>
      ) : props.paragraphText !== null && t.status === 'open' && props.canApply ? (
        <div class="comment-actions">
          <button
            type="button"
            data-testid="proposal-apply"
            onClick={() => {
              props.state.applyProposal(t).catch((e: unknown) => setError(errorMessage(e)));
            }}
          >
            Apply
          </button>
          <span class="comment-error" role="alert">
            {error}
          </span>
        </div>
      ) : null}
    </>
  );
}
