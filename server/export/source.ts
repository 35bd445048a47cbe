/**
 * What an export is made from: the report's outline (live text, through the shared numbering)
 * with its masthead metadata, and the file name UN practice gives it (symbol and label).
 */
import type { FastifyInstance } from 'fastify';
import { keepRevisionNumbers } from '../../shared/bis-ter.js';
import { type DocumentMetadata, sessionLines } from '../../shared/metadata.js';
import { numberNodes } from '../../shared/numbering.js';
import {
  DEFAULT_META,
  type DocumentMeta,
  fullSymbol,
  type Outline,
  outlineFromDoc,
} from '../../shared/outline.js';
import { reportToProseMirror } from '../reports.js';
import { numberingLayer } from '../revisions/numbering.js';
import type { ReportRecord } from '../storage/types.js';

/** The principal organ a symbol's series names (A/… General Assembly), for the masthead. */
export function organOf(symbol: string): string {
  const series = symbol.split('/')[0];
  return series === 'S'
    ? 'Security Council'
    : series === 'E'
      ? 'Economic and Social Council'
      : DEFAULT_META.organ;
}

/**
 * The masthead data of a report: its document metadata (symbol, distribution, date, original
 * language, session and agenda item lines; the organ from the symbol), the date of its last
 * change while none is set.
 */
export function metaOf(report: ReportRecord, metadata?: DocumentMetadata): DocumentMeta {
  const base: DocumentMeta = { ...DEFAULT_META, date: report.updatedAt.slice(0, 10) };
  if (!metadata) return base;
  return {
    ...base,
    symbol: metadata.symbol || null,
    organ: organOf(metadata.symbol),
    distribution: metadata.distribution,
    date: metadata.date || base.date,
    originalLanguage: metadata.originalLanguage,
    sessionLines: sessionLines(metadata),
  };
}

/** The live text's outline, numbered 5 bis, 5 ter … while the report keeps the last revision's numbers. */
export async function liveOutline(app: FastifyInstance, report: ReportRecord): Promise<Outline> {
  const layer = await numberingLayer(app, report.id);
  const doc = await app.registry.withReport(report.id, (live) => reportToProseMirror(live.ydoc()));
  const numbered = layer ? keepRevisionNumbers(numberNodes(doc), layer) : numberNodes(doc);
  const metadata = await app.storage.getMetadata(report.id);
  return outlineFromDoc(doc, metaOf(report, metadata), numbered);
}

/**
 * File name without extension: the symbol with its label, slashes as hyphens
 * (A/AC.290/2021/CRP.2/Rev.1 → A-AC.290-2021-CRP.2-Rev.1); without a symbol, the title.
 */
export function fileBaseName(meta: DocumentMeta, title: string): string {
  const symbol = fullSymbol(meta);
  const base = symbol ? symbol.replace(/\//g, '-') : title;
  const clean = base
    .normalize('NFKD')
    .replace(/[^\w.\- ]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 120);
  return clean || 'report';
}

/** attachment; filename="…" (ASCII) and filename*= (UTF-8), as RFC 6266 asks. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
