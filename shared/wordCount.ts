/**
 * Word count against the UN's length limit (handbook UN-DOCUMENTS.md): 10,700 words for texts
 * not originating in the Secretariat, footnotes and headings included. Counted as Word counts:
 * whitespace-separated tokens with a letter or digit; computed numbers (which Word's automatic
 * numbering does not count either) are left out.
 */
import type { Node as PMNode } from 'prosemirror-model';
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

/** Containers whose first text block is a heading that counts, and whose content is walked. */
const CONTAINERS = new Set([
  'chapter',
  'section',
  'annex',
  'front_matter',
  'preamble',
  'operative',
]);
const HEADED = new Set(['chapter', 'section', 'annex', 'front_matter']);

/**
 * One text block's words as wordCount(outlineFromDoc(…)) counts them: its text (a line break
 * separates words, except in the title, whose line breaks the outline drops) and its footnotes'
 * text. Cached by node: an unchanged block keeps its node from one document version to the next.
 */
const blockCache = new WeakMap<PMNode, number>();
const titleCache = new WeakMap<PMNode, number>();
function blockWords(block: PMNode, title: boolean): number {
  const cache = title ? titleCache : blockCache;
  const known = cache.get(block);
  if (known !== undefined) return known;
  let text = '';
  let notes = 0;
  block.forEach((inline) => {
    if (inline.isText) text += inline.text ?? '';
    else if (inline.type.name === 'hard_break') text += title ? '' : '\n';
    else if (inline.type.name === 'footnote') {
      let note = '';
      inline.forEach((t) => {
        if (t.isText) note += t.text ?? '';
      });
      notes += countWordsIn(note);
    }
  });
  const words = countWordsIn(text) + notes;
  cache.set(block, words);
  return words;
}

/**
 * The word count of a document, equal to wordCount(outlineFromDoc(doc)) (a test holds them
 * equal) without building the outline: the live count re-reads only the blocks that changed.
 */
export function docWordCount(doc: PMNode, limit = UN_WORD_LIMIT): WordCount {
  let words = 0;
  const title = doc.firstChild;
  if (title?.type.name === 'title') words += blockWords(title, true);
  const walk = (parent: PMNode) => {
    parent.forEach((node) => {
      const name = node.type.name;
      if (CONTAINERS.has(name)) {
        const heading = node.firstChild;
        if (HEADED.has(name) && heading?.isTextblock) words += blockWords(heading, false);
        walk(node);
      } else if (name === 'paragraph') words += blockWords(node, false);
    });
  };
  walk(doc);
  return { words, limit, over: words > limit };
}
