/**
 * Above the text, for those who may edit it: add a footnote at the caret (its text typed here,
 * then edited in place), cite a document (the selection, or the symbol inserted), add a lettered
 * section, an annex or a front matter block. The commands are client/src/editor/structure.ts.
 */

import { useState } from 'preact/hooks';
import type { Command } from 'prosemirror-state';
import {
  citeDocument,
  insertAnnex,
  insertFootnote,
  insertFrontMatter,
  insertSection,
} from '../editor/structure.js';
import type { EditorBridge } from './editorBridge.js';

export function StructureToolbar(props: { editor: EditorBridge; editable: boolean }) {
  const [footnote, setFootnote] = useState('');
  const [symbol, setSymbol] = useState('');
  const [problem, setProblem] = useState('');
  const view = props.editor.view.value;
  if (!view || !props.editable) return null;

  /** Runs `command` on the editor; says why when it does not apply where the caret is. */
  const run = (command: Command, refused: string): boolean => {
    const done = command(view.state, view.dispatch, view);
    setProblem(done ? '' : refused);
    if (done) view.focus();
    return done;
  };

  return (
    <div class="structure-toolbar" data-testid="structure-toolbar">
      <form
        class="structure-inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (run(insertFootnote(footnote), 'Put the caret in the text where the footnote goes.'))
            setFootnote('');
        }}
      >
        <input
          type="text"
          value={footnote}
          placeholder="Footnote text"
          aria-label="Footnote text"
          data-testid="footnote-text"
          maxLength={2000}
          onInput={(e) => setFootnote(e.currentTarget.value)}
        />
        <button type="submit" data-testid="add-footnote" disabled={footnote.trim() === ''}>
          Add footnote
        </button>
      </form>
      <form
        class="structure-inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (
            run(
              citeDocument(symbol),
              'A document symbol such as A/70/174, with the caret or a selection in the text.',
            )
          )
            setSymbol('');
        }}
      >
        <input
          type="text"
          value={symbol}
          placeholder="A/70/174"
          aria-label="Document symbol"
          data-testid="docref-symbol"
          maxLength={60}
          onInput={(e) => setSymbol(e.currentTarget.value)}
        />
        <button type="submit" data-testid="add-docref" disabled={symbol.trim() === ''}>
          Cite document
        </button>
      </form>
      <span class="structure-buttons">
        <button
          type="button"
          data-testid="add-section"
          onClick={() => run(insertSection, 'Put the caret in a chapter or an annex.')}
        >
          Add section
        </button>
        <button
          type="button"
          data-testid="add-annex"
          onClick={() => run(insertAnnex, 'This document cannot take an annex here.')}
        >
          Add annex
        </button>
        <button
          type="button"
          data-testid="add-front-matter"
          onClick={() =>
            run(insertFrontMatter, 'Front matter goes before the chapters of a report.')
          }
        >
          Add front matter
        </button>
      </span>
      <span class="structure-problem" role="alert" data-testid="structure-problem">
        {problem}
      </span>
    </div>
  );
}
