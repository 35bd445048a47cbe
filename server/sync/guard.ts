/**
 * Decides, before a client's update touches the live document, which of its parts may stay
 * (issue #15: "decide before applying, item by item"). Nothing here changes the document.
 *
 * Each inserted struct is placed: a string parent is a root key; an ID parent is the item that
 * holds the parent type; no parent means the parent of its `origin` (else `rightOrigin`) item,
 * found in the document's store or among the update's own structs. An insertion is refused when
 *   - it lands inside a locked node (text, a format key, an element, an attribute), found by
 *     walking up to the nodes that carry an `id` attribute, or anywhere in the report when the
 *     locks hold WHOLE_DOCUMENT_LOCK (an adopted report);
 *   - it sets an `id` value another node already has (locked or not);
 *   - it breaks the schema item by item (schema-rules.ts): an unknown element or one its parent
 *     may not hold, text where there may be none, an undeclared attribute or a bad value, a
 *     mark the node does not allow, anything but XmlElement/XmlText content.
 * A refused insertion is rewritten as a GC struct of the same length, so clocks stay continuous
 * and whatever builds on it becomes GC too when Yjs integrates it; the update is re-encoded and
 * its other parts survive. The author gets a delete set for the refused ranges (`retract`).
 *
 * A deletion is dropped when it hits a locked node, content inside one, or a node that contains
 * one (a chapter around an agreed paragraph) with what it holds. Yjs deletions are final on the
 * author's side, so the author has diverged and must rebuild from the server (`resync`).
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { WHOLE_DOCUMENT_LOCK } from '../../shared/revisions.js';
import { REPORT_FRAGMENT } from '../../shared/schema.js';
import {
  markNameOf,
  type NodeRules,
  REPORT_RULES,
  type SchemaRules,
  validAttribute,
  validMarkValue,
} from './schema-rules.js';

export type RefusalKind = 'locked' | 'duplicate-id' | 'schema';

export interface GuardDecision {
  /** What to apply, store and relay: `update` itself when nothing was refused. */
  update: Uint8Array;
  /** For the author: an update deleting what was rewritten as GC, or null. */
  retract: Uint8Array | null;
  /** Deletions of locked content were dropped: the author must rebuild from the server. */
  resync: boolean;
  /** The deleted ranges that were dropped (what the author deleted and the server keeps). */
  dropped: ReadonlyArray<Range>;
  /** Why something was refused, with what it concerned (locked and duplicated ids, names). */
  refused: Map<RefusalKind, Set<string>>;
}

type Decoded = ReturnType<typeof Y.decodeUpdate>;
export interface Range {
  client: number;
  clock: number;
  len: number;
}
// biome-ignore lint/suspicious/noExplicitAny: any shared type
type YType = Y.AbstractType<any>;
type Struct = Decoded['structs'][number];

/** A new type made by the update (a ContentType struct). */
interface NewType {
  kind: 'element' | 'text' | 'other';
  name: string;
  parent: Place;
  refused: boolean;
}

/** Where content lands. */
type Place =
  | { at: 'root'; key: string }
  | { at: 'doc'; type: YType }
  | { at: 'new'; node: NewType }
  /** Inside GC'd or refused content: Yjs turns it into GC. */
  | { at: 'gone' };

const GONE: Place = { at: 'gone' };

interface Resolved {
  place: Place;
  sub: string | null;
  refused: boolean;
  /**
   * Rewritten as GC rather than as a deleted item: when it cannot be placed, or when it is a
   * value of a locked node's attribute (a deleted item integrated there would delete the value).
   */
  gc: boolean;
  node: NewType | null;
}

export interface GuardOptions {
  /** Ids of the locked nodes, or null when nothing is locked. */
  locked: ReadonlySet<string> | null;
  rules?: SchemaRules;
  /**
   * Root keys besides the report that clients may write unchecked (CONCORD_SCRATCH_ROOTS: tests
   * and benchmarks). Any other root key is refused: nothing reads it, so it could only carry
   * hidden data to every client, or claim a name another type will need.
   */
  scratchRoots?: ReadonlySet<string>;
}

const NO_ROOTS: ReadonlySet<string> = new Set();

function stateOf(doc: Y.Doc, client: number): number {
  return Y.getState(doc.store, client);
}

