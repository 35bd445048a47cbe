/**
 * What the side views need to know about the text, read once per document version: every
 * paragraph by id (its order, current number, text and chapter) and the chapters in order. The
 * comments panel, the paragraph card, the silences and the board all read this one index.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { computeNumbering } from '../../../shared/numbering.js';

export interface ParagraphInfo {
  id: string;
  /** Document order (0-based, over all paragraphs). */
  index: number;
  /** "13", "13 (a)". */
  citation: string;
  text: string;
  /** Index into `DocIndex.chapters` (-1: outside any chapter). */
  chapter: number;
}

export interface ChapterInfo {
  /** The chapter node's id ('' when it has none yet). */
  id: string;
  /** "III" */
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

export function indexDoc(doc: PMNode | null): DocIndex {
  if (!doc) return EMPTY_INDEX;
  const numbering = computeNumbering(doc);
  const paragraphs = new Map<string, ParagraphInfo>();
  const chapters: ChapterInfo[] = [];
  let index = 0;
  let chapter: ChapterInfo | null = null;
  doc.descendants((node, pos) => {
    const type = node.type.name;
    if (type === 'chapter') {
      chapter = {
        id: (node.attrs['id'] as string | null) ?? '',
        numeral: numbering.chapters.get(pos) ?? '',
        heading: '',
        paragraphIds: [],
      };
      chapters.push(chapter);
      return true;
    }
    if (type === 'chapter_heading') {
      if (chapter) chapter.heading = node.textContent;
      return false;
    }
    if (type !== 'paragraph') return type === 'doc';
    const id = node.attrs['id'] as string | null;
    // A duplicated id (repaired a moment later) counts where it first occurs.
    if (id && !paragraphs.has(id)) {
      paragraphs.set(id, {
        id,
        index,
        citation: numbering.byPos.get(pos)?.citation ?? '',
        text: node.textContent,
        chapter: chapter ? chapters.length - 1 : -1,
      });
      chapter?.paragraphIds.push(id);
    }
    index++;
    return false;
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
