/**
 * The comments side panel: filters, "New comment" (on the paragraph at the cursor, Ctrl-Alt-M),
 * the form, the paragraph a badge click narrowed it to, and the threads. User text only ever
 * goes into text nodes.
 */
import type { CommentsState } from './CommentsState.js';
import { type Filter, statesIn } from './model.js';
import { NewThreadForm } from './NewThreadForm.js';
import { ThreadList } from './ThreadList.js';

function FilterSelect({ state }: { state: CommentsState }) {
  const states = statesIn(state.store.threads.values());
  return (
    <select
      aria-label="Show"
      data-testid="thread-filter"
      value={state.filter.value}
      onChange={(e) => {
        state.filter.value = e.currentTarget.value as Filter;
      }}
    >
      <option value="all">All threads</option>
      <option value="open">Open</option>
      <option value="resolved">Resolved</option>
      <option value="mine">Mine</option>
      <option value="mentions">Mentioning me</option>
      {states.map((s) => (
        <option key={s} value={`state:${s}`}>{`By State: ${s}`}</option>
      ))}
    </select>
  );
}

function ParagraphFilterNote({ state }: { state: CommentsState }) {
  const id = state.paragraphFilter.value;
  if (!id) return <div class="comment-filter-note" />;
  const info = state.editor.index.value.paragraphs.get(id);
  return (
    <div class="comment-filter-note">
      <span>{info ? `Paragraph ${info.citation}` : 'A deleted paragraph'}</span>
      <button
        type="button"
        data-testid="thread-filter-clear"
        onClick={() => {
          state.paragraphFilter.value = null;
        }}
      >
        Show all
      </button>
    </div>
  );
}

export function CommentsPanel({ state }: { state: CommentsState }) {
  const canComment = state.can('comment');
  const request = state.form.value;
  return (
    <aside class="comments-panel" data-testid="comments-panel" aria-label="Comments">
      <div class="comments-head">
        <h2 class="comments-title">Comments</h2>
        <FilterSelect state={state} />
        <button
          class="comment-new"
          type="button"
          data-testid="new-thread"
          title="Comment on the paragraph at the cursor (Ctrl-Alt-M)"
          hidden={!canComment}
          onClick={() => state.openForm()}
        >
          New comment
        </button>
      </div>
      <div class="comment-form-host">
        {request && canComment ? (
          <NewThreadForm key={request.n} state={state} request={request} />
        ) : null}
      </div>
      <ParagraphFilterNote state={state} />
      <ThreadList state={state} />
    </aside>
  );
}
