/**
 * Upgrading a stored document to the current SCHEMA_VERSION, on the Y.Doc itself (the server
 * runs it when it loads a report, as its own change, so every client receives the result).
 *
 * The version a document was last upgraded to is kept inside the document (DOCUMENT_META map,
 * key `schemaVersion`); a document without it is version 1. Each step is deterministic and
 * idempotent: running an upgrade twice changes nothing the second time.
 */
import * as Y from 'yjs';
import { derivedNodeId, newNodeId } from './ids.js';
import {
  clampLevel,
  IDENTIFIED_NODE_TYPES,
  REPORT_FRAGMENT,
  SCHEMA_VERSION,
  schema,
} from './schema.js';

/** Top-level Y.Map of document facts that are not text (only the schema version today). */
export const DOCUMENT_META = 'concord';
const VERSION_KEY = 'schemaVersion';

/** The schema version the document's content follows (1 when never stamped). */
export function documentSchemaVersion(ydoc: Y.Doc): number {
  const v = ydoc.getMap(DOCUMENT_META).get(VERSION_KEY);
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : 1;
}

function* elements(parent: Y.XmlFragment | Y.XmlElement): Generator<Y.XmlElement> {
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlElement) {
      yield child;
      yield* elements(child);
    }
  }
}

/**
 * 1 → 2. Version 1 had chapters and paragraphs only; version 2 reads every such document as it
 * is. What it needs: paragraph levels that are integers within 0..MAX_PARAGRAPH_LEVEL (older
 * writers could store a string or an out-of-range number), and every identified node with an id
 * of its own wherever it sits (version 1 repaired ids only in chapters, so a duplicate anywhere
 * else stays until now). The first occurrence of an id keeps it, as ids.ts does.
 */
function toVersion2(fragment: Y.XmlFragment): void {
  const taken = new Set<string>();
  const seen = new Map<string, number>();
  const all = [...elements(fragment)];
  for (const el of all) {
    const id = el.getAttribute('id');
    if (typeof id === 'string' && id) taken.add(id);
  }
  let anonymous = 0;
  for (const el of all) {
    if (schema.nodes[el.nodeName]?.spec.attrs?.['level']) {
      const raw = el.getAttribute('level') as unknown;
      const level = clampLevel(raw);
      if (raw !== level && !(raw === undefined && level === 0)) {
        el.setAttribute('level', level as unknown as string);
      }
    }
    if (!IDENTIFIED_NODE_TYPES.has(el.nodeName)) continue;
    const id = el.getAttribute('id');
    if (typeof id !== 'string' || !id) {
      anonymous++;
      let fresh = derivedNodeId(`anon@${el.nodeName}`, anonymous, taken);
      while (taken.has(fresh)) fresh = newNodeId();
      taken.add(fresh);
      el.setAttribute('id', fresh);
      continue;
    }
    const occurrence = seen.get(id) ?? 0;
    seen.set(id, occurrence + 1);
    if (occurrence === 0) continue;
    const fresh = derivedNodeId(id, occurrence, taken);
    taken.add(fresh);
    el.setAttribute('id', fresh);
  }
}

/** Steps by the version they start from. */
const STEPS: Readonly<Record<number, (fragment: Y.XmlFragment) => void>> = {
  1: toVersion2,
};

/**
 * Brings the document up to SCHEMA_VERSION in one transaction (with `origin`). Returns the
 * version it started from; does nothing (and writes nothing) when already current.
 */
export function upgradeDocument(ydoc: Y.Doc, origin: unknown = null): number {
  const from = documentSchemaVersion(ydoc);
  if (from >= SCHEMA_VERSION) return from;
  ydoc.transact(() => {
    const fragment = ydoc.getXmlFragment(REPORT_FRAGMENT);
    for (let v = from; v < SCHEMA_VERSION; v++) STEPS[v]?.(fragment);
    ydoc.getMap(DOCUMENT_META).set(VERSION_KEY, SCHEMA_VERSION);
  }, origin);
  return from;
}

/** Stamps a new document (made from a template at the current version) as current. */
export function stampCurrentVersion(ydoc: Y.Doc): void {
  ydoc.getMap(DOCUMENT_META).set(VERSION_KEY, SCHEMA_VERSION);
}
