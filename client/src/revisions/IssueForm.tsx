/**
 * The chair's (or the secretariat's) form to issue a revision: the label the server proposes
 * (editable), the date (today by default) and a cover note. The server checks everything again.
 */
import { useState } from 'preact/hooks';
import {
  REVISION_LABEL_MAX,
  REVISION_NOTE_MAX,
  type RevisionSummary,
} from '../../../shared/revisions.js';
import { errorMessage } from '../api.js';
import { issueRevision } from './api.js';

export function IssueForm(props: {
  reportId: string;
  proposedLabel: string;
  onIssued: (revision: RevisionSummary) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  return (
    <form
      class="issue-form"
      data-testid="issue-form"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        setBusy(true);
        setError('');
        issueRevision(props.reportId, {
          label: String(data.get('label') ?? ''),
          date: String(data.get('date') ?? ''),
          coverNote: String(data.get('coverNote') ?? ''),
        })
          .then(({ revision }) => {
            form.reset();
            props.onIssued(revision);
          })
          .catch((err: unknown) => setError(errorMessage(err)))
          .finally(() => setBusy(false));
      }}
    >
      <h2>Issue a revision</h2>
      <div class="field">
        <label for="revision-label">Label</label>
        <input
          id="revision-label"
          name="label"
          data-testid="revision-label"
          key={props.proposedLabel}
          defaultValue={props.proposedLabel}
          maxLength={REVISION_LABEL_MAX}
          required
        />
      </div>
      <div class="field">
        <label for="revision-date">Date</label>
        <input
          id="revision-date"
          name="date"
          type="date"
          data-testid="revision-date"
          defaultValue={new Date().toISOString().slice(0, 10)}
        />
      </div>
      <div class="field">
        <label for="revision-note">Cover note</label>
        <textarea
          id="revision-note"
          name="coverNote"
          data-testid="revision-note"
          maxLength={REVISION_NOTE_MAX}
          rows={3}
        />
      </div>
      <button class="primary" type="submit" disabled={busy} data-testid="revision-issue">
        {busy ? 'Issuing…' : 'Issue'}
      </button>
      <p class="form-error" role="alert" data-testid="issue-error">
        {error}
      </p>
    </form>
  );
}
