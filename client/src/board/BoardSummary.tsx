/** The report's share agreed, its bar, and the legend of statuses that occur. */
import { PARAGRAPH_STATUSES, SETTLED_STATUSES, STATUS_LABELS } from '../../../shared/consensus.js';
import { agreedCount, type BoardParagraph, countByStatus, percent } from './model.js';
import { ProgressBar } from './ProgressBar.js';

export function BoardSummary({ paragraphs }: { paragraphs: readonly BoardParagraph[] }) {
  const total = paragraphs.length;
  const counts = countByStatus(paragraphs);
  const agreed = agreedCount(counts);
  const settled = paragraphs.filter((p) => SETTLED_STATUSES.has(p.shown)).length;
  return (
    <section class="board-summary" data-testid="board-summary">
      <div class="board-share">
        <strong class="board-share-number" data-testid="share-agreed">
          {`${percent(agreed, total)} %`}
        </strong>
        <span class="muted" data-testid="share-agreed-text">
          {` agreed — ${agreed} of ${total} paragraph${total === 1 ? '' : 's'}; ${settled - agreed} ad referendum; ${total - settled} open`}
        </span>
      </div>
      <ProgressBar counts={counts} total={total} label={`${agreed} of ${total} agreed`} />
      <ul class="status-legend">
        {PARAGRAPH_STATUSES.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => (
          <li key={s}>
            <span class={`legend-swatch status-${s}`} />
            {`${STATUS_LABELS[s]} ${counts.get(s)}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
