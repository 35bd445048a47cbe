/**
 * Bringing back a client that cannot rebuild its copy (the stock y-websocket client) after the
 * guard dropped some of its deletions (guard.ts): Yjs deletions are final on the author's side,
 * so what it deleted and the server kept stays gone there, however often it syncs. The server
 * replaces each such node by an identical copy (same name, attributes, text and marks, so the
 * same `id`, lock and agreed-text hash) in one transaction of its own, which everyone receives:
 * the author gets the copy, everyone else sees the same content. A Concord client rebuilds from the server instead (notice `resync`), so the server
 * does this only for clients that did not ask for Saved messages.
 *
 * The cost: an edit someone else makes inside the replaced node while the copy is on its way is
 * lost (it lands in the deleted original). Only a stock client's refused deletion causes this.
 */
import * as Y from 'yjs';
import type { Range } from './guard.js';

type Node = Y.XmlElement | Y.XmlText | Y.XmlHook;

/** A new element with `el`'s name, attributes and content, copied deeply. */
export function copyElement(el: Y.XmlElement): Y.XmlElement {
  const out = new Y.XmlElement(el.nodeName);
  for (const [key, value] of Object.entries(el.getAttributes()))
    out.setAttribute(key, value as string);
  out.insert(
    0,
    el.toArray().map((n) => copyNode(n as Node)),
  );
  return out;
}

function copyNode(node: Node): Y.XmlElement | Y.XmlText {
  if (node instanceof Y.XmlText) {
    const text = new Y.XmlText();
    text.applyDelta(node.toDelta());
    for (const [key, value] of Object.entries(node.getAttributes()))
      text.setAttribute(key, value as string);
    return text;
  }
  // The report has no hooks; copied as Yjs does, should one appear.
  if (node instanceof Y.XmlHook) return node.clone() as unknown as Y.XmlElement;
  return copyElement(node);
}

/** Every item of the document in `ranges` (they are below the document's state). */
function itemsIn(doc: Y.Doc, ranges: ReadonlyArray<Range>): Y.Item[] {
  const out: Y.Item[] = [];
  for (const r of ranges) {
    const structs = doc.store.clients.get(r.client);
    if (!structs) continue;
    for (let i = Y.findIndexSS(structs, r.clock); i < structs.length; i++) {
      const s = structs[i]!;
      if (s.id.clock >= r.clock + r.len) break;
      if (s instanceof Y.Item && !s.deleted) out.push(s);
    }
  }
  return out;
}

function isInside(type: Y.AbstractType<unknown>, ancestors: ReadonlySet<unknown>): boolean {
  for (let t: unknown = type; t instanceof Y.AbstractType; t = t._item?.parent)
    if (ancestors.has(t)) return true;
  return false;
}

/**
 * Replaces what the author deleted and the server kept (`dropped`, after the update was applied)
 * so that a client holding those deletions converges. Call inside a transaction of the server's
 * own. Returns how many nodes it replaced.
 *
 * An attribute is repaired by replacing its element too: setting the value again would not do,
 * since the author's refused value (its own, which the server never stored) sits beside the
 * server's on the author's side, and Yjs orders the two by client id, so the author would keep
 * showing its own whenever its client id is the higher. Values under another root key (the
 * server's document facts, which no client reads) are left as they are.
 */
export function repairDropped(doc: Y.Doc, dropped: ReadonlyArray<Range>): number {
  const elements = new Set<Y.XmlElement>();
  for (const item of itemsIn(doc, dropped)) {
    const parent = item.parent;
    if (!(parent instanceof Y.AbstractType)) continue;
    if (item.parentSub === null && item.content instanceof Y.ContentType) {
      if (item.content.type instanceof Y.XmlElement) elements.add(item.content.type);
      continue;
    }
    // Text, a mark, an attribute: the nearest element around it.
    let owner: unknown = parent;
    while (owner instanceof Y.AbstractType && !(owner instanceof Y.XmlElement))
      owner = owner._item?.parent;
    if (owner instanceof Y.XmlElement) elements.add(owner);
  }
  // The outermost ones: a copy of a chapter holds copies of its paragraphs.
  const outer = [...elements].filter((el) => {
    const parent = el._item?.parent;
    return !(parent instanceof Y.AbstractType && isInside(parent, elements));
  });
  let done = 0;
  for (const el of outer) {
    const parent = el.parent as Y.XmlElement | Y.XmlFragment | null;
    if (!parent) continue;
    const index = parent.toArray().indexOf(el);
    if (index < 0) continue;
    parent.insert(index + 1, [copyElement(el)]);
    parent.delete(index, 1);
    done++;
  }
  return done;
}
