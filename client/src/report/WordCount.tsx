/**
 * The report's length against the UN limit (10,700 words unless CONCORD_WORD_LIMIT says otherwise; footnotes and headings included),
 * live: counted from the settled document as the exports count it (docWordCount equals
 * wordCount(outlineFromDoc(…)), re-reading only the blocks that changed).
 */
import { useComputed } from '@preact/signals';
import { docWordCount, UN_WORD_LIMIT } from '../../../shared/wordCount.js';
import type { EditorBridge } from './editorBridge.js';

const fmt = (n: number) => n.toLocaleString('en-US');

export function WordCount({
  editor,
  limit = UN_WORD_LIMIT,
}: {
  editor: EditorBridge;
  limit?: number;
}) {
  // The words follow the document; the limit (a prop: the server's CONCORD_WORD_LIMIT) is
  // applied at render, so a limit that arrives after the text still counts.
  const words = useComputed(() => {
    const doc = editor.doc.value;
    return doc ? docWordCount(doc).words : null;
  });
  if (words.value === null) return null;
  const c = { words: words.value, limit, over: words.value > limit };
  return (
    <span
      class={`word-count${c.over ? ' is-over' : ''}`}
      data-testid="word-count"
      data-words={c.words}
      title={`Words, footnotes and headings included, against the UN limit of ${fmt(c.limit)} for texts not originating in the Secretariat${c.over ? ': over the limit (a waiver is needed)' : ''}`}
    >
      {`${fmt(c.words)} / ${fmt(c.limit)} words`}
    </span>
  );
}
