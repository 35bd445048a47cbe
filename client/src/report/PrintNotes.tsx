/**
 * The footnotes' texts for print: the print stylesheet keeps only each footnote's number in the
 * text, and this list (hidden on screen) gives the notes under the document, numbered as on screen.
 */
import { useComputed } from '@preact/signals';
import { outlineFromDoc, plainText } from '../../../shared/outline.js';
import type { EditorBridge } from './editorBridge.js';

export function PrintNotes({ editor }: { editor: EditorBridge }) {
  const notes = useComputed(() => {
    const doc = editor.doc.value;
    return doc ? outlineFromDoc(doc).footnotes : [];
  });
  if (notes.value.length === 0) return null;
  return (
    <section class="print-only print-notes" data-testid="print-notes">
      {notes.value.map((f) => (
        <p key={f.number} class="print-note">
          <sup>{f.number}</sup> {plainText(f.runs)}
        </p>
      ))}
    </section>
  );
}
