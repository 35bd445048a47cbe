/**
 * The numbers the server shows for a report's live text: numbering.ts's, or, while the report
 * keeps its last revision's numbers, the bis/ter layer over them (shared/bis-ter.ts). What the
 * layer needs (the switch and the last revision's numbers) is read once per report and kept
 * until a revision is issued or the switch changes (forget()).
 */
import type { FastifyInstance } from 'fastify';
import type { Node as PMNode } from 'prosemirror-model';
import { keepRevisionNumbers, type PreviousNumber, previousNumbers } from '../../shared/bis-ter.js';
import { computeNumbering, type Numbering, numberNodes } from '../../shared/numbering.js';
import type { RevisionContent } from '../../shared/revisions.js';

const layers = new Map<string, Promise<ReadonlyMap<string, PreviousNumber> | null>>();

/** Drops what is known of a report's numbering (after an issue or a switch). */
export function forgetNumbering(reportId: string): void {
  layers.delete(reportId);
}

async function readLayer(
  app: FastifyInstance,
  reportId: string,
): Promise<ReadonlyMap<string, PreviousNumber> | null> {
  if (!(await app.storage.getKeepNumbers(reportId))) return null;
  const last = await app.storage.getLastRevision(reportId);
  if (!last) return null;
  return previousNumbers((JSON.parse(last.content) as RevisionContent).nodes);
}

/** The last revision's numbers when the report keeps them, else null. */
export function numberingLayer(
  app: FastifyInstance,
  reportId: string,
): Promise<ReadonlyMap<string, PreviousNumber> | null> {
  let layer = layers.get(reportId);
  if (!layer) {
    layer = readLayer(app, reportId);
    layers.set(reportId, layer);
    layer.catch(() => layers.delete(reportId));
  }
  return layer;
}

/** The live numbering of `doc` with the layer (when there is one) applied. */
export function layeredNumbering(
  doc: PMNode,
  layer: ReadonlyMap<string, PreviousNumber> | null,
): Numbering {
  return layer
    ? computeNumbering(doc, keepRevisionNumbers(numberNodes(doc), layer))
    : computeNumbering(doc);
}
