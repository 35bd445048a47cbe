/** Per chapter: how many paragraphs show each status, and its share agreed. */
import { PARAGRAPH_STATUSES, STATUS_LABELS, STATUS_SHORT } from '../../../shared/consensus.js';
import { agreedCount, type BoardChapter, countByStatus, percent } from './model.js';
import { ProgressBar } from './ProgressBar.js';

function ChapterRow({ chapter: c }: { chapter: BoardChapter }) {
  const counts = countByStatus(c.paragraphs);
  const n = c.paragraphs.length;
  const agreed = agreedCount(counts);
  return (
    <tr data-testid="chapter-row" data-numeral={c.numeral}>
      <th scope="row">
        <span class="chapter-numeral">{c.numeral ? `${c.numeral}.` : ''}</span>
        {` ${c.heading || 'Untitled chapter'}`}
      </th>
      {PARAGRAPH_STATUSES.map((s) => (
        <td key={s} class={`num${counts.get(s) ? '' : ' is-zero'}`} data-testid={`count-${s}`}>
          {String(counts.get(s) ?? 0)}
        </td>
      ))}
      <td>
        <div class="progress-cell">
          <ProgressBar counts={counts} total={n} label={`${agreed} of ${n} agreed`} />
          <span class="muted progress-text">{`${percent(agreed, n)} %`}</span>
        </div>
      </td>
    </tr>
  );
}

export function ChapterTable({ chapters }: { chapters: readonly BoardChapter[] }) {
  return (
    <section class="board-chapters" data-testid="board-chapters" aria-label="Chapters">
      <h2 class="board-heading">Chapters</h2>
      <table class="board-table" data-testid="chapter-table">
        <thead>
          <tr>
            <th scope="col">Chapter</th>
            {PARAGRAPH_STATUSES.map((s) => (
              <th key={s} class="num" scope="col" title={STATUS_LABELS[s]}>
                {STATUS_SHORT[s]}
              </th>
            ))}
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {chapters.map((c) => (
            <ChapterRow key={c.id || c.numeral} chapter={c} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
