/** A paragraph's history, one click away: every status change and position, newest first. */
import { useState } from 'preact/hooks';
import {
  type ParagraphHistoryResponse,
  POSITION_LABELS,
  STATUS_LABELS,
} from '../../../shared/consensus.js';
import { errorMessage } from '../api.js';
import { personText, timeText } from './format.js';
import type { ConsensusStore } from './store.js';

type History =
  | { state: 'closed' }
  | { state: 'loading' }
  | { state: 'failed'; error: string }
  | { state: 'ready'; data: ParagraphHistoryResponse };

function Entries({ data }: { data: ParagraphHistoryResponse }) {
  const entries = [
    ...data.statuses.map((c) => ({
      at: c.at,
      what: `${STATUS_LABELS[c.from]} → ${STATUS_LABELS[c.to]}`,
      who: ` ${c.cause === 'silence' ? 'by the silence procedure' : `by ${personText(c.by)}`}, ${timeText(c.at)}`,
      note: c.note,
    })),
    ...data.positions.map((p) => ({
      at: p.at,
      what: `${p.state}: ${POSITION_LABELS[p.position]}`,
      who: ` by ${personText(p.by)}, ${timeText(p.at)}`,
      note: p.explanation,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <ol class="history-list" data-testid="history-list">
      {entries.length === 0 ? <li class="muted">No changes yet.</li> : null}
      {entries.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: read once, never reordered.
        <li key={i} data-testid="history-entry">
          <span class="history-what">{e.what}</span>
          <span class="history-who muted">{e.who}</span>
          {e.note ? <span class="history-note">{e.note}</span> : null}
        </li>
      ))}
    </ol>
  );
}

export function HistorySection(props: { paragraphId: string; store: ConsensusStore }) {
  const [history, setHistory] = useState<History>({ state: 'closed' });
  const open = history.state !== 'closed';
  return (
    <div class="consensus-history">
      <button
        class="link-button"
        type="button"
        data-testid="history-toggle"
        aria-expanded={open ? 'true' : 'false'}
        onClick={() => {
          if (open) {
            setHistory({ state: 'closed' });
            return;
          }
          setHistory({ state: 'loading' });
          props.store
            .history(props.paragraphId)
            .then((data) =>
              setHistory((h) => (h.state === 'closed' ? h : { state: 'ready', data })),
            )
            .catch((e: unknown) =>
              setHistory((h) =>
                h.state === 'closed' ? h : { state: 'failed', error: errorMessage(e) },
              ),
            );
        }}
      >
        {open ? 'Hide history' : 'History'}
      </button>
      {history.state === 'loading' ? <p class="muted">Loading…</p> : null}
      {history.state === 'failed' ? (
        <p class="consensus-error" role="alert">
          {history.error}
        </p>
      ) : null}
      {history.state === 'ready' ? <Entries data={history.data} /> : null}
    </div>
  );
}
