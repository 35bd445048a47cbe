/**
 * What the side views need to know about the text, read once per document version: every
 * paragraph by id (its order, current number, text and chapter) and the chapters in order. The
 * comments panel, the paragraph card, the silences and the board all read this one index.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { isTextBlock } from '../../../shared/schema.js';
import { negotiatedText } from '../../../shared/text.js';
import { reportNumbering } from '../revisions/numbering.js';

export interface ParagraphInfo {
  id: string;
  /** Document order (0-based, over all paragraphs). */
  index: number;
  /** "13", "13 (a)". */
  citation: string;
  text: string;
  /** The text the bracket scan reads (references masked, footnotes in place: shared/text.ts). */
  negotiated: string;
  /** Index into `DocIndex.chapters` (-1: outside any chapter). */
  chapter: number;
}

export interface ChapterInfo {
  /** The chapter node's id ('' when it has none yet). */
  id: string;
  /** "III", "annex I" ('' for front matter, preamble and operative part). */
  numeral: string;
  heading: string;
  /** Its paragraphs' ids, in order. */
  paragraphIds: string[];
}

export interface DocIndex {
  paragraphs: ReadonlyMap<string, ParagraphInfo>;
  chapters: readonly ChapterInfo[];
}

export const EMPTY_INDEX: DocIndex = { paragraphs: new Map(), chapters: [] };

/** Top-level parts that group paragraphs on the board, and their names when they have no heading. */
const PART_NAMES: Readonly<Record<string, string>> = {
  preamble: 'Preamble',
  operative: 'Operative part',
};

/**
 * A paragraph's two texts, by node: a node is immutable, and an unchanged paragraph keeps its
 * node from one document version to the next (ProseMirror and y-prosemirror share them), so
 * typing reads only the paragraph typed into again.
 */
const texts = new WeakMap<PMNode, { text: string; negotiated: string }>();
function textsOf(node: PMNode): { text: string; negotiated: string } {
  let t = texts.get(node);
  if (!t) {
    t = { text: node.textContent, negotiated: negotiatedText(node).text };
    texts.set(node, t);
  }
  return t;
}

export function indexDoc(doc: PMNode | null): DocIndex {
  if (!doc) return EMPTY_INDEX;
  const numbering = reportNumbering(doc);
  const paragraphs = new Map<string, ParagraphInfo>();
  const chapters: ChapterInfo[] = [];
  let index = 0;
  // Every top-level part that holds paragraphs (front matter, chapter, preamble, operative
  // part, annex) is a "chapter" of the index: the board groups paragraphs by it.
  doc.forEach((part, offset) => {
    if (part.isTextblock) return;
    const entry = numbering.nodeAt.get(offset);
    const headed = part.firstChild && part.firstChild.isTextblock && !isTextBlock(part.firstChild);
    const chapter: ChapterInfo = {
      id: entry?.id ?? '',
      numeral: entry && entry.kind !== 'front_matter' ? entry.citation : '',
      heading: headed ? part.firstChild.textContent : (PART_NAMES[part.type.name] ?? ''),
      paragraphIds: [],
    };
    chapters.push(chapter);
    part.descendants((node, pos) => {
      if (!isTextBlock(node)) return !node.isTextblock;
      const id = node.attrs['id'] as string | null;
      // A duplicated id (repaired a moment later) counts where it first occurs.
      if (id && !paragraphs.has(id)) {
        paragraphs.set(id, {
          id,
          index,
          citation: numbering.byPos.get(offset + 1 + pos)?.citation ?? '',
          ...textsOf(node),
          chapter: chapters.length - 1,
        });
        chapter.paragraphIds.push(id);
      }
      index++;
      return false;
    });
  });
  return { paragraphs, chapters };
}

/** "13, 14 (a)": current numbers of paragraphs ("2 deleted" for those no longer there). */
export function citationsOf(index: DocIndex | null, ids: readonly string[]): string {
  if (!index) return '…';
  const known: string[] = [];
  let missing = 0;
  for (const id of ids) {
    const p = index.paragraphs.get(id);
    if (p) known.push(p.citation);
    else missing++;
  }
  return [...known, ...(missing > 0 ? [`${missing} deleted`] : [])].join(', ');
}