/** The struct of the document's store that holds `id` (it must be below the state). */
function docStruct(doc: Y.Doc, id: Y.ID): Y.Item | Y.GC {
  const structs = doc.store.clients.get(id.client)!;
  return structs[Y.findIndexSS(structs, id.clock)]! as Y.Item | Y.GC;
}

function placeOfDocType(type: unknown): Place {
  if (!(type instanceof Y.AbstractType)) return GONE;
  if (type._item === null) return { at: 'root', key: Y.findRootTypeKey(type) };
  return { at: 'doc', type };
}

function newTypeOf(content: Y.ContentType, parent: Place): NewType {
  const type = content.type;
  if (type instanceof Y.XmlText) return { kind: 'text', name: '#text', parent, refused: false };
  if (type instanceof Y.XmlElement && !(type instanceof Y.XmlHook))
    return { kind: 'element', name: type.nodeName, parent, refused: false };
  return { kind: 'other', name: type.constructor.name, parent, refused: false };
}

export class UpdateGuard {
  private readonly rules: SchemaRules;
  private readonly scratchRoots: ReadonlySet<string>;
  private readonly locked: ReadonlySet<string> | null;
  /** The whole report is locked (adopted): nothing under the report's root may change. */
  private readonly whole: boolean;
  /** The update's structs by client, in clock order. */
  private readonly byClient = new Map<number, Struct[]>();
  private readonly resolved = new Map<Struct, Resolved | 'busy'>();
  private readonly lockedOfType = new Map<YType, string | null>();
  private readonly refused = new Map<RefusalKind, Set<string>>();
  /** Ids of live nodes, made when an `id` value has to be checked. */
  private taken: Map<string, YType> | null = null;
  /** Ids this update sets (accepted so far). */
  private readonly newIds = new Set<string>();
  /** Deleted ranges dropped from the update. */
  private dropped: Range[] = [];
  /** Items of the document this update deletes (and may: not dropped). */
  private deletedTypes: Set<Y.Item> | null = null;

  constructor(
    private readonly doc: Y.Doc,
    private readonly decoded: Decoded,
    options: GuardOptions,
  ) {
    this.rules = options.rules ?? REPORT_RULES;
    this.scratchRoots = options.scratchRoots ?? NO_ROOTS;
    this.locked = options.locked && options.locked.size > 0 ? options.locked : null;
    this.whole = this.locked?.has(WHOLE_DOCUMENT_LOCK) ?? false;
    for (const s of decoded.structs) {
      const list = this.byClient.get(s.id.client);
      if (list) list.push(s);
      else this.byClient.set(s.id.client, [s]);
    }
  }

  decide(original: Uint8Array): GuardDecision {
    const { ds } = this.decoded;
    const keptDs = this.locked ? this.filterDeletions(ds) : this.keepOtherRoots(ds);
    let rewritten = false;
    const retract = new Map<number, Array<{ clock: number; len: number }>>();
    const out = new Map<number, Struct[]>();
    for (const [client, structs] of this.byClient) {
      const known = stateOf(this.doc, client);
      const list: Struct[] = [];
      for (const s of structs) {
        const r = s instanceof Y.Item && s.id.clock + s.length > known ? this.resolve(s) : null;
        if (r?.refused) {
          rewritten = true;
          list.push(r.gc ? new Y.GC(s.id, s.length) : asDeleted(s as Y.Item));
          const ranges = retract.get(client) ?? [];
          ranges.push({ clock: s.id.clock, len: s.length });
          retract.set(client, ranges);
        } else list.push(s);
      }
      out.set(client, list);
    }
    const resync = keptDs !== null && keptDs !== ds;
    if (!rewritten && !resync)
      return { update: original, retract: null, resync, dropped: [], refused: this.refused };
    return {
      update: encodeUpdate(out, keptDs ?? ds),
      retract: rewritten ? encodeUpdate(new Map(), { clients: retract }) : null,
      resync,
      dropped: this.dropped,
      refused: this.refused,
    };
  }

  private refuse(kind: RefusalKind, what: string): true {
    const set = this.refused.get(kind);
    if (set) set.add(what);
    else this.refused.set(kind, new Set([what]));
    return true;
  }

