/**
 * The fingerprint of agreed text: recorded (in the audit event) when a paragraph is agreed, so
 * that anyone can later check that the locked text is still exactly what was agreed.
 */
import crypto from 'node:crypto';
import type { Node as PMNode } from 'prosemirror-model';

/** The paragraph `id` of `doc`, or null. */
export function identifiedNode(doc: PMNode, id: string): PMNode | null {
  let found: PMNode | null = null;
  doc.descendants((node) => {
    if (found) return false;
    if (node.attrs['id'] === id) {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}

/** SHA-256 (hex) of the node's text, marks and attributes as ProseMirror JSON. */
export function agreedTextHash(node: PMNode): string {
  return crypto.createHash('sha256').update(JSON.stringify(node.toJSON())).digest('hex');
}
