/**
 * ProseMirror plugin that keeps chapter and paragraph ids present and unique (rules in ids.ts).
 * Runs in every editor; the server applies the same planIdRepairs when it creates documents.
 */
import { Plugin, PluginKey, type Transaction } from 'prosemirror-state';
import { identifiedNodes, planIdRepairs } from './ids.js';

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
      const repairs = planIdRepairs(newState.doc, { keepers, deterministic: remote });
      if (repairs.length === 0) return null;
      const tr = newState.tr;
      for (const r of repairs) tr.setNodeAttribute(r.pos, 'id', r.id);
      tr.setMeta('addToHistory', false);
      return tr;
    },
  });
}
