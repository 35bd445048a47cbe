/** Paragraph numbers ("13 (a)") as comments cite them: read from the live text, or cached a minute. */
import type { FastifyInstance } from 'fastify';
import { reportToProseMirror } from '../reports.js';
import { layeredNumbering, numberingLayer } from '../revisions/numbering.js';

/** How long the inbox reuses a report's paragraph numbers. */
const INBOX_NUMBERS_TTL_MS = 60_000;

/**
 * Paragraph id → citation ("13 (a)", or "5 bis" while the report keeps the last revision's
 * numbers) in the report's text as it is now.
 */
export async function paragraphNumbers(
  app: FastifyInstance,
  reportId: string,
): Promise<Map<string, string>> {
  const layer = await numberingLayer(app, reportId);
  return app.registry.withReport(reportId, (live) => {
    const numbering = layeredNumbering(reportToProseMirror(live.ydoc()), layer);
    return new Map([...numbering.paragraphs].map(([id, n]) => [id, n.citation]));
  });
}

/**
 * Paragraph numbers of the reports inbox items point into, kept a minute: every browser polls
 * its inbox, and numbering a report reads its whole text. A failed read gives no numbers.
 */
export function cachedParagraphNumbers(
  app: FastifyInstance,
): (reportId: string) => Promise<Map<string, string>> {
  const cache = new Map<string, { at: number; numbers: Promise<Map<string, string>> }>();
  return (reportId) => {
    const now = Date.now();
    const cached = cache.get(reportId);
    if (cached && now - cached.at < INBOX_NUMBERS_TTL_MS) return cached.numbers;
    for (const [id, c] of cache) if (now - c.at >= INBOX_NUMBERS_TTL_MS) cache.delete(id);
    const numbers = paragraphNumbers(app, reportId).catch(() => new Map<string, string>());
    cache.set(reportId, { at: now, numbers });
    return numbers;
  };
}
