/** A paragraph's number as a button that opens it in the text. */
import type { BoardParagraph } from './model.js';

export function ParagraphLink(props: {
  paragraph: BoardParagraph;
  testid: string;
  onOpen(paragraphId: string): void;
}) {
  const p = props.paragraph;
  return (
    <button
      class="link-button para-link"
      type="button"
      data-testid={props.testid}
      data-paragraph-id={p.id}
      onClick={() => props.onOpen(p.id)}
    >
      {p.citation || '—'}
    </button>
  );
}
