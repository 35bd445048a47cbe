/**
 * Stable identities for every identified node (schema.ts, identifiedKinds: chapters, sections,
 * annexes, front matter blocks, paragraphs and sub-paragraphs, footnotes), wherever it sits.
 *
 * Rules (ARCHITECTURE.md, principle 3):
 * - every identified node has an id; a node without one gets a fresh one;
 * - when two nodes share an id (a split copies attributes, a paste brings ids along), the node
 *   that already had the id before the change keeps it and the other gets a fresh id; for a
 *   split that is the first half;
 * - when two paragraphs merge, the merged one keeps the id of the one whose text it carries, or
 *   of the upper one when neither had text (paragraphIds.ts explains why);
 * - when duplicates arrive from elsewhere (two clients moved the same paragraph at once) every
 *   client repairs them the same way: the first in document order keeps the id and the others get
 *   an id derived deterministically from it, so concurrent repairs write identical values.
 */
import * as random from 'lib0/random';
import type { Node as PMNode } from 'prosemirror-model';
import { IDENTIFIED_NODE_TYPES } from './schema.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A fresh random id: 12 base-36 characters (about 62 bits). */
export function newNodeId(): string {
  let out = '';
  for (let i = 0; i < 12; i++) out += ALPHABET[random.uint32() % 36];
  return out;
}

/** Id derived from a duplicated id: identical on every client that repairs the same duplicate. */
export function derivedNodeId(duplicated: string, occurrence: number, taken: ReadonlySet<string>) {
  // FNV-1a over "id#occurrence", widened until it is free.
  for (let salt = 0; ; salt++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ salt;
    const key = `${duplicated}#${occurrence}#${salt}`;
    for (let i = 0; i < key.length; i++) {
      h1 = Math.imul(h1 ^ key.charCodeAt(i), 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ key.charCodeAt(i), 0x5bd1e995) >>> 0;
    }
    const id = (h1.toString(36) + h2.toString(36)).padStart(12, '0').slice(0, 12);
    if (!taken.has(id)) return id;
  }
}

export interface IdentifiedNode {
  id: string | null;
  pos: number;
  node: PMNode;
}

/**
 * Every identified node in document order, at any depth (a footnote inside a paragraph of a
 * section of an annex included).
 */
export function identifiedNodes(doc: PMNode): IdentifiedNode[] {
  const out: IdentifiedNode[] = [];
  doc.descendants((node, pos) => {
    if (IDENTIFIED_NODE_TYPES.has(node.type.name)) {
      out.push({ id: (node.attrs['id'] as string | null) ?? null, pos, node });
    }
    // Only nodes with children can hold identified nodes (text blocks hold footnotes).
    return node.childCount > 0 && !node.isText;
  });
  return out;
}

export interface IdRepair {
  pos: number;
  id: string;
}

/**
 * Which nodes need a new id, and which id. `keepers` maps an id to the position of the node
 * that must keep it (the node that had it before the change); when absent, the first node in
 * document order keeps it. `fresh` makes ids for nodes that need one: random for a local
 * change, deterministic (derivedNodeId) when repairing what arrived from others.
 */
export function planIdRepairs(
  doc: PMNode,
  options: { keepers?: ReadonlyMap<string, number>; deterministic: boolean },
): IdRepair[] {
  const nodes = identifiedNodes(doc);
  const byId = new Map<string, IdentifiedNode[]>();
  const taken = new Set<string>();
  for (const n of nodes) {
    if (!n.id) continue;
    taken.add(n.id);
    const list = byId.get(n.id);
    if (list) list.push(n);
    else byId.set(n.id, [n]);
  }
  const repairs: IdRepair[] = [];
  const fresh = (base: string, occurrence: number) => {
    let id = options.deterministic ? derivedNodeId(base, occurrence, taken) : newNodeId();
    while (taken.has(id)) id = newNodeId();
    taken.add(id);
    return id;
  };
  for (const [id, list] of byId) {
    if (list.length < 2) continue;
    const keeperPos = options.keepers?.get(id);
    let keeper = list.find((n) => n.pos === keeperPos) ?? list[0]!;
    if (!list.includes(keeper)) keeper = list[0]!;
    let occurrence = 0;
    for (const n of list) {
      if (n === keeper) continue;
      occurrence++;
      repairs.push({ pos: n.pos, id: fresh(id, occurrence) });
    }
  }
  let anonymous = 0;
  for (const n of nodes) {
    if (n.id) continue;
    anonymous++;
    repairs.push({ pos: n.pos, id: fresh(`anon@${n.pos}`, anonymous) });
  }
  return repairs.sort((a, b) => a.pos - b.pos);
}

/** True when every identified node has an id and no two share one. */
export function idsAreUniqueAndPresent(doc: PMNode): boolean {
  const seen = new Set<string>();
  for (const n of identifiedNodes(doc)) {
    if (!n.id || seen.has(n.id)) return false;
    seen.add(n.id);
  }
  return true;
}
