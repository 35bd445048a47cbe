/**
 * A report's revisions, newest first: label, date, who issued it, the cover note; each opens
 * read-only or compares with the live text, and any two can be compared.
 */
import { useState } from 'preact/hooks';
import type { RevisionSummary } from '../../../shared/revisions.js';
import { unDate } from '../../../shared/revisions.js';
import { go } from '../app/navigation.js';
import { compareHref, revisionHref } from '../app/routes.js';

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`;
}

export function RevisionList(props: { reportId: string; revisions: readonly RevisionSummary[] }) {
  const { reportId, revisions } = props;
  const newest = [...revisions].reverse();
  const [from, setFrom] = useState(revisions.at(-2)?.id ?? revisions[0]?.id ?? '');
  const [to, setTo] = useState('live');
  if (revisions.length === 0)
    return (
      <p class="muted" data-testid="no-revisions">
        No revision issued yet.
      </p>
    );
  return (
    <>
      <ol class="revision-list" data-testid="revision-list" reversed>
        {newest.map((r) => (
          <li key={r.id} class="revision-item" data-testid="revision-item" data-label={r.label}>
            <div class="revision-head">
              <a
                class="revision-label"
                href={revisionHref(reportId, r.id)}
                data-testid="revision-open"
              >
                {r.label}
              </a>
              <span class="revision-date">{unDate(r.date)}</span>
              {r.final ? <span class="revision-final">Final</span> : null}
              <span class="muted revision-by">{`issued by ${r.issuedBy.name}`}</span>
              <a
                class="tool-link"
                href={compareHref(reportId, r.id, 'live')}
                data-testid="revision-compare-live"
              >
                Compare with the text now
              </a>
            </div>
            {r.coverNote ? <p class="revision-note">{r.coverNote}</p> : null}
            <p class="muted revision-meta">{`${kilobytes(r.bytes)} · sha256 ${r.sha256.slice(0, 12)}…`}</p>
          </li>
        ))}
      </ol>
      <form
        class="compare-form"
        data-testid="compare-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (from) go(compareHref(reportId, from, to));
        }}
      >
        <label>
          {'Compare '}
          <select
            data-testid="compare-from"
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
          >
            {revisions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {' with '}
          <select
            data-testid="compare-to"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
          >
            <option value="live">the text now</option>
            {revisions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="compare-go">
          Compare
        </button>
      </form>
    </>
  );
}
