/** The report editor: ProseMirror bound to the session's Y.Doc. */
import { baseKeymap, toggleMark } from 'prosemirror-commands';
import { keymap } from 'prosemirror-keymap';
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import {
  initProseMirrorDoc,
  redoCommand,
  undoCommand,
  yCursorPlugin,
  ySyncPlugin,
  yUndoPlugin,
} from 'y-prosemirror';
import { paragraphIdsPlugin } from '../../../shared/paragraphIds.js';
import { schema } from '../../../shared/schema.js';
import type { ReportSession } from '../sync/session.js';
import { shiftParagraphLevel, splitParagraph } from './commands.js';
import { remoteCaret, remoteSelection } from './cursors.js';
import { numberingPlugin } from './numbering.js';

/**
 * Creates the editor in `mount`. Call only after the session's first sync: the document then
 * holds the report the server made from its template, so the editor never invents content of
 * its own (two clients seeding an empty document at once would duplicate it).
 */
export function createEditor(mount: HTMLElement, session: ReportSession): EditorView {
  const { doc, mapping } = initProseMirrorDoc(session.fragment, schema);
  const state = EditorState.create({
    schema,
    doc,
    plugins: [
      ySyncPlugin(session.fragment, { mapping }),
      yCursorPlugin(session.awareness, {
        cursorBuilder: remoteCaret,
        selectionBuilder: remoteSelection,
      }),
      yUndoPlugin(),
      keymap({
        'Mod-z': undoCommand,
        'Mod-y': redoCommand,
        'Mod-Shift-z': redoCommand,
        'Mod-b': toggleMark(schema.marks['strong']!),
        'Mod-i': toggleMark(schema.marks['em']!),
        Enter: splitParagraph,
        Tab: shiftParagraphLevel(1),
        'Shift-Tab': shiftParagraphLevel(-1),
      }),
      keymap(baseKeymap),
      paragraphIdsPlugin(),
      numberingPlugin(),
    ],
  });
  return new EditorView(mount, {
    state,
    attributes: {
      class: 'report-text',
      'aria-label': 'Report text',
      spellcheck: 'true',
      lang: 'en',
    },
  });
}
