/**
 * The way out of the editor for keyboard users. Tab and Shift-Tab change a paragraph's level
 * in the text, so they cannot also move the focus; Escape, then Tab (or Shift-Tab), leaves the
 * text, as in other accessible editors. Escape announces it; any other key cancels it.
 */
import { type Command, Plugin, PluginKey } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { announce } from '../ui/announce.js';

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta']);

const escapedKey = new PluginKey<boolean>('escapeThenTab');

export const ESCAPE_HINT = 'Tab now leaves the report text (Shift-Tab goes back).';

function reset(view: EditorView): boolean {
  if (escapedKey.getState(view.state)) view.dispatch(view.state.tr.setMeta(escapedKey, false));
  return false;
}

export function escapeThenTabPlugin(): Plugin<boolean> {
  return new Plugin<boolean>({
    key: escapedKey,
    state: {
      init: () => false,
      // Only keys, a click and the focus leaving change it (others' edits arriving do not).
      apply: (tr, escaped) => (tr.getMeta(escapedKey) as boolean | undefined) ?? escaped,
    },
    props: {
      handleKeyDown(view, event) {
        const escaped = escapedKey.getState(view.state) === true;
        if (event.key === 'Escape') {
          if (!escaped) {
            view.dispatch(view.state.tr.setMeta(escapedKey, true));
            announce(ESCAPE_HINT);
          }
          return false;
        }
        if (escaped && event.key !== 'Tab' && !MODIFIERS.has(event.key)) reset(view);
        return false;
      },
      handleDOMEvents: {
        blur: (view) => reset(view),
        mousedown: (view) => reset(view),
      },
    },
  });
}

/**
 * `command` unless Escape was just pressed: then the key is left to the browser (Tab moves the
 * focus out of the text).
 */
export function unlessEscaped(command: Command): Command {
  return (state, dispatch, view) =>
    escapedKey.getState(state) === true ? false : command(state, dispatch, view);
}
