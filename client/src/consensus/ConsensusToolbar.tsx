/**
 * Above the text: "Open paragraphs only", the board and matrix links, the notice of a refused
 * edit of locked text, and the running silences.
 */
import { LOCKED_EDIT_NOTICE } from '../../../shared/consensus.js';
import type { Role } from '../../../shared/roles.js';
import { roleCan } from '../../../shared/roles.js';
import { boardHref, revisionsHref } from '../app/routes.js';
import { selectParagraph } from '../report/editorActions.js';
import type { EditorBridge } from '../report/editorBridge.js';
import type { ConsensusState } from './ConsensusState.js';
import { GoToParagraph } from './GoToParagraph.js';
import { SilenceList } from './SilenceList.js';

export function ConsensusToolbar(props: {
  state: ConsensusState;
  editor: EditorBridge;
  role: Role | null;
}) {
  const { state, role } = props;
  const notice = state.lockNotice.value;
  const id = state.reportId;
  return (
    <div class="consensus-toolbar" data-testid="consensus-toolbar">
      <div class="consensus-toolbar-row">
        <label class="toggle" title="Hide agreed, ad referendum and deleted paragraphs">
          <input
            type="checkbox"
            data-testid="open-only"
            checked={state.openOnly.value}
            onChange={(e) => {
              state.openOnly.value = e.currentTarget.checked;
            }}
          />
          {' Open paragraphs only'}
        </label>
        <GoToParagraph editor={props.editor} />
        <span class="consensus-links">
          <a class="tool-link" href={boardHref(id)} data-testid="board-link">
            Consensus board
          </a>
          {role && (roleCan(role, 'setStatus') || roleCan(role, 'runSilence')) ? (
            <a class="tool-link" href={boardHref(id, 'matrix')} data-testid="matrix-link">
              Positions matrix
            </a>
          ) : null}
          <a class="tool-link" href={revisionsHref(id)} data-testid="revisions-link">
            Revisions
          </a>
        </span>
      </div>
      {/* A fresh element per refusal: a notice hidden meanwhile shows again. */}
      <p
        key={notice?.n ?? 0}
        class="banner is-warning lock-notice"
        role="alert"
        data-testid="lock-notice"
        title={notice ? LOCKED_EDIT_NOTICE : undefined}
        hidden={!notice}
      >
        {notice?.text ?? ''}
      </p>
      <SilenceList
        store={state.store}
        role={role}
        citations={(ids) => state.citations(ids)}
        goTo={(paragraphId) => {
          const view = props.editor.view.peek();
          if (view) selectParagraph(view, paragraphId);
        }}
      />
    </div>
  );
}
