/**
 * The footnotes' texts for print: the print stylesheet keeps only each footnote's number in the
 * text, and this list (hidden on screen) gives the notes under the document, numbered as on screen
 * (continuously, in document order). Read straight from the settled document: building the whole
 * outline for it cost tens of milliseconds every time someone typed.
 */
import { useComputed } from '@preact/signals';
import { footnoteTexts } from '../../../shared/outline.js';
import type { EditorBridge } from './editorBridge.js';

export function PrintNotes({ editor }: { editor: EditorBridge }) {
  const notes = useComputed(() => {
    const doc = editor.doc.value;
    return doc ? footnoteTexts(doc).map((text, i) => ({ number: i + 1, text })) : [];
  });
  if (notes.value.length === 0) return null;
  return (
    <section class="print-only print-notes" data-testid="print-notes">
      {notes.value.map((f) => (
        <p key={f.number} class="print-note">
          <sup>{f.number}</sup> {f.text}
        </p>
      ))}
    </section>
  );
}
