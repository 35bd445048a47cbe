/**
 * The report page's header: the back link and the title (renamed in place by chair and
 * secretariat); on the right, presence, "Read only" and the save state.
 */
import { useEffect, useState } from 'preact/hooks';
import { REPORT_TITLE_MAX } from '../../../shared/api.js';
import { roleCan } from '../../../shared/roles.js';
import { errorMessage, renameReport } from '../api.js';
import { LIST_HREF } from '../app/routes.js';
import { SAVE_STATE_TEXT } from '../sync/saveState.js';
import { InlineEdit } from '../ui/InlineEdit.js';
import type { SessionSignals } from './sessionSignals.js';

export function BackLink() {
  return (
    <a class="back-link" href={LIST_HREF} data-testid="back-link">
      ← Reports
    </a>
  );
}

export function ReportTitle(props: { reportId: string; live: SessionSignals }) {
  const access = props.live.access.value;
  const [title, setTitle] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [error, setError] = useState('');
  const shown = title ?? access?.report.title ?? null;
  useEffect(() => {
    if (shown) document.title = `${shown} · Concord`;
  }, [shown]);
  const renamable = access !== null && roleCan(access.role, 'createReport');
  let content = null;
  if (shown === null) {
    content = (
      <span class="title-text" data-testid="report-title">
        …
      </span>
    );
  } else if (renaming) {
    content = (
      <InlineEdit
        value={shown}
        label="Report title"
        maxLength={REPORT_TITLE_MAX}
        testid="rename-input"
        commit={async (next) => {
          const report = await renameReport(props.reportId, next);
          setTitle(report.title);
          setError('');
        }}
        onError={(e) => setError(errorMessage(e))}
        onDone={() => setRenaming(false)}
      />
    );
  } else if (renamable) {
    content = (
      <button
        class="title-button"
        type="button"
        data-testid="report-title"
        title={`${shown} (click to rename)`}
        onClick={() => setRenaming(true)}
      >
        {shown}
      </button>
    );
  } else {
    content = (
      <span class="title-text" data-testid="report-title" title={shown}>
        {shown}
      </span>
    );
  }
  return (
    <>
      <BackLink />
      <h1 class="header-title">{content}</h1>
      <span class="header-error" role="alert">
        {error}
      </span>
    </>
  );
}

export function SaveStateIndicator({ live }: { live: SessionSignals }) {
  const state = live.saveState.value;
  // Written only when it changes: the indicator is an aria-live region.
  return (
    <span
      class="save-state"
      data-testid="save-state"
      data-state={state}
      role="status"
      aria-live="polite"
    >
      {SAVE_STATE_TEXT[state]}
    </span>
  );
}

export function ReadOnlyBadge({ live }: { live: SessionSignals }) {
  return (
    <span
      class="read-only-badge"
      data-testid="read-only"
      title="Your role cannot edit the text of this report"
      hidden={!live.readOnly.value}
    >
      Read only
    </span>
  );
}
