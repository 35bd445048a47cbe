/**
 * The numbers the client shows for the live text: numbering.ts's, or the bis/ter layer over them
 * while the open report keeps its last revision's numbers (lastRevision.ts says which). The
 * editor's margin and the document index (threads, board, matrix) both read this.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { keepRevisionNumbers } from '../../../shared/bis-ter.js';
import { computeNumbering, type Numbering, numberNodes } from '../../../shared/numbering.js';
import { lastRevision } from './lastRevision.js';

export function reportNumbering(doc: PMNode): Numbering {
  const last = lastRevision.peek();
  if (!last?.keepNumbers) return computeNumbering(doc);
  return computeNumbering(doc, keepRevisionNumbers(numberNodes(doc), last.previous));
}
