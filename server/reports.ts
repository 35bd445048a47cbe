/** Creating report documents on the server: templates become Yjs updates here, once. */
import crypto from 'node:crypto';
import type { Node as PMNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import * as Y from 'yjs';
import { REPORT_FRAGMENT, schema } from '../shared/schema.js';
import { type TemplateId, templateDocument } from '../shared/templates.js';
import { stampCurrentVersion } from '../shared/upgrade.js';
import { readFragment } from './report-reader.js';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new report id: 16 characters of [a-z0-9] (about 82 bits), matching REPORT_ID_PATTERN. */
export function newReportId(): string {
  const bytes = crypto.randomBytes(16);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** The first update of a new report: the template's content, as the server's own change. */
export function templateUpdate(template: TemplateId, title: string): Uint8Array {
  return documentUpdate(templateDocument(template, title));
}

/** The first update of a new report holding `doc` (a template, an imported text). */
export function documentUpdate(doc: PMNode): Uint8Array {
  const ydoc = new Y.Doc();
  prosemirrorToYXmlFragment(doc, ydoc.getXmlFragment(REPORT_FRAGMENT));
  stampCurrentVersion(ydoc);
  const update = Y.encodeStateAsUpdate(ydoc);
  ydoc.destroy();
  return update;
}

/**
 * The report's text as a ProseMirror document (export, validation, tests). Pure: it never writes
 * to `ydoc` (report-reader.ts), so no read can change the report.
 */
export function reportToProseMirror(ydoc: Y.Doc): PMNode {
  return readFragment(ydoc.getXmlFragment(REPORT_FRAGMENT), schema);
}
