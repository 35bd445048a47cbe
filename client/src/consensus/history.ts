/**
 * Undo and redo never reach into locked text. y-prosemirror's undo works on the Y.Doc directly
 * (a Y.UndoManager), so its result arrives in the editor as a change "from Yjs", which the lock
 * filter must let through; left alone, Ctrl-Z after a paragraph was agreed would restore the
 * user's earlier words in it, and only the server's revert would take them back out. So before
 * an undo or redo step runs, this looks at what it would touch: a step that changes a locked
 * paragraph is refused (and dropped from the history, so that older steps stay reachable).
 */
import type { EditorState } from 'prosemirror-state';
import { yUndoPluginKey } from 'y-prosemirror';
import * as Y from 'yjs';
import { TEXT_BLOCK_KINDS } from '../../../shared/schema.js';

/**
 * The spec field `refuseHistory` of a plugin: true when it refused (and handled) the next undo or
 * redo step. The editor's undo and redo keys ask every plugin first (client/src/editor/view.ts).
 */
export type RefuseHistory = (state: EditorState, stack: 'undo' | 'redo') => boolean;

/** The locked paragraph `type` is, or lies in; null when none. */
function lockedAround(type: unknown, locked: ReadonlySet<string>): string | null {
  for (let t: unknown = type; t instanceof Y.AbstractType; t = t._item?.parent ?? null) {
    if (t instanceof Y.XmlElement && TEXT_BLOCK_KINDS.has(t.nodeName)) {
      const id = t.getAttribute('id');
      if (typeof id === 'string' && locked.has(id)) return id;
    }
  }
  return null;
}

/** The first locked paragraph the next `stack` step would change, or null. */
export function lockedInHistoryStep(
  state: EditorState,
  stack: 'undo' | 'redo',
  locked: ReadonlySet<string>,
): string | null {
  if (locked.size === 0) return null;
  const um = (yUndoPluginKey.getState(state) as { undoManager?: Y.UndoManager } | undefined)
    ?.undoManager;
  const step = um && (stack === 'undo' ? um.undoStack : um.redoStack).at(-1);
  if (!um || !step) return null;
  let hit: string | null = null;
  // A transaction that changes nothing, only to iterate the step's items.
  um.doc.transact((tr) => {
    for (const ds of [step.insertions, step.deletions]) {
      Y.iterateDeletedStructs(tr, ds, (struct) => {
        if (hit !== null || !(struct instanceof Y.Item)) return;
        // The item itself may be a locked paragraph (deleted or restored whole) …
        const content = struct.content;
        if (content instanceof Y.ContentType) hit = lockedAround(content.type, locked);
        // … or lie inside one (text, formatting, attributes).
        hit ??= lockedAround(struct.parent, locked);
      });
    }
  });
  return hit;
}

/** Drops the next `stack` step (it can never run while its paragraph is locked). */
export function dropHistoryStep(state: EditorState, stack: 'undo' | 'redo'): void {
  const um = (yUndoPluginKey.getState(state) as { undoManager?: Y.UndoManager } | undefined)
    ?.undoManager;
  if (!um) return;
  (stack === 'undo' ? um.undoStack : um.redoStack).pop();
}
