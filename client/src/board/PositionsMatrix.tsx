/**
 * The chair's matrix: paragraphs × States, each State's current position (blank: not yet heard)
 * and whether the paragraph is ripe for agreement. Rows are memoized: a new position re-renders
 * only its paragraph's row.
 */
import {
  POSITION_LABELS,
  type PositionView,
  type RipeRule,
  ripeRuleText,
  STATUS_LABELS,
  STATUS_SHORT,
} from '../../../shared/consensus.js';
import type { ConsensusStore } from '../consensus/store.js';
import { memo } from '../ui/memo.js';
import { type BoardChapter, type BoardParagraph, ripeness } from './model.js';
import { ParagraphLink } from './ParagraphLink.js';

interface RowProps {
  paragraph: BoardParagraph;
  states: readonly string[];
  rule: RipeRule;
  positions: ReadonlyMap<string, PositionView> | undefined;
  underSilence: boolean;
  onOpen(paragraphId: string): void;
}

const MatrixRow = memo(function MatrixRow(props: RowProps) {
  const p = props.paragraph;
  const positions = [...(props.positions?.values() ?? [])];
  const { ripe, title } = ripeness(p, props.rule, props.states, positions, props.underSilence);
  return (
    <tr data-testid="matrix-row" data-paragraph-id={p.id}>
      <td>
        <ParagraphLink paragraph={p} testid="matrix-paragraph" onOpen={props.onOpen} />
      </td>
      <td>
        <span class={`status-chip status-${p.shown}`} title={STATUS_LABELS[p.shown]}>
          {STATUS_SHORT[p.shown]}
        </span>
      </td>
      {props.states.map((s) => {
        const pos = props.positions?.get(s);
        return (
          <td
            key={s}
            class={`matrix-cell${pos ? ` position-${pos.position}` : ' is-silent'}`}
            data-testid="matrix-cell"
            data-state={s}
            data-position={pos?.position ?? ''}
            title={
              pos
                ? `${s}: ${POSITION_LABELS[pos.position]}${pos.explanation ? ` — ${pos.explanation}` : ''}`
                : `${s} has not said anything`
            }
          >
            {pos ? POSITION_LABELS[pos.position] : ''}
          </td>
        );
      })}
      <td
        class={`matrix-ripe${ripe ? ' is-ripe' : ''}`}
        data-testid="matrix-ripe"
        data-ripe={String(ripe)}
        title={title}
      >
        {ripe ? 'Ripe' : ''}
      </td>
    </tr>
  );
});

export function PositionsMatrix(props: {
  chapters: readonly BoardChapter[];
  store: ConsensusStore;
  onOpen(paragraphId: string): void;
}) {
  const { store } = props;
  const states = store.states;
  const rule = store.ripeRule;
  const silenced = new Set(store.running().flatMap((s) => s.paragraphIds));
  return (
    <section class="board-matrix" data-testid="matrix" aria-label="Positions matrix">
      <h2 class="board-heading">Positions of States</h2>
      <p class="muted">
        {states.length
          ? `Each State's current position; blank where it has said nothing. ${ripeRuleText(rule)}`
          : 'No State is represented in this group yet.'}
      </p>
      <div class="table-scroll">
        <table class="board-table matrix-table" data-testid="matrix-table">
          <thead>
            <tr>
              <th scope="col">Para.</th>
              <th scope="col">Status</th>
              {states.map((s) => (
                <th key={s} class="matrix-state" scope="col" title={s}>
                  {s}
                </th>
              ))}
              <th scope="col" title={ripeRuleText(rule)}>
                Ripe
              </th>
            </tr>
          </thead>
          <tbody>
            {props.chapters.flatMap((c) => [
              <tr key={`chapter-${c.id || c.numeral}`} class="matrix-chapter">
                <th colSpan={states.length + 3} scope="colgroup">
                  {`${c.numeral ? `${c.numeral}. ` : ''}${c.heading || 'Untitled chapter'}`}
                </th>
              </tr>,
              ...c.paragraphs.map((p) => (
                <MatrixRow
                  key={p.id}
                  paragraph={p}
                  states={states}
                  rule={rule}
                  positions={store.positions.get(p.id)}
                  underSilence={silenced.has(p.id)}
                  onOpen={props.onOpen}
                />
              )),
            ])}
          </tbody>
        </table>
      </div>
    </section>
  );
}
