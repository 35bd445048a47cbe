/**
 * The chair's silence procedure: on this paragraph, the selected paragraphs or the whole chapter,
 * until a deadline in the chair's own time zone (three days from now to begin with).
 */
import { useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { readerTimeZone } from './format.js';
import type { ConsensusStore } from './store.js';

type Scope = 'paragraph' | 'selection' | 'chapter';

/** "2026-11-30T18:00" for a datetime-local input, in the reader's zone. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function SilenceForm(props: {
  paragraphId: string;
  /** The paragraphs of its chapter. */
  chapterIds: readonly string[];
  /** The paragraphs the selection touches. */
  selectedIds: readonly string[];
  /** The paragraph is locked already (agreed, or under silence). */
  locked: boolean;
  store: ConsensusStore;
}) {
  const [scope, setScope] = useState<Scope>('paragraph');
  const [deadline, setDeadline] = useState(() =>
    localInputValue(new Date(Date.now() + 72 * 3600_000)),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const zone = readerTimeZone();
  const selection = props.selectedIds.length > 1;
  const shownScope = scope === 'selection' && !selection ? 'paragraph' : scope;
  return (
    <form
      class="consensus-form consensus-silence"
      data-testid="silence-form"
      onSubmit={(e) => {
        e.preventDefault();
        const at = new Date(deadline);
        if (!deadline || Number.isNaN(at.getTime())) {
          setError('Choose a deadline (date and time).');
          return;
        }
        const ids =
          shownScope === 'chapter'
            ? [...props.chapterIds]
            : shownScope === 'selection'
              ? [...props.selectedIds]
              : [props.paragraphId];
        setBusy(true);
        setError('');
        props.store
          .startSilence(ids, at, zone)
          .then(() => setDeadline(localInputValue(new Date(Date.now() + 72 * 3600_000))))
          .catch((err: unknown) => setError(errorMessage(err)))
          .finally(() => setBusy(false));
      }}
    >
      <h3 class="consensus-subtitle">Silence procedure</h3>
      <div class="consensus-row">
        <select
          aria-label="Put under silence"
          data-testid="silence-scope"
          value={shownScope}
          onChange={(e) => setScope(e.currentTarget.value as Scope)}
        >
          <option value="paragraph">This paragraph</option>
          {selection ? (
            <option value="selection">{`The ${props.selectedIds.length} selected paragraphs`}</option>
          ) : null}
          <option value="chapter">{`The whole chapter (${props.chapterIds.length})`}</option>
        </select>
      </div>
      <div class="consensus-row">
        <input
          type="datetime-local"
          aria-label="Deadline"
          data-testid="silence-deadline-input"
          value={deadline}
          onInput={(e) => setDeadline(e.currentTarget.value)}
        />
        <button type="submit" data-testid="silence-start" disabled={props.locked || busy}>
          Start silence
        </button>
      </div>
      <p class="muted consensus-zone">{`Deadline in your time zone, ${zone}`}</p>
      <p class="consensus-error" role="alert" data-testid="silence-error">
        {error}
      </p>
    </form>
  );
}