  /** The update's struct that holds `id`, if any. */
  private updateStruct(id: Y.ID): Struct | null {
    const list = this.byClient.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return null;
  }

  /** Where the item with `id` is, as parent place and key; null: Yjs would make it GC. */
  private locate(id: Y.ID): { place: Place; sub: string | null } | null {
    if (id.clock < stateOf(this.doc, id.client)) {
      const s = docStruct(this.doc, id);
      if (!(s instanceof Y.Item)) return null;
      return { place: placeOfDocType(s.parent), sub: s.parentSub };
    }
    const s = this.updateStruct(id);
    if (!(s instanceof Y.Item)) return null;
    const r = this.resolve(s);
    return r.refused ? null : { place: r.place, sub: r.sub };
  }

  /** The type held by the item with `id`, as a place (its content's parent). */
  private typeAt(id: Y.ID): Place | null {
    if (id.clock < stateOf(this.doc, id.client)) {
      const s = docStruct(this.doc, id);
      if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentType)) return null;
      return placeOfDocType(s.content.type);
    }
    const s = this.updateStruct(id);
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentType)) return null;
    const r = this.resolve(s);
    return r.refused || !r.node ? null : { at: 'new', node: r.node };
  }

  private resolve(s: Y.Item): Resolved {
    const done = this.resolved.get(s);
    if (done === 'busy') return { place: GONE, sub: null, refused: true, gc: true, node: null };
    if (done) return done;
    this.resolved.set(s, 'busy');
    let place: Place = GONE;
    let sub: string | null = s.parentSub;
    let refusedByYjs = false;
    if (s.origin || s.rightOrigin) {
      // Yjs: a neighbour that is GC makes the item GC; else the left one decides the parent.
      const left = s.origin ? this.locate(s.origin) : undefined;
      const right = s.rightOrigin ? this.locate(s.rightOrigin) : undefined;
      const from = left ?? right;
      if (left === null || right === null || !from) refusedByYjs = true;
      else {
        place = from.place;
        sub = from.sub;
      }
    } else if (typeof s.parent === 'string') {
      place = { at: 'root', key: s.parent };
    } else if (s.parent instanceof Y.ID) {
      const p = this.typeAt(s.parent);
      if (p === null) refusedByYjs = true;
      else place = p;
    } else {
      refusedByYjs = true;
    }
    const node = s.content instanceof Y.ContentType ? newTypeOf(s.content, place) : null;
    const gc = refusedByYjs || place.at === 'gone';
    const refused = gc || this.refuses(s, place, sub, node);
    if (node) node.refused = refused;
    const r: Resolved = {
      place,
      sub,
      refused,
      gc:
        gc ||
        (refused &&
          // Under a root key other than the report's, not even a deleted item is kept: it would
          // create the key (or, as a map value, delete the server's own, DOCUMENT_META).
          ((place.at === 'root' && place.key !== REPORT_FRAGMENT) ||
            (sub !== null && this.locked !== null && this.lockedAt(place) !== null))),
      node,
    };
    this.resolved.set(s, r);
    return r;
  }

  /** Does the guard refuse item `s`, placed in `place` under key `sub`? */
  private refuses(s: Y.Item, place: Place, sub: string | null, node: NewType | null): boolean {
    if (this.locked) {
      const id = this.lockedAt(place);
      if (id !== null) return this.refuse('locked', id);
    }
    const content = s.content;
    if (content instanceof Y.ContentDeleted) return false;
    const parent = this.rulesAt(place);
    if (parent === 'unchecked') return false;
    if (parent === 'text') {
      if (sub !== null) return this.refuse('schema', 'an attribute on text');
      if (content instanceof Y.ContentString) return false;
      if (content instanceof Y.ContentFormat) {
        const rules = this.textOwner(place);
        const mark = markNameOf(content.key);
        if (!rules?.marks.has(mark) || !validMarkValue(content.value))
          return this.refuse('schema', `mark ${mark}`);
        return false;
      }
      return this.refuse('schema', `${content.constructor.name} in text`);
    }
    if (parent === null)
      return this.refuse(
        'schema',
        place.at === 'root' ? `root key ${place.key.slice(0, 64)}` : 'content in an unknown place',
      );
    if (sub !== null) {
      if (place.at === 'root') return this.refuse('schema', `attribute ${sub} on the root`);
      const value = content instanceof Y.ContentAny ? content.arr : null;
      if (value?.length !== 1 || !validAttribute(parent, sub, value[0]))
        return this.refuse('schema', `attribute ${sub} of ${parent.name}`);
      if (sub === 'id' && this.rules.identified.has(parent.name))
        return this.idTaken(place, value[0]);
      return false;
    }
    if (!node) return this.refuse('schema', `${content.constructor.name} in ${parent.name}`);
    if (node.kind === 'text')
      return parent.text ? false : this.refuse('schema', `text in ${parent.name}`);
    if (node.kind === 'element' && parent.children.has(node.name)) return false;
    return this.refuse('schema', `${node.name} in ${parent.name}`);
  }

  /** The rules for content placed in `place`: a node's, 'text' for a text, null when unknown. */
  private rulesAt(place: Place): NodeRules | 'text' | 'unchecked' | null {
    switch (place.at) {
      case 'root':
        if (place.key === REPORT_FRAGMENT) return this.rules.top;
        // The document's facts (its schema version, DOCUMENT_META) are the server's to write;
        // no other root key is read by the server or the clients.
        return this.scratchRoots.has(place.key) ? 'unchecked' : null;
      case 'new':
        if (place.node.kind === 'text') return 'text';
        return place.node.kind === 'element'
          ? (this.rules.nodes.get(place.node.name) ?? null)
          : null;
      case 'doc': {
        const t = place.type;
        if (t instanceof Y.XmlText) return 'text';
        if (t instanceof Y.XmlElement && !(t instanceof Y.XmlHook))
          return this.rules.nodes.get(t.nodeName) ?? null;
        return null;
      }
      default:
        return null;
    }
  }

  /** The rules of the element that holds the text at `place`. */
  private textOwner(place: Place): NodeRules | null {
    const parent =
      place.at === 'new'
        ? place.node.parent
        : place.at === 'doc'
          ? placeOfDocType(place.type._item?.parent)
          : GONE;
    const rules = this.rulesAt(parent);
    return rules === 'text' || rules === 'unchecked' ? null : rules;
  }

  /** The locked id of the node at `place` or around it, or null. */
  private lockedAt(place: Place): string | null {
    if (place.at === 'new') return this.lockedAt(place.node.parent);
    if (place.at === 'root')
      return this.whole && place.key === REPORT_FRAGMENT ? WHOLE_DOCUMENT_LOCK : null;
    if (place.at !== 'doc') return null;
    return this.lockedOf(place.type);
  }

  private lockedOf(type: YType): string | null {
    const cached = this.lockedOfType.get(type);
    if (cached !== undefined) return cached;
    let id: string | null = null;
    if (type instanceof Y.XmlElement) {
      const value = type.getAttribute('id');
      if (typeof value === 'string' && this.locked!.has(value)) id = value;
    }
    if (id === null) {
      const parent = type._item?.parent;
      if (parent instanceof Y.AbstractType) id = this.lockedOf(parent);
      else if (this.whole && type._item === null && Y.findRootTypeKey(type) === REPORT_FRAGMENT)
        id = WHOLE_DOCUMENT_LOCK;
    }
    this.lockedOfType.set(type, id);
    return id;
  }

  /** Is `value` (an `id` set on the node at `place`) held by another node? Records it if so. */
  private idTaken(place: Place, value: unknown): boolean {
    const id = value as string;
    this.taken ??= this.liveIds();
    const holder = this.taken.get(id);
    const self = place.at === 'doc' ? place.type : null;
    if ((holder !== undefined && holder !== self) || this.newIds.has(id))
      return this.refuse('duplicate-id', id);
    // Taken now, for the rest of this update (whichever node it was set on).
    this.newIds.add(id);
    return false;
  }

  /** Ids of the document's identified nodes that are live and not deleted by this update. */
  private liveIds(): Map<string, YType> {
    const ids = new Map<string, YType>();
    const deleted = this.decoded.ds;
    const root = this.doc.share.get(REPORT_FRAGMENT);
    const visit = (type: YType) => {
      for (let item = type._start; item !== null; item = item.right) {
        if (item.deleted || !(item.content instanceof Y.ContentType)) continue;
        const child = item.content.type;
        if (!(child instanceof Y.XmlElement)) continue;
        const dropped = this.deletedTypes?.has(item) === false;
        if (!Y.isDeleted(deleted, item.id) || dropped) {
          const id = child.getAttribute('id');
          if (typeof id === 'string' && this.rules.identified.has(child.nodeName))
            ids.set(id, child);
          visit(child);
        }
      }
    };
    if (root) visit(root);
    return ids;
  }

  /**
   * The update's delete set without what would delete locked content; the same object when
   * nothing was dropped.
   */
  private filterDeletions(ds: Decoded['ds']): Decoded['ds'] {
    const drops: Array<{ client: number; clock: number; len: number }> = [];
    const keep: Y.Item[] = [];
    for (const [client, ranges] of ds.clients) {
      const structs = this.doc.store.clients.get(client);
      if (!structs) continue;
      const known = stateOf(this.doc, client);
      for (const r of ranges) {
        const end = Math.min(r.clock + r.len, known);
        if (r.clock >= end) continue;
        for (let i = Y.findIndexSS(structs, r.clock); i < structs.length; i++) {
          const s = structs[i]!;
          if (s.id.clock >= end) break;
          if (!(s instanceof Y.Item) || s.deleted) continue;
          if (this.protects(s)) {
            const from = Math.max(s.id.clock, r.clock);
            drops.push({ client, clock: from, len: Math.min(s.id.clock + s.length, end) - from });
          } else if (s.content instanceof Y.ContentType) keep.push(s);
        }
      }
    }
    this.deletedTypes = new Set(keep);
    if (drops.length === 0) return ds;
    // A node whose deletion is dropped keeps what it holds: deletions inside it go too.
    const droppedTypes = new Set<YType>();
    for (const d of drops) {
      const s = docStruct(this.doc, Y.createID(d.client, d.clock));
      if (s instanceof Y.Item && s.content instanceof Y.ContentType)
        droppedTypes.add(s.content.type);
    }
    for (const [client, ranges] of ds.clients) {
      const structs = this.doc.store.clients.get(client);
      if (!structs) continue;
      const known = stateOf(this.doc, client);
      for (const r of ranges) {
        const end = Math.min(r.clock + r.len, known);
        for (
          let i = r.clock < end ? Y.findIndexSS(structs, r.clock) : structs.length;
          i < structs.length;
          i++
        ) {
          const s = structs[i]!;
          if (s.id.clock >= end) break;
          if (!(s instanceof Y.Item) || s.deleted || this.protects(s)) continue;
          if (insideAny(s, droppedTypes)) {
            const from = Math.max(s.id.clock, r.clock);
            drops.push({ client, clock: from, len: Math.min(s.id.clock + s.length, end) - from });
            if (s.content instanceof Y.ContentType) this.deletedTypes.delete(s);
          }
        }
      }
    }
    this.dropped = drops;
    return subtract(ds, drops);
  }

  /** Is `type` a root type other than the report and the scratch roots? */
  private otherRoot(type: YType): boolean {
    if (type._item !== null) return false;
    const key = Y.findRootTypeKey(type);
    return key !== REPORT_FRAGMENT && !this.scratchRoots.has(key);
  }

  /**
   * `ds` without deletions of what sits directly under a root key other than the report's (the
   * server's document facts, DOCUMENT_META): a few items, looked at one by one. The same object
   * when nothing was dropped.
   */
  private keepOtherRoots(ds: Decoded['ds']): Decoded['ds'] {
    const drops: Array<{ client: number; clock: number; len: number }> = [];
    for (const [key, type] of this.doc.share) {
      if (key === REPORT_FRAGMENT || this.scratchRoots.has(key)) continue;
      const items: Y.Item[] = [...type._map.values()];
      for (let item = type._start; item !== null; item = item.right) items.push(item);
      for (const item of items) {
        if (item.deleted) continue;
        const { client, clock } = item.id;
        const hit = ds.clients
          .get(client)
          ?.some((r) => r.clock < clock + item.length && r.clock + r.len > clock);
        if (hit) {
          this.refuse('schema', `root key ${key.slice(0, 64)}`);
          drops.push({ client, clock, len: item.length });
        }
      }
    }
    this.dropped = drops;
    return drops.length === 0 ? ds : subtract(ds, drops);
  }

  /** May `item` not be deleted: locked, inside a locked node, holding one, or another root's? */
  private protects(item: Y.Item): boolean {
    const parent = item.parent;
    if (parent instanceof Y.AbstractType && this.otherRoot(parent))
      return this.refuse('schema', `root key ${Y.findRootTypeKey(parent).slice(0, 64)}`);
    if (parent instanceof Y.AbstractType) {
      const id = this.lockedOf(parent);
      if (id !== null) return this.refuse('locked', id);
    }
    if (item.content instanceof Y.ContentType) {
      const id = this.lockedWithin(item.content.type);
      if (id !== null) return this.refuse('locked', id);
    }
    return false;
  }

  /** A locked id of `type` or of a node inside it, or null. */
  private lockedWithin(type: YType): string | null {
    if (!(type instanceof Y.XmlElement)) return null;
    const id = type.getAttribute('id');
    if (typeof id === 'string' && this.locked!.has(id)) return id;
    for (let item = type._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentType)) continue;
      const found = this.lockedWithin(item.content.type);
      if (found !== null) return found;
    }
    return null;
  }
}

