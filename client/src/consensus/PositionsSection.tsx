/**
 * The States' current positions on a paragraph, who has not spoken yet, and, for an expert, the
 * form to record their own State's position (with an optional explanation).
 */
import { useState } from 'preact/hooks';
import {
  CONSENSUS_NOTE_MAX,
  POSITION_LABELS,
  POSITIONS,
  type Position,
  type PositionView,
} from '../../../shared/consensus.js';
import { errorMessage } from '../api.js';
import type { ConsensusStore } from './store.js';

function PositionForm(props: {
  paragraphId: string;
  state: string;
  current: Position | null;
  store: ConsensusStore;
}) {
  const [position, setPosition] = useState<Position | null>(null);
  const [explanation, setExplanation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const shown = position ?? props.current ?? 'can_accept';
  return (
    <form
      class="consensus-form"
      data-testid="position-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        props.store
          .recordPosition(props.paragraphId, shown, explanation.trim() || undefined)
          .then(() => {
            setExplanation('');
            setPosition(null);
          })
          .catch((err: unknown) => setError(errorMessage(err)))
          .finally(() => setBusy(false));
      }}
    >
      <label class="consensus-label" for={`position-${props.paragraphId}`}>
        {`Position of ${props.state}`}
      </label>
      <div class="consensus-row">
        <select
          id={`position-${props.paragraphId}`}
          aria-label={`${props.state}'s position`}
          data-testid="position-select"
          value={shown}
          onChange={(e) => setPosition(e.currentTarget.value as Position)}
        >
          {POSITIONS.map((p) => (
            <option key={p} value={p}>
              {POSITION_LABELS[p]}
            </option>
          ))}
        </select>
        <button type="submit" data-testid="position-submit" disabled={busy}>
          Record
        </button>
      </div>
      <input
        type="text"
        maxLength={CONSENSUS_NOTE_MAX}
        aria-label="Explanation (optional)"
        placeholder="Explanation (optional)"
        data-testid="position-explanation"
        value={explanation}
        onInput={(e) => setExplanation(e.currentTarget.value)}
      />
      <p class="consensus-error" role="alert" data-testid="position-error">
        {error}
      </p>
    </form>
  );
}

export function PositionsSection(props: {
  paragraphId: string;
  positions: readonly PositionView[];
  store: ConsensusStore;
  /** The State the user records for (an expert's); null for anyone else. */
  recordFor: string | null;
}) {
  const { positions } = props;
  const heard = new Set(positions.map((p) => p.state));
  const silent = props.store.states.filter((s) => !heard.has(s));
  return (
    <div class="consensus-positions">
      <h3 class="consensus-subtitle">Positions</h3>
      <ul class="position-list" data-testid="position-list">
        {positions.map((p) => (
          <li
            key={p.state}
            class={`position-entry position-${p.position}`}
            data-testid="position-entry"
            data-state={p.state}
          >
            <span class="position-state">{p.state}</span>
            <span class={`position-chip position-${p.position}`}>
              {POSITION_LABELS[p.position]}
            </span>
            {p.explanation ? <span class="position-explanation">{p.explanation}</span> : null}
          </li>
        ))}
        {positions.length === 0 ? <li class="muted">No State has spoken yet.</li> : null}
      </ul>
      {silent.length > 0 ? (
        <p class="muted position-silent">{`Not yet heard: ${silent.join(', ')}`}</p>
      ) : null}
      {props.recordFor ? (
        <PositionForm
          paragraphId={props.paragraphId}
          state={props.recordFor}
          current={positions.find((p) => p.state === props.recordFor)?.position ?? null}
          store={props.store}
        />
      ) : null}
    </div>
  );
}
