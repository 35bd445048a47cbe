/** The live text's paragraphs as the consensus routes check them: words and citation by id. */
import type { FastifyInstance } from 'fastify';
import { isTextBlock } from '../../shared/schema.js';
import { negotiatedText } from '../../shared/text.js';
import { reportToProseMirror } from '../reports.js';
import { layeredNumbering, numberingLayer } from '../revisions/numbering.js';

/** A paragraph of the live text: its current words and its citation ("13 (a)"). */
export interface ParagraphInfo {
  text: string;
  citation: string;
}

/** Paragraph id → text and number, read from the live Y.Doc (loaded if needed). */
export async function paragraphsOf(
  app: FastifyInstance,
  reportId: string,
): Promise<Map<string, ParagraphInfo>> {
  const layer = await numberingLayer(app, reportId);
  return app.registry.withReport(reportId, (live) => {
    const doc = reportToProseMirror(live.ydoc());
    const numbers = layeredNumbering(doc, layer).paragraphs;
    const out = new Map<string, ParagraphInfo>();
    doc.descendants((node) => {
      if (!isTextBlock(node)) return !node.isTextblock;
      const id = node.attrs['id'] as string | null;
      if (id) {
        out.set(id, { text: negotiatedText(node).text, citation: numbers.get(id)?.citation ?? id });
      }
      return false;
    });
    return out;
  });
}
