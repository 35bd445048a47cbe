/** The paragraphs not yet settled: number, status, text, open threads and the States holding them. */
import type { ThreadView } from '../../../shared/comments.js';
import { holdingStates, STATUS_LABELS } from '../../../shared/consensus.js';
import type { ConsensusStore } from '../consensus/store.js';
import { type BoardParagraph, excerpt, isOpen } from './model.js';
import { ParagraphLink } from './ParagraphLink.js';

export function OpenParagraphs(props: {
  paragraphs: readonly BoardParagraph[];
  threads: ReadonlyMap<string, ThreadView>;
  store: ConsensusStore;
  onOpen(paragraphId: string): void;
}) {
  const rows = props.paragraphs.filter(isOpen);
  const openThreads = new Map<string, number>();
  for (const t of props.threads.values()) {
    if (t.status === 'open')
      openThreads.set(t.paragraphId, (openThreads.get(t.paragraphId) ?? 0) + 1);
  }
  return (
    <section class="board-open" data-testid="board-open" aria-label="Open paragraphs">
      <h2 class="board-heading">{`Open paragraphs (${rows.length})`}</h2>
      <div class="table-scroll">
        <table class="board-table open-table" data-testid="open-table">
          <thead>
            <tr>
              <th scope="col">Para.</th>
              <th scope="col">Status</th>
              <th scope="col">Text</th>
              <th class="num" scope="col">
                Open threads
              </th>
              <th scope="col">Held by</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => {
              const holding = holdingStates(props.store.positionsOf(p.id));
              const count = openThreads.get(p.id) ?? 0;
              return (
                <tr
                  key={p.id}
                  data-testid="open-paragraph"
                  data-paragraph-id={p.id}
                  data-status={p.shown}
                >
                  <td>
                    <ParagraphLink
                      paragraph={p}
                      testid="open-paragraph-link"
                      onOpen={props.onOpen}
                    />
                  </td>
                  <td>
                    <span class={`status-chip status-${p.shown}`}>{STATUS_LABELS[p.shown]}</span>
                    {props.store.silenceOf(p.id) ? <span class="silence-tag">Silence</span> : null}
                  </td>
                  <td class="excerpt">{excerpt(p.text)}</td>
                  <td class="num" data-testid="open-threads">
                    {count ? String(count) : ''}
                  </td>
                  <td data-testid="holding-states">{holding.length ? holding.join(', ') : ''}</td>
                </tr>
              );
            })}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={5} class="muted">
                  Nothing is open.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
