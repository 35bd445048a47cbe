/**
 * Word count against the UN's length limit (handbook UN-DOCUMENTS.md): 10,700 words for texts
 * not originating in the Secretariat, footnotes and headings included. Counted as Word counts:
 * whitespace-separated tokens with a letter or digit; computed numbers (which Word's automatic
 * numbering does not count either) are left out.
 */
import { type Outline, plainText } from './outline.js';

/** The UN limit for documents not originating in the Secretariat. */
export const UN_WORD_LIMIT = 10_700;

export function countWordsIn(text: string): number {
  let n = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) n++;
  return n;
}

export interface WordCount {
  words: number;
  limit: number;
  over: boolean;
}

export function wordCount(outline: Outline, limit = UN_WORD_LIMIT): WordCount {
  let words = countWordsIn(plainText(outline.title));
  for (const b of outline.blocks) words += countWordsIn(plainText(b.inlines));
  for (const f of outline.footnotes) words += countWordsIn(plainText(f.runs));
  return { words, limit, over: words > limit };
}
