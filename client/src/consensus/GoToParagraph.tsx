/**
 * "Go to paragraph": type its number ("13", "13 (a)") and Enter; the cursor goes to its start
 * and the paragraph card shows it. The keyboard's way to move through the text by number.
 */
import { useState } from 'preact/hooks';
import { selectParagraph } from '../report/editorActions.js';
import type { EditorBridge } from '../report/editorBridge.js';

/** "13(a)", " 13 (a) " and "13 (a)" are one citation. */
const normal = (citation: string) => citation.replace(/\s+/g, '').toLowerCase();

export function GoToParagraph({ editor }: { editor: EditorBridge }) {
  const [error, setError] = useState('');
  return (
    <form
      class="goto-paragraph"
      data-testid="goto-paragraph"
      onSubmit={(e) => {
        e.preventDefault();
        const input = e.currentTarget.elements.namedItem('paragraph') as HTMLInputElement;
        const wanted = normal(input.value);
        if (!wanted) return;
        const view = editor.view.peek();
        const found = [...editor.index.peek().paragraphs].find(
          ([, p]) => normal(p.citation) === wanted,
        );
        if (!view || !found) {
          setError(`No paragraph ${input.value.trim()}.`);
          return;
        }
        setError('');
        input.value = '';
        selectParagraph(view, found[0]);
      }}
    >
      <label>
        {'Go to paragraph '}
        <input name="paragraph" size={6} data-testid="goto-input" autoComplete="off" />
      </label>
      <span class="form-error" role="alert">
        {error}
      </span>
    </form>
  );
}
