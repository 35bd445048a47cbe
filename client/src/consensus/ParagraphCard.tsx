/**
 * The paragraph card beside the editor: the paragraph at the cursor (or whose margin label was
 * clicked), its status with the moves the user's role may make, its history one click away, the
 * States' current positions (experts record their own State's), and, for the chair, a silence
 * procedure on this paragraph, the selected paragraphs or the whole chapter. Controls a role
 * cannot use are not shown; the server decides anyway.
 */
import type { ReadonlySignal } from '@preact/signals';
import { hasBrackets, LOCKED_STATUSES, STATUS_LABELS } from '../../../shared/consensus.js';
import { roleCan } from '../../../shared/roles.js';
import type { ReportAccess } from '../api.js';
import type { EditorBridge } from '../report/editorBridge.js';
import type { ConsensusState } from './ConsensusState.js';
import { HistorySection } from './HistorySection.js';
import { PositionsSection } from './PositionsSection.js';
import { shownStatus } from './plugin.js';
import { SilenceForm } from './SilenceForm.js';
import { StatusForm } from './StatusForm.js';

export function ParagraphCard(props: {
  state: ConsensusState;
  editor: EditorBridge;
  access: ReadonlySignal<ReportAccess | null>;
}) {
  const { state, editor } = props;
  const { store } = state;
  const id = state.cardParagraph.value;
  const index = editor.index.value;
  const para = id ? index.paragraphs.get(id) : undefined;
  const access = props.access.value;
  const role = access?.role ?? null;

  if (!id || !para || !editor.view.value) {
    return (
      <section class="consensus-panel" data-testid="consensus-panel" aria-label="Paragraph status">
        <div class="consensus-body">
          <h2 class="consensus-title">Paragraph status</h2>
          <p class="muted">
            {store.loaded
              ? 'Put the cursor in a paragraph, or click its status in the margin.'
              : 'Loading statuses…'}
          </p>
        </div>
      </section>
    );
  }

  const stored = store.statusOf(id);
  const shown = shownStatus(stored, para.negotiated);
  const silence = store.silenceOf(id);
  const locked = LOCKED_STATUSES.has(stored) || silence !== null;
  const canMove =
    role !== null && (roleCan(role, 'setStatus') || roleCan(role, 'declareAgreement'));
  const chapter = index.chapters[para.chapter];
  return (
    <section class="consensus-panel" data-testid="consensus-panel" aria-label="Paragraph status">
      <div class="consensus-body">
        <div class="consensus-head">
          <h2 class="consensus-title" data-testid="consensus-paragraph">
            {para.citation ? `Paragraph ${para.citation}` : 'Paragraph'}
          </h2>
          <span
            class={`status-chip status-${shown}`}
            data-testid="consensus-status"
            data-status={stored}
          >
            {STATUS_LABELS[shown]}
          </span>
        </div>
        {locked ? (
          <p class="consensus-locked" data-testid="consensus-locked">
            {silence
              ? 'Under silence: the text is locked until the deadline.'
              : 'Agreed text is locked. Only the chair can reopen it, with a reason.'}
          </p>
        ) : null}
        {hasBrackets(para.negotiated) ? (
          <p class="consensus-warning">
            The text still has square brackets: it cannot be declared agreed until they are removed.
          </p>
        ) : null}
        {canMove && role ? (
          silence ? (
            <p class="muted">
              Its status changes when the silence ends: adopted at the deadline, or broken.
            </p>
          ) : (
            <StatusForm key={id} paragraphId={id} from={stored} role={role} store={store} />
          )
        ) : null}
        <HistorySection key={id} paragraphId={id} store={store} />
        <PositionsSection
          key={id}
          paragraphId={id}
          positions={store.positionsOf(id)}
          store={store}
          recordFor={role && roleCan(role, 'recordPosition') ? (access?.represents ?? null) : null}
        />
        {role && roleCan(role, 'runSilence') ? (
          <SilenceForm
            paragraphId={id}
            chapterIds={chapter?.paragraphIds ?? [id]}
            selectedIds={editor.selectedParagraphs.value}
            locked={locked}
            store={store}
          />
        ) : null}
      </div>
    </section>
  );
}
