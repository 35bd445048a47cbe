/**
 * The plugins the report page adds to the editor (client/src/editor/view.ts makes the editor
 * itself): the bridge the side views read, comment badges, the comment shortcut, consensus, and
 * where undo steps end.
 * A new editor feature of the page goes in this list.
 */
import { keymap } from 'prosemirror-keymap';
import type { Plugin } from 'prosemirror-state';
import { badgeElement } from '../comments/badgeElement.js';
import { badgesPlugin } from '../comments/badges.js';
import type { ReportScope } from './scope.js';
import { undoStepsPlugin } from './undoSteps.js';

export function reportPlugins(scope: ReportScope): Plugin[] {
  return [
    // First: the others' views may read what it knows of this update.
    scope.editor.plugin(),
    badgesPlugin((id, badge) =>
      badgeElement(id, badge, (paragraphId) => scope.comments.showParagraph(paragraphId)),
    ),
    keymap({ 'Mod-Alt-m': () => scope.comments.openForm() }),
    ...scope.consensus.plugins(),
    undoStepsPlugin(),
  ];
}
