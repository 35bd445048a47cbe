/**
 * Numbers of every identified node, computed from document order and never stored. ONE function,
 * numberNodes, gives them; the screen, the exports and the server all read it (computeNumbering
 * is a view of it by id and position). UN editorial practice (handbook UN-DOCUMENTS.md):
 * - chapters in Roman numerals (I., II.), sections in capitals restarting in each chapter (A.);
 * - paragraphs numbered continuously through the body, chapters and sections alike;
 * - each annex restarts its own paragraph numbering at 1 ("Annex" alone when there is one);
 * - front matter and preambular paragraphs are unnumbered; operative paragraphs are numbered;
 * - sub-paragraphs (a) → (i) → a. → i. under the nearest paragraph above them;
 * - footnotes numbered continuously through the whole document.
 * A later layer (bis/ter numbering against a revision) wraps numberNodes: each entry carries its
 * scope, level and citation parts so it can be renumbered without walking the document again.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { isTextBlock, TEXT_BLOCK_KINDS } from './schema.js';

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
  /** What the margin shows: "13.", "(a)", "(iv)", "b." ('' for an unnumbered paragraph). */
  label: string;
  /** How delegates cite it: "13", "13 (a)", "annex I, 3 (b)", "PP2". */
  citation: string;
}

/**
 * Counter scopes. Paragraphs: 'front' (unnumbered), 'body', 'preamble' (unnumbered),
 * 'operative', 'annex:N' (N = 1-based annex index). Containers: 'front_matter', 'chapters',
 * 'sections:<scope of their parent>', 'annexes'. Footnotes: 'footnotes'.
 */
export type NumberScope = string;

export interface NumberedNode {
  /** The node's id (null until the id repair gives it one). */
  id: string | null;
  /** Node type name (schema.ts identifiedKinds). */
  kind: string;
  pos: number;
  scope: NumberScope;
  /** Sub-paragraph level (0 for paragraphs and every other kind). */
  level: number;
  /** Its count within its scope (and level, for sub-paragraphs), from 1. */
  number: number;
  /** Whether its scope shows numbers (front matter and preambular paragraphs do not). */
  numbered: boolean;
  /** What is shown: "13.", "(a)", "III.", "A.", "Annex II", "4" (a footnote); '' unnumbered. */
  label: string;
  /** How it is cited, e.g. "13 (a)", "III.A", "annex I, 2", "footnote 4", "PP3". */
  citation: string;
  /**
   * The citation's parts, outermost first (["13", "(a)"]; an annex paragraph's first part is
   * "annex I, 2"): a bis/ter layer replaces the part it renumbers and joins them with spaces.
   */
  parts: string[];
}

/** Sub-paragraph labels by level: (a) → (i) → a. → i. */
export function subLabel(level: number, n: number): string {
  if (level === 1) return `(${toLetter(n)})`;
  if (level === 2) return `(${toRoman(n).toLowerCase()})`;
  if (level === 3) return `${toLetter(n)}.`;
  return `${toRoman(n).toLowerCase()}.`;
}

const LEVELS = 5;

/** The paragraph counter of one scope: level-0 count and the sub-paragraph counts below it. */
class ParagraphCounter {
  private readonly counts = new Array<number>(LEVELS).fill(0);
  private readonly parts = new Array<string>(LEVELS).fill('');
  constructor(
    readonly scope: NumberScope,
    private readonly numbered: boolean,
    /** Citation of an unnumbered level-0 paragraph, and the prefix of a numbered one. */
    private readonly cite: (n: number) => string,
  ) {}

  next(level: number): Omit<NumberedNode, 'id' | 'kind' | 'pos'> {
    const l = Math.min(Math.max(level, 0), LEVELS - 1);
    this.counts[l] = this.counts[l]! + 1;
    for (let k = l + 1; k < LEVELS; k++) {
      this.counts[k] = 0;
      this.parts[k] = '';
    }
    const n = this.counts[l]!;
    let label: string;
    if (l === 0) {
      label = this.numbered ? `${n}.` : '';
      this.parts[0] = this.cite(n);
    } else {
      label = subLabel(l, n);
      this.parts[l] = label;
    }
    const parts = this.parts.slice(0, l + 1).filter(Boolean);
    return {
      scope: this.scope,
      level: l,
      number: n,
      numbered: this.numbered || l > 0,
      label,
      citation: parts.join(' '),
      parts,
    };
  }
}