/**
 * `item` as a deleted item of the same length in the same place. Not GC: Yjs turns anything
 * placed next to a GC struct into GC, so the author's later typing beside a refused insertion
 * would be lost; a deleted item keeps the neighbourhood and shows nothing.
 */
function asDeleted(item: Y.Item): Y.Item {
  return new Y.Item(
    item.id,
    null,
    item.origin,
    null,
    item.rightOrigin,
    item.parent,
    item.parentSub,
    new Y.ContentDeleted(item.length),
  );
}

function insideAny(item: Y.Item, types: ReadonlySet<YType>): boolean {
  for (let p: unknown = item.parent; p instanceof Y.AbstractType; p = p._item?.parent) {
    if (types.has(p)) return true;
  }
  return false;
}

/** `ds` without the ranges in `drops`. */
function subtract(
  ds: Decoded['ds'],
  drops: ReadonlyArray<{ client: number; clock: number; len: number }>,
): Decoded['ds'] {
  const clients = new Map<number, Array<{ clock: number; len: number }>>();
  for (const [client, ranges] of ds.clients) {
    const mine = drops.filter((d) => d.client === client).sort((a, b) => a.clock - b.clock);
    const out: Array<{ clock: number; len: number }> = [];
    for (const r of ranges) {
      let from = r.clock;
      const end = r.clock + r.len;
      for (const d of mine) {
        if (d.clock + d.len <= from || d.clock >= end) continue;
        if (d.clock > from) out.push({ clock: from, len: d.clock - from });
        from = Math.max(from, d.clock + d.len);
      }
      if (from < end) out.push({ clock: from, len: end - from });
    }
    if (out.length > 0) clients.set(client, out);
  }
  return { clients } as Decoded['ds'];
}

/** A V1 update of `structs` (by client, each list continuous) and delete set `ds`. */
function encodeUpdate(
  structs: ReadonlyMap<number, readonly Struct[]>,
  ds: { clients: Map<number, Array<{ clock: number; len: number }>> },
): Uint8Array {
  const enc = new Y.UpdateEncoderV1();
  const clients = [...structs].filter(([, list]) => list.length > 0).sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(enc.restEncoder, clients.length);
  for (const [client, list] of clients) {
    encoding.writeVarUint(enc.restEncoder, list.length);
    enc.writeClient(client);
    encoding.writeVarUint(enc.restEncoder, list[0]!.id.clock);
    for (const s of list) s.write(enc, 0);
  }
  const dsClients = [...ds.clients].sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(enc.restEncoder, dsClients.length);
  for (const [client, ranges] of dsClients) {
    enc.resetDsCurVal();
    encoding.writeVarUint(enc.restEncoder, client);
    encoding.writeVarUint(enc.restEncoder, ranges.length);
    for (const r of ranges) {
      enc.writeDsClock(r.clock);
      enc.writeDsLen(r.len);
    }
  }
  return enc.toUint8Array();
}
