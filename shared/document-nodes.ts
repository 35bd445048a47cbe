/**
 * The identified nodes of a document in order, each with its computed number (numbering.ts, or
 * a layer over it such as bis/ter) and its own text: what a revision freezes and what a
 * comparison aligns. Every kind with an `id` counts (paragraphs, containers, footnotes), so kinds
 * the schema adds later are frozen and compared without change here.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { type NumberedNode, numberNodes } from './numbering.js';
import { INLINE_KINDS, TEXT_BLOCK_KINDS } from './schema.js';

export interface DocumentNode {
  id: string;
  kind: string;
  /** Counter scope (numbering.ts NumberScope): 'body', 'annex:1', 'footnotes' … */
  scope: string;
  label: string;
  citation: string;
  /** The citation's parts, outermost first (numbering.ts NumberedNode.parts). */
  parts: string[];
  /** Its own text: a paragraph without its footnotes' text, a container's heading. */
  text: string;
  level: number;
}

/** A text block's own words: inline identified nodes (footnotes) are nodes of their own. */
function ownText(block: PMNode): string {
  let text = '';
  block.forEach((child) => {
    if (child.isText) text += child.text ?? '';
    else if (child.isLeaf && !INLINE_KINDS.has(child.type.name)) text += ' ';
  });
  return text;
}

function textOf(node: PMNode): string {
  if (TEXT_BLOCK_KINDS.has(node.type.name)) return ownText(node);
  if (node.isInline) return node.textContent;
  // A container: its heading (a first child that is an unidentified text block), if any.
  const first = node.firstChild;
  return first?.isTextblock && !TEXT_BLOCK_KINDS.has(first.type.name) ? first.textContent : '';
}

/** Identified nodes in document order; nodes without an id yet are left out. */
export function documentNodes(
  doc: PMNode,
  numbered: readonly NumberedNode[] = numberNodes(doc),
): DocumentNode[] {
  const out: DocumentNode[] = [];
  for (const n of numbered) {
    if (!n.id) continue;
    const node = doc.nodeAt(n.pos);
    if (!node) continue;
    out.push({
      id: n.id,
      kind: n.kind,
      scope: n.scope,
      label: n.label,
      citation: n.citation,
      parts: [...n.parts],
      text: textOf(node),
      level: n.level,
    });
  }
  return out;
}
