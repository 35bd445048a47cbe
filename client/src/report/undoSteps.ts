/**
 * Where one undo step ends: once the text has been still for UNDO_STEP_MS. Y.UndoManager alone
 * merges every change made within 500 ms of the previous one into one step; Concord has always
 * ended steps sooner (the side panels' refresh used to do it as a side effect, 50 ms after each
 * change), so that Ctrl-Z takes back one action: a paste, then the deletion right after it.
 */
import { Plugin } from 'prosemirror-state';
import { yUndoPluginKey } from 'y-prosemirror';
import type * as Y from 'yjs';

export const UNDO_STEP_MS = 50;

export function undoStepsPlugin(): Plugin {
  return new Plugin({
    view: (view) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      return {
        update: (v, prev) => {
          if (v.state.doc === prev.doc || timer) return;
          timer = setTimeout(() => {
            timer = null;
            const state = yUndoPluginKey.getState(view.state) as
              | { undoManager?: Y.UndoManager }
              | undefined;
            state?.undoManager?.stopCapturing();
          }, UNDO_STEP_MS);
        },
        destroy: () => {
          if (timer) clearTimeout(timer);
        },
      };
    },
  });
}
