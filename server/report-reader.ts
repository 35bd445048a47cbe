/**
 * Reads a report's Y.XmlFragment as a ProseMirror document without ever writing to the Y.Doc
 * (issue #15). y-prosemirror's own reader deletes from the shared document whatever does not fit
 * the schema, and that deletion would reach every client, unaudited: here nothing is deleted.
 * What the schema does not know is skipped in the result, what a node lacks (a chapter's heading)
 * is filled in, and a child that does not fit where it stands is left out of the result only.
 */
import {
  Fragment,
  type Mark,
  type NodeType,
  type Node as PMNode,
  type Schema,
} from 'prosemirror-model';
import * as Y from 'yjs';
import { markNameOf } from './sync/schema-rules.js';

function marksOf(schema: Schema, attributes: Record<string, unknown> | undefined): Mark[] {
  const marks: Mark[] = [];
  for (const [key, value] of Object.entries(attributes ?? {})) {
    const type = schema.marks[markNameOf(key)];
    if (!type || value === null || typeof value !== 'object') continue;
    try {
      marks.push(type.create(value as Record<string, unknown>));
    } catch {
      // Attributes the mark does not accept: the mark is left out.
    }
  }
  return marks;
}

function textNodes(schema: Schema, text: Y.XmlText): PMNode[] {
  const out: PMNode[] = [];
  for (const op of text.toDelta() as Array<{
    insert: unknown;
    attributes?: Record<string, unknown>;
  }>) {
    if (typeof op.insert !== 'string' || op.insert.length === 0) continue;
    out.push(schema.text(op.insert, marksOf(schema, op.attributes)));
  }
  return out;
}

/** `type`'s attributes from the element's, keeping only declared ones. */
function attrsOf(type: NodeType, el: Y.XmlElement): Record<string, unknown> {
  const given = el.getAttributes() as Record<string, unknown>;
  const attrs: Record<string, unknown> = {};
  for (const key of Object.keys(type.spec.attrs ?? {})) if (key in given) attrs[key] = given[key];
  return attrs;
}

/**
 * A node of `type` holding what of `children` fits, in order: a child that does not fit where it
 * stands is left out, and what is missing before it or at the end is filled in.
 */
function fitted(type: NodeType, attrs: Record<string, unknown>, children: PMNode[]): PMNode | null {
  const kept: PMNode[] = [];
  let match = type.contentMatch;
  for (const given of children) {
    // Marks the node does not allow are left out (the guard refuses new ones).
    const child = given.isText
      ? given.mark(given.marks.filter((m) => type.allowsMarkType(m.type)))
      : given;
    const direct = match.matchType(child.type);
    if (direct) {
      kept.push(child);
      match = direct;
      continue;
    }
    const fill = match.fillBefore(Fragment.from(child));
    if (!fill) continue;
    fill.forEach((n) => {
      kept.push(n);
    });
    kept.push(child);
    match = match.matchFragment(fill)!.matchType(child.type)!;
  }
  const end = match.fillBefore(Fragment.empty, true);
  end?.forEach((n) => {
    kept.push(n);
  });
  try {
    return type.createChecked(attrs, kept);
  } catch {
    return type.createAndFill(attrs) ?? null;
  }
}

function elementNode(schema: Schema, el: Y.XmlElement): PMNode | null {
  const type = schema.nodes[el.nodeName];
  if (!type || type.isText || type === schema.topNodeType) return null;
  return fitted(type, attrsOf(type, el), childNodes(schema, el));
}

function childNodes(schema: Schema, parent: Y.XmlFragment | Y.XmlElement): PMNode[] {
  const out: PMNode[] = [];
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) out.push(...textNodes(schema, child));
    else if (child instanceof Y.XmlElement) {
      const node = elementNode(schema, child);
      if (node) out.push(node);
    }
  }
  return out;
}

/** The fragment as a document of `schema`, read without changing it. */
export function readFragment(fragment: Y.XmlFragment, schema: Schema): PMNode {
  return (
    fitted(schema.topNodeType, {}, childNodes(schema, fragment)) ??
    schema.topNodeType.createAndFill()!
  );
}
