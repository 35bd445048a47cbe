/**
 * A comparison: a summary line, then every node that changed (or all of them), each named for
 * what happened to it, with its number on each side and its words inserted and deleted.
 */
import { useState } from 'preact/hooks';
import type { Change, CompareResponse, CompareRow } from '../../../shared/compare.js';

const CHANGE_TEXT: Readonly<Record<Change, string>> = {
  inserted: 'inserted',
  deleted: 'deleted',
  moved: 'moved',
  renumbered: 'renumbered',
  text: 'text changed',
};

function Row({ row }: { row: CompareRow }) {
  const before = row.before?.citation ?? '';
  const after = row.after?.citation ?? '';
  return (
    <li
      class={`compare-row ${row.changes.map((c) => `is-${c}`).join(' ')}`}
      data-testid="compare-row"
      data-id={row.id}
      data-changes={row.changes.join(' ')}
    >
      <div class="compare-numbers">
        <span class="compare-before" data-testid="compare-before">
          {before}
        </span>
        <span aria-hidden="true">{' → '}</span>
        <span class="compare-after" data-testid="compare-after">
          {after}
        </span>
        {row.changes.map((c) => (
          <span key={c} class={`change-chip is-${c}`}>
            {CHANGE_TEXT[c]}
          </span>
        ))}
      </div>
      <p class="compare-text">
        {row.parts.map((part, i) =>
          part.kind === 'same' ? (
            part.text
          ) : part.kind === 'ins' ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts have no identity of their own.
            <ins key={i} class="diff-ins">
              {part.text}
            </ins>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts have no identity of their own.
            <del key={i} class="diff-del">
              {part.text}
            </del>
          ),
        )}
      </p>
    </li>
  );
}

export function CompareView({ comparison }: { comparison: CompareResponse }) {
  const [all, setAll] = useState(false);
  const s = comparison.summary;
  const rows = all ? comparison.rows : comparison.rows.filter((r) => r.changes.length > 0);
  return (
    <section class="compare-view" data-testid="compare-view">
      <p class="compare-summary" data-testid="compare-summary">
        {`${s.inserted} inserted · ${s.deleted} deleted · ${s.moved} moved · ${s.renumbered} renumbered · ${s.text} changed in their text`}
      </p>
      <label class="toggle">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
        {' Show unchanged paragraphs too'}
      </label>
      {rows.length === 0 ? <p class="muted">No difference.</p> : null}
      <ol class="compare-rows">
        {rows.map((r) => (
          <Row key={r.id} row={r} />
        ))}
      </ol>
    </section>
  );
}
