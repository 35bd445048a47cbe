/**
 * ProseMirror plugin that keeps every identified node's id present and unique (rules in ids.ts).
 * Runs in every editor; the server applies the same planIdRepairs when it creates documents.
 *
 * Merging two paragraphs (Backspace at the start of the lower one, Delete at the end of the
 * upper one): the merged paragraph keeps the identity of the one whose text the user kept.
 *   - both have text: the upper one (the lower one's text is appended to it);
 *   - only one has text: that one (Backspace after an empty line removes the empty line);
 *   - neither has text: the UPPER one, whichever key was pressed. The lower line is the one that
 *     disappears (the caret ends on the upper line), and a paragraph the user emptied and then
 *     removed is gone: its threads show "paragraph deleted" (an undo brings it back with them).
 *     prosemirror-commands does the opposite here (joinMaybeClear deletes the empty node before
 *     the cut and leaves the lower one), so the plugin gives the survivor the upper one's
 *     attributes (`emptyJoin`). Threads do not decide it: the emptied paragraph is exactly the
 *     one that has threads, and keeping it for that reason would keep them on a line the user
 *     deleted.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { type EditorState, Plugin, PluginKey, type Transaction } from 'prosemirror-state';
import { identifiedNodes, planIdRepairs } from './ids.js';
import { isTextBlock } from './schema.js';

export const paragraphIdsKey = new PluginKey('paragraphIds');

/** Meta flag y-prosemirror sets on transactions that apply remote Yjs changes. */
function isRemote(tr: Transaction): boolean {
  for (const key of Object.keys((tr as unknown as { meta: Record<string, unknown> }).meta)) {
    if (!key.startsWith('y-sync')) continue;
    const meta = tr.getMeta(key) as { isChangeOrigin?: boolean } | undefined;
    if (meta?.isChangeOrigin) return true;
  }
  return false;
}

/**
 * A local change that merged two adjacent empty paragraphs by deleting the upper one (what
 * joinBackward and joinForward do): the survivor's position now and the upper one's
 * attributes, which it takes (see the rule above). Null for any other change.
 */
function emptyJoin(
  transactions: readonly Transaction[],
  oldState: EditorState,
  newState: EditorState,
): { pos: number; attrs: PMNode['attrs'] } | null {
  const { selection } = oldState;
  const caretIn = selection.$from.parent;
  // Cheap first (this runs on every local change): a caret in an empty paragraph.
  if (!selection.empty || !isTextBlock(caretIn) || caretIn.content.size !== 0) return null;
  const oldParas = identifiedNodes(oldState.doc).filter((n) => isTextBlock(n.node));
  const newParas = identifiedNodes(newState.doc).filter((n) => isTextBlock(n.node));
  if (newParas.length !== oldParas.length - 1) return null;
  // The caret's paragraph and its neighbour: adjacent siblings, both empty.
  const at = oldParas.findIndex((n) => n.pos === selection.$from.before());
  if (at < 0) return null;
  for (const i of [at - 1, at]) {
    const upper = oldParas[i];
    const lower = oldParas[i + 1];
    if (!upper?.id || !lower?.id || upper.id === lower.id) continue;
    if (upper.pos + upper.node.nodeSize !== lower.pos) continue;
    if (upper.node.content.size !== 0 || lower.node.content.size !== 0) continue;
    const survivors = newParas.filter((n) => n.id === lower.id);
    if (newParas.some((n) => n.id === upper.id) || survivors.length !== 1) return null;
    const survivor = survivors[0]!;
    if (survivor.node.content.size !== 0) return null;
    // It must be the lower paragraph itself (mapped), not some other node with its id.
    let mapped = lower.pos;
    for (const tr of transactions) mapped = tr.mapping.map(mapped, 1);
    if (mapped !== survivor.pos) return null;
    return { pos: survivor.pos, attrs: upper.node.attrs };
  }
  return null;
}

export function paragraphIdsPlugin(): Plugin {
  return new Plugin({
    key: paragraphIdsKey,
    appendTransaction(transactions, oldState, newState) {
      if (!transactions.some((tr) => tr.docChanged)) return null;
      const remote = transactions.some(isRemote);
      let keepers: Map<string, number> | undefined;
      if (!remote) {
        // The node that had an id before this change keeps it: map its old position forward.
        keepers = new Map();
        const newById = new Map<string, number[]>();
        for (const n of identifiedNodes(newState.doc)) {
          if (!n.id) continue;
          const list = newById.get(n.id);
          if (list) list.push(n.pos);
          else newById.set(n.id, [n.pos]);
        }
        for (const old of identifiedNodes(oldState.doc)) {
          if (!old.id) continue;
          const candidates = newById.get(old.id);
          if (!candidates || candidates.length < 2) continue;
          let pos = old.pos;
          for (const tr of transactions) pos = tr.mapping.map(pos, 1);
          // A split at the very start leaves an empty first half: the text keeps the identity.
          const mapped = newState.doc.nodeAt(pos);
          if (mapped && mapped.content.size === 0 && old.node.content.size > 0) {
            const withText = candidates.find(
              (p) => (newState.doc.nodeAt(p)?.content.size ?? 0) > 0,
            );
            if (withText !== undefined) pos = withText;
          }
          keepers.set(old.id, pos);
        }
      }
      const joined = remote ? null : emptyJoin(transactions, oldState, newState);
      const repairs = planIdRepairs(newState.doc, { keepers, deterministic: remote });
      if (repairs.length === 0 && !joined) return null;
      const tr = newState.tr;
      for (const r of repairs) tr.setNodeAttribute(r.pos, 'id', r.id);
      if (joined) tr.setNodeMarkup(joined.pos, undefined, joined.attrs);
      // A repair that follows the user's own edit (a split, a merge, a paste) belongs to the
      // same undo step: undoing the edit must undo the repair with it. y-prosemirror records a
      // dispatch in the undo history according to its LAST transaction, so a repair marked
      // "not for history" would take the user's split out of Ctrl-Z. Repairs of remote changes
      // (or of changes kept out of history) stay out of the local history.
      if (remote || transactions.every((t) => t.getMeta('addToHistory') === false)) {
        tr.setMeta('addToHistory', false);
      }
      return tr;
    },
  });
}
