/**
 * A paragraph's status moves that the user's role may make, with a note (a reason is required to
 * reopen agreed text); a refusal from the server is shown as it says it.
 */
import { useState } from 'preact/hooks';
import {
  CONSENSUS_NOTE_MAX,
  isReopening,
  PARAGRAPH_STATUSES,
  type ParagraphStatus,
  STATUS_LABELS,
  transitionAction,
} from '../../../shared/consensus.js';
import { type Role, roleCan } from '../../../shared/roles.js';
import { errorMessage } from '../api.js';
import type { ConsensusStore } from './store.js';

export function StatusForm(props: {
  paragraphId: string;
  from: ParagraphStatus;
  role: Role;
  store: ConsensusStore;
}) {
  const { from, role } = props;
  const targets = PARAGRAPH_STATUSES.filter((to) => {
    const action = transitionAction(from, to);
    return action !== null && roleCan(role, action);
  });
  const [chosen, setChosen] = useState<ParagraphStatus | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (targets.length === 0) {
    return <p class="muted">Only the chair can change the status of this paragraph.</p>;
  }
  const target = chosen && targets.includes(chosen) ? chosen : targets[0]!;
  const reopening = isReopening(from, target);
  return (
    <form
      class="consensus-form"
      data-testid="status-form"
      onSubmit={(e) => {
        e.preventDefault();
        const text = note.trim();
        if (reopening && !text) {
          setError('Reopening needs a reason: write it in the note.');
          return;
        }
        setBusy(true);
        setError('');
        props.store
          .setStatus(props.paragraphId, target, text || undefined)
          .then(() => {
            setNote('');
            setChosen(null);
          })
          .catch((err: unknown) => setError(errorMessage(err)))
          .finally(() => setBusy(false));
      }}
    >
      <div class="consensus-row">
        <select
          aria-label="New status"
          data-testid="status-select"
          value={target}
          onChange={(e) => setChosen(e.currentTarget.value as ParagraphStatus)}
        >
          {targets.map((to) => (
            <option key={to} value={to}>
              {STATUS_LABELS[to]}
            </option>
          ))}
        </select>
        <button class="primary" type="submit" data-testid="status-submit" disabled={busy}>
          Set status
        </button>
      </div>
      <input
        type="text"
        maxLength={CONSENSUS_NOTE_MAX}
        aria-label="Note"
        data-testid="status-note"
        value={note}
        placeholder={reopening ? 'Reason for reopening (required)' : 'Note (optional)'}
        // Checked on submit with a message of ours (a native `required` would block silently).
        aria-required={reopening ? 'true' : 'false'}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <p class="consensus-error" role="alert" data-testid="status-error">
        {error}
      </p>
    </form>
  );
}
