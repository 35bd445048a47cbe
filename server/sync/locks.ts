/**
 * Locked paragraphs on the sync channel (issue #5): an update from a connection that changes
 * the text or attributes of a locked paragraph, or deletes it, is not kept.
 *
 * While a report has locked paragraphs, client updates are applied with the `GUARDED` origin,
 * which a Y.UndoManager (scope: the whole document, capture timeout 0) tracks. Its
 * `captureTransaction` hook is where the decision is made, in `afterTransaction` (before Yjs
 * garbage-collects what the transaction deleted): a transaction is captured only when it touched
 * a locked paragraph, so a harmless update costs one walk over what it changed and leaves
 * nothing on the undo stack (and nothing kept from garbage collection). A captured transaction is
 * undone at once: the whole update is reverted, also any change it made elsewhere. The undo is
 * an ordinary local transaction of the server's Y.Doc (new items under the server's client id
 * where deleted content is restored); the caller relays it together with the client's update.
 */
import * as Y from 'yjs';

/** Transaction origin of a client update applied while the report has locked paragraphs. */
export const GUARDED: unique symbol = Symbol('concord.guarded-client-update');

/** A shared type as Yjs hands it out (the key type of Transaction.changed). */
type YType = Y.Transaction['changed'] extends Map<infer K, unknown> ? K : never;

/** The node name y-prosemirror gives a paragraph's Y.XmlElement (shared/schema.ts). */
const PARAGRAPH = 'paragraph';

/**
 * Values the attribute `key` of `el` had before `tr` and has now: the current entry (read even
 * when deleted, as in a deleted paragraph) and the entries `tr` overwrote or deleted.
 */
function attributeValues(el: Y.XmlElement, key: string, tr: Y.Transaction): unknown[] {
  const values: unknown[] = [];
  let item: Y.Item | null = el._map.get(key) ?? null;
  let first = true;
  while (item !== null && (first || Y.isDeleted(tr.deleteSet, item.id))) {
    // Content still holds the value: garbage collection runs after afterTransaction.
    values.push(...item.content.getContent());
    first = false;
    item = item.left;
  }
  return values;
}

/** The locked id of `type` when it is a locked paragraph (by its id now or before `tr`). */
function lockedIdOf(type: YType, locked: ReadonlySet<string>, tr: Y.Transaction): string | null {
  if (!(type instanceof Y.XmlElement) || type.nodeName !== PARAGRAPH) return null;
  for (const value of attributeValues(type, 'id', tr)) {
    if (typeof value === 'string' && locked.has(value)) return value;
  }
  return null;
}

/** The locked paragraph `type` is or lies in, or null. */
function enclosingLocked(
  type: YType,
  locked: ReadonlySet<string>,
  tr: Y.Transaction,
): string | null {
  for (let t: YType | null = type; t !== null; ) {
    const id = lockedIdOf(t, locked, tr);
    if (id !== null) return id;
    const parent: unknown = t._item?.parent ?? null;
    t = parent instanceof Y.AbstractType ? parent : null;
  }
  return null;
}

/**
 * Ids of the locked paragraphs that `tr` changed (text, formatting, attributes, children) or
 * deleted (itself, or with a chapter around it). Empty when it touched none.
 */
export function lockedParagraphsTouched(
  tr: Y.Transaction,
  locked: ReadonlySet<string>,
): Set<string> {
  const hit = new Set<string>();
  for (const type of tr.changed.keys()) {
    const id = enclosingLocked(type, locked, tr);
    if (id !== null) hit.add(id);
  }
  Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
    if (!(struct instanceof Y.Item)) return;
    if (struct.content instanceof Y.ContentType) {
      const id = lockedIdOf(struct.content.type, locked, tr);
      if (id !== null) {
        hit.add(id);
        return;
      }
    }
    if (struct.parent instanceof Y.AbstractType) {
      const id = enclosingLocked(struct.parent, locked, tr);
      if (id !== null) hit.add(id);
    }
  });
  return hit;
}

/** Clears the `keep` flag Yjs sets on an item and its ancestors (so they can be collected). */
function release(struct: Y.Item | Y.GC): void {
  let item: Y.Item | null = struct instanceof Y.Item ? struct : null;
  while (item?.keep) {
    item.keep = false;
    const parent: unknown = item.parent;
    item = parent instanceof Y.AbstractType ? parent._item : null;
  }
}

/** Enforces a report's locked paragraphs on the client updates applied through it. */
export class LockGuard {
  private readonly undo: Y.UndoManager;
  private locked: ReadonlySet<string>;
  /** Locked ids the transaction being captured touched. */
  private touched: Set<string> | null = null;

  constructor(
    private readonly doc: Y.Doc,
    locked: ReadonlySet<string>,
  ) {
    this.locked = locked;
    this.undo = new Y.UndoManager(doc, {
      captureTimeout: 0,
      trackedOrigins: new Set([GUARDED]),
      captureTransaction: (tr) => {
        if (tr.origin !== GUARDED) return false;
        const hit = lockedParagraphsTouched(tr, this.locked);
        if (hit.size === 0) return false;
        this.touched = hit;
        return true;
      },
    });
  }

  setLocks(locked: ReadonlySet<string>): void {
    this.locked = locked;
  }

  /**
   * Applies a client's update. When it touched a locked paragraph, it is undone at once and the
   * ids of the locked paragraphs it touched are returned (else null). The update, the undo and
   * anything Yjs does after them are 'update' events of the document, in that order.
   */
  apply(update: Uint8Array): string[] | null {
    this.touched = null;
    try {
      Y.applyUpdate(this.doc, update, GUARDED);
    } finally {
      // Also when applying threw half-way: what was integrated may not stay.
      if (this.undo.undoStack.length > 0) this.revert();
    }
    const touched = this.touched;
    this.touched = null;
    return touched ? [...touched] : null;
  }

  private revert(): void {
    const captured = this.undo.undoStack[this.undo.undoStack.length - 1]!;
    const ownClient = this.doc.clientID;
    const before = Y.getState(this.doc.store, ownClient);
    this.undo.undo();
    // Nothing stays on either stack, and nothing stays protected from garbage collection: the
    // restored copies and the ancestors of what the client deleted would otherwise be kept.
    this.undo.undoStack.length = 0;
    this.undo.redoStack.length = 0;
    this.doc.transact((tr) => {
      Y.iterateDeletedStructs(tr, captured.deletions, release);
      const structs = this.doc.store.clients.get(ownClient) ?? [];
      for (let i = structs.length - 1; i >= 0; i--) {
        const struct = structs[i]!;
        if (struct.id.clock + struct.length <= before) break;
        release(struct);
      }
    }, this);
  }

  destroy(): void {
    this.undo.destroy();
  }
}