/** Every identified node with its number, in document order. */
export function numberNodes(doc: PMNode): NumberedNode[] {
  const out: NumberedNode[] = [];
  let footnotes = 0;
  let annexCount = 0;
  doc.forEach((child) => {
    if (child.type.name === 'annex') annexCount++;
  });
  const idOf = (node: PMNode) => (node.attrs['id'] as string | null) ?? null;

  const footnotesIn = (block: PMNode, pos: number) => {
    block.forEach((inline, offset) => {
      if (inline.type.name !== 'footnote') return;
      const n = ++footnotes;
      out.push({
        id: idOf(inline),
        kind: inline.type.name,
        pos: pos + 1 + offset,
        scope: 'footnotes',
        level: 0,
        number: n,
        numbered: true,
        label: String(n),
        citation: `footnote ${n}`,
        parts: [`footnote ${n}`],
      });
    });
  };

  const container = (
    node: PMNode,
    pos: number,
    scope: NumberScope,
    n: number,
    label: string,
    citation: string,
  ) => {
    out.push({
      id: idOf(node),
      kind: node.type.name,
      pos,
      scope,
      level: 0,
      number: n,
      numbered: label !== '',
      label,
      citation,
      parts: [citation],
    });
  };

  /** Paragraphs, sections (lettered within `sectionScope`) and headings inside a container. */
  const contents = (
    parent: PMNode,
    parentPos: number,
    counter: ParagraphCounter,
    sectionPrefix: string,
  ) => {
    let sections = 0;
    parent.forEach((node, offset) => {
      const pos = parentPos + 1 + offset;
      if (isTextBlock(node)) {
        out.push({
          id: idOf(node),
          kind: node.type.name,
          pos,
          ...counter.next(Number(node.attrs['level']) || 0),
        });
      } else if (node.type.name === 'section') {
        const letter = toLetter(++sections).toUpperCase();
        container(
          node,
          pos,
          `sections:${counter.scope}`,
          sections,
          `${letter}.`,
          `${sectionPrefix}${letter}`,
        );
        contents(node, pos, counter, sectionPrefix);
        return;
      }
      if (node.isTextblock) footnotesIn(node, pos);
    });
  };

  const body = new ParagraphCounter('body', true, String);
  let chapters = 0;
  let fronts = 0;
  let annexes = 0;
  doc.forEach((node, pos) => {
    const type = node.type.name;
    if (type === 'front_matter') {
      const n = ++fronts;
      container(
        node,
        pos,
        'front_matter',
        n,
        '',
        node.firstChild?.textContent || `front matter ${n}`,
      );
      const heading = node.firstChild?.textContent || 'Front matter';
      contents(node, pos, new ParagraphCounter('front', false, (k) => `${heading} ¶${k}`), '');
    } else if (type === 'chapter') {
      const numeral = toRoman(++chapters);
      container(node, pos, 'chapters', chapters, `${numeral}.`, numeral);
      contents(node, pos, body, `${numeral}.`);
    } else if (type === 'preamble') {
      contents(node, pos, new ParagraphCounter('preamble', false, (k) => `PP${k}`), '');
    } else if (type === 'operative') {
      contents(node, pos, new ParagraphCounter('operative', true, String), '');
    } else if (type === 'annex') {
      const n = ++annexes;
      const name = annexCount === 1 ? 'Annex' : `Annex ${toRoman(n)}`;
      // Cited in running text as "annex I" (lower-case a, the numeral as it is).
      const cited = `a${name.slice(1)}`;
      container(node, pos, 'annexes', n, name, cited);
      const scope = `annex:${n}`;
      contents(node, pos, new ParagraphCounter(scope, true, (k) => `${cited}, ${k}`), `${cited}, `);
    } else if (node.isTextblock) {
      footnotesIn(node, pos);
    }
  });
  return out;
}

export interface Numbering {
  /** Every identified node with its number, in document order (numberNodes). */
  nodes: readonly NumberedNode[];
  /** Paragraph id → its number, for every paragraph with an id. */
  paragraphs: Map<string, ParagraphNumber>;
  /** Position → number, for every paragraph (including those without an id yet). */
  byPos: Map<number, ParagraphNumber>;
  /** Chapter position → Roman numeral. */
  chapters: Map<number, string>;
  /** Id → entry, for every identified node with an id (first occurrence of a duplicate). */
  byId: Map<string, NumberedNode>;
  /** Position → entry, for every identified node. */
  nodeAt: Map<number, NumberedNode>;
}

/**
 * The numbering by id and by position. `nodes` defaults to numberNodes(doc); a layer that
 * renumbers (bis/ter) passes its own entries.
 */
export function computeNumbering(
  doc: PMNode,
  nodes: readonly NumberedNode[] = numberNodes(doc),
): Numbering {
  const paragraphs = new Map<string, ParagraphNumber>();
  const byPos = new Map<number, ParagraphNumber>();
  const chapters = new Map<number, string>();
  const byId = new Map<string, NumberedNode>();
  const nodeAt = new Map<number, NumberedNode>();
  for (const entry of nodes) {
    nodeAt.set(entry.pos, entry);
    if (entry.id && !byId.has(entry.id)) byId.set(entry.id, entry);
    if (entry.scope === 'chapters') chapters.set(entry.pos, entry.citation);
    if (!TEXT_BLOCK_KINDS.has(entry.kind)) continue;
    const number = { label: entry.label, citation: entry.citation };
    byPos.set(entry.pos, number);
    if (entry.id) paragraphs.set(entry.id, number);
  }
  return { nodes, paragraphs, byPos, chapters, byId, nodeAt };
}
