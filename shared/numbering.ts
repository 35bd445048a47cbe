/**
 * Paragraph numbers and chapter numerals, computed from document order and never stored.
 * UN editorial practice: chapters in Roman numerals; paragraphs numbered continuously through
 * the whole report; sub-paragraph levels (a) → (i) → a.
 */
import type { Node as PMNode } from 'prosemirror-model';

const ROMAN: ReadonlyArray<[number, string]> = [
  [1000, 'M'],
  [900, 'CM'],
  [500, 'D'],
  [400, 'CD'],
  [100, 'C'],
  [90, 'XC'],
  [50, 'L'],
  [40, 'XL'],
  [10, 'X'],
  [9, 'IX'],
  [5, 'V'],
  [4, 'IV'],
  [1, 'I'],
];

export function toRoman(n: number): string {
  let out = '';
  let rest = n;
  for (const [value, numeral] of ROMAN) {
    while (rest >= value) {
      out += numeral;
      rest -= value;
    }
  }
  return out;
}

/** 1 → a, 26 → z, 27 → aa (UN practice after (z)). */
export function toLetter(n: number): string {
  const letter = String.fromCharCode(97 + ((n - 1) % 26));
  return letter.repeat(Math.floor((n - 1) / 26) + 1);
}

export interface ParagraphNumber {
  /** What the margin shows: "13.", "(a)", "(iv)", "b." */
  label: string;
  /** How delegates cite it: "13", "13 (a)", "13 (a) (iv)". */
  citation: string;
}

export interface Numbering {
  /** Paragraph id → its number, for every paragraph with an id. */
  paragraphs: Map<string, ParagraphNumber>;
  /** Position → number, for every paragraph (including those without an id yet). */
  byPos: Map<number, ParagraphNumber>;
  /** Chapter position → Roman numeral. */
  chapters: Map<number, string>;
}

function subLabel(level: number, n: number): string {
  if (level === 1) return `(${toLetter(n)})`;
  if (level === 2) return `(${toRoman(n).toLowerCase()})`;
  return `${toLetter(n)}.`;
}

export function computeNumbering(doc: PMNode): Numbering {
  const paragraphs = new Map<string, ParagraphNumber>();
  const byPos = new Map<number, ParagraphNumber>();
  const chapters = new Map<number, string>();
  let chapterCount = 0;
  // counters[0] is the paragraph number; counters[k] the k-th sub-paragraph level.
  const counters = [0, 0, 0, 0];
  const parts = ['', '', '', ''];
  doc.descendants((node, pos) => {
    if (node.type.name === 'chapter') {
      chapters.set(pos, toRoman(++chapterCount));
      return true;
    }
    if (node.type.name !== 'paragraph') return node.type.name === 'doc';
    const level = Math.min(Math.max(Number(node.attrs['level']) || 0, 0), counters.length - 1);
    counters[level] = (counters[level] ?? 0) + 1;
    for (let l = level + 1; l < counters.length; l++) counters[l] = 0;
    const label = level === 0 ? `${counters[0]}.` : subLabel(level, counters[level]!);
    parts[level] = level === 0 ? String(counters[0]) : label;
    for (let l = level + 1; l < parts.length; l++) parts[l] = '';
    const citation = parts
      .slice(0, level + 1)
      .filter(Boolean)
      .join(' ');
    const number = { label, citation };
    byPos.set(pos, number);
    const id = node.attrs['id'] as string | null;
    if (id) paragraphs.set(id, number);
    return false;
  });
  return { paragraphs, byPos, chapters };
}
