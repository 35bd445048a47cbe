/** The report editor: ProseMirror bound to the session's Y.Doc. */
import { baseKeymap, toggleMark } from 'prosemirror-commands';
import { keymap } from 'prosemirror-keymap';
import { type Command, EditorState, Plugin, type Transaction } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import {
  initProseMirrorDoc,
  redoCommand,
  undoCommand,
  yCursorPlugin,
  ySyncPlugin,
  ySyncPluginKey,
  yUndoPlugin,
} from 'y-prosemirror';
import { paragraphIdsPlugin } from '../../../shared/paragraphIds.js';
import { schema } from '../../../shared/schema.js';
import type { RefuseHistory } from '../consensus/history.js';
import type { ReportSession } from '../sync/session.js';
import { shiftParagraphLevel, splitParagraph } from './commands.js';
import { caretActivityPlugin, remoteCaret, remoteSelection } from './cursors.js';
import { escapeThenTabPlugin, unlessEscaped } from './escapeTab.js';
import { numberingPlugin } from './numbering.js';

/** True for the transactions y-prosemirror makes to show changes that came from Yjs. */
function fromYjs(tr: Transaction): boolean {
  const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined;
  return meta?.isChangeOrigin === true;
}

/**
 * While the editor is read-only, no change of the document may start here: not from a key, a
 * paste or a drop (ProseMirror ignores those when not editable) nor from a plugin (e.g. an id
 * repair). Changes that arrive from the server are shown as usual. So a read-only page never
 * holds text the server does not have.
 */
function readOnlyGuard(isEditable: () => boolean): Plugin {
  return new Plugin({
    filterTransaction: (tr) => !tr.docChanged || isEditable() || fromYjs(tr),
  });
}

/**
 * A plugin may refuse the next undo or redo step by giving its spec `refuseHistory` (the
 * consensus lock does: a step that would change agreed text).
 */
function historyCommand(command: Command, stack: 'undo' | 'redo'): Command {
  return (state, dispatch, view) => {
    for (const plugin of state.plugins) {
      const refuse = (plugin.spec as { refuseHistory?: RefuseHistory }).refuseHistory;
      if (refuse?.(state, stack)) return true;
    }
    return command(state, dispatch, view);
  };
}

/**
 * Creates the editor in `mount`. Call only after the session's first sync: the document then
 * holds the report the server made from its template, so the editor never invents content of
 * its own (two clients seeding an empty document at once would duplicate it).
 *
 * `isEditable` is asked on every update; call `view.setProps({})` when its answer changes.
 */
export function createEditor(
  mount: HTMLElement,
  session: ReportSession,
  isEditable: () => boolean = () => true,
  extraPlugins: readonly Plugin[] = [],
): EditorView {
  const { doc, mapping } = initProseMirrorDoc(session.fragment, schema);
  const state = EditorState.create({
    schema,
    doc,
    plugins: [
      readOnlyGuard(isEditable),
      escapeThenTabPlugin(),
      ySyncPlugin(session.fragment, { mapping }),
      yCursorPlugin(session.awareness, {
        cursorBuilder: remoteCaret,
        selectionBuilder: remoteSelection,
      }),
      caretActivityPlugin(),
      yUndoPlugin(),
      keymap({
        'Mod-z': historyCommand(undoCommand, 'undo'),
        'Mod-y': historyCommand(redoCommand, 'redo'),
        'Mod-Shift-z': historyCommand(redoCommand, 'redo'),
        'Mod-b': toggleMark(schema.marks['strong']!),
        'Mod-i': toggleMark(schema.marks['em']!),
        Enter: splitParagraph,
        Tab: unlessEscaped(shiftParagraphLevel(1)),
        'Shift-Tab': unlessEscaped(shiftParagraphLevel(-1)),
      }),
      keymap(baseKeymap),
      paragraphIdsPlugin(),
      numberingPlugin(),
      ...extraPlugins,
    ],
  });
  return new EditorView(mount, {
    state,
    editable: () => isEditable(),
    attributes: () => ({
      class: isEditable() ? 'report-text' : 'report-text is-read-only',
      // A textbox, so assistive technology may be told whether it is read-only.
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': 'Report text',
      'aria-readonly': String(!isEditable()),
      spellcheck: 'true',
      lang: 'en',
    }),
  });
}
