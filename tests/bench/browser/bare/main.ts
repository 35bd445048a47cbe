/**
 * The bare editor stack the browser benchmark compares Concord with: prosemirror-view and
 * prosemirror-state with y-prosemirror's sync, cursor and undo plugins, on Concord's schema,
 * synced through the stock y-websocket server. Nothing else. `?ws=<url>&room=<name>`.
 */
import { baseKeymap } from 'prosemirror-commands';
import { keymap } from 'prosemirror-keymap';
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { redo, undo, yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { REPORT_FRAGMENT, schema } from '../../../../shared/schema.js';

const params = new URLSearchParams(location.search);
const doc = new Y.Doc();
const provider = new WebsocketProvider(params.get('ws') ?? '', params.get('room') ?? '', doc, {
  disableBc: true,
});
provider.awareness.setLocalStateField('user', { name: 'Typist', color: '#1f77b4' });
const fragment = doc.getXmlFragment(REPORT_FRAGMENT);
new EditorView(document.getElementById('editor'), {
  state: EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(fragment),
      yCursorPlugin(provider.awareness),
      yUndoPlugin(),
      keymap({ 'Mod-z': undo, 'Mod-y': redo, 'Mod-Shift-z': redo }),
      keymap(baseKeymap),
    ],
  }),
});
