/**
 * The document outline every exporter (and the word count) reads: a flat list of blocks with
 * their computed numbers and runs of marked text, plus footnotes, built once from the
 * ProseMirror document. Exporters never walk ProseMirror nodes themselves, so a new node kind is
 * a change to the mapping here, not to each format.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { type NumberedNode, numberNodes } from './numbering.js';

/** A run of text with its marks. `bracket`: inside negotiation square brackets (markBrackets). */
export interface Run {
  text: string;
  em?: true;
  strong?: true;
  /** A cited document symbol (A/70/174): exported as a reference, never as a bracket. */
  ref?: string;
  bracket?: true;
  /** A tracked change (a comparison of two revisions): inserted or deleted text. */
  change?: 'ins' | 'del';
}

/** A footnote reference (1-based, continuous through the document) or a line break. */
export type Inline = Run | { footnote: number } | { lineBreak: true };

export type BlockKind = 'chapter' | 'section' | 'annex' | 'front' | 'paragraph';

/** Where a paragraph stands: what numbers it and how it is laid out. */
export type Part = 'front' | 'body' | 'preamble' | 'operative' | 'annex';

export interface Block {
  /** Headings of containers (chapter, section, annex, front matter) or a paragraph. */
  kind: BlockKind;
  part: Part;
  /** The node's stable id (null before the id repair gives it one). */
  id: string | null;
  /** The computed number as shown: "I.", "A.", "Annex I", "13.", "(a)"; '' when unnumbered. */
  label: string;
  /** Sub-paragraph level, 0 for paragraphs and headings. */
  level: number;
  inlines: Inline[];
  /** A tracked change of the whole block (inserted or deleted paragraph). */
  change?: 'ins' | 'del';
  /** The label with its tracked change (old number deleted, new one inserted). */
  labelRuns?: Run[];
}

export interface Footnote {
  number: number;
  id: string | null;
  runs: Run[];
}

/** Metadata of the masthead and the interchange identification. */
export interface DocumentMeta {
  /** Document symbol, e.g. A/AC.290/2021/CRP.2 (null: none yet). */
  symbol: string | null;
  /** "Rev.1" for a revision, null for the live text. */
  revisionLabel: string | null;
  organ: string;
  distribution: 'General' | 'Limited' | 'Restricted';
  /** YYYY-MM-DD. */
  date: string;
  originalLanguage: string;
  /** Lines under the organ, e.g. "Seventieth session", "Agenda item 93". */
  sessionLines: string[];
  /** Who the document is by, for the AKN author reference (e.g. "gge"). */
  author: string;
}

export interface Outline {
  type: 'report' | 'resolution';
  title: Run[];
  blocks: Block[];
  footnotes: Footnote[];
  meta: DocumentMeta;
}

export const DEFAULT_META: DocumentMeta = {
  symbol: null,
  revisionLabel: null,
  organ: 'General Assembly',
  distribution: 'General',
  date: '1970-01-01',
  originalLanguage: 'English',
  sessionLines: [],
  author: 'group',
};

/** Plain text of runs and inline breaks (footnote references omitted). */
export function plainText(inlines: readonly Inline[]): string {
  return inlines.map((i) => ('text' in i ? i.text : 'lineBreak' in i ? '\n' : '')).join('');
}

/** The symbol with its revision label, e.g. "A/AC.290/2021/CRP.2/Rev.1". */
export function fullSymbol(meta: DocumentMeta): string | null {
  if (!meta.symbol) return null;
  return meta.revisionLabel ? `${meta.symbol}/${meta.revisionLabel}` : meta.symbol;
}

/**
 * The inlines of one block with runs split at negotiation square brackets, `bracket` set on what
 * is inside them (brackets included). A cited symbol's brackets are not negotiation brackets.
 */
export function markBrackets(inlines: readonly Inline[]): Inline[] {
  const state = { depth: 0 };
  const out: Inline[] = [];
  for (const run of inlines) {
    if (!('text' in run)) {
      out.push(run);
      continue;
    }
    if (run.ref) {
      out.push(state.depth > 0 ? { ...run, bracket: true } : run);
      continue;
    }
    let piece = '';
    let inside = state.depth > 0;
    const flush = () => {
      if (piece)
        out.push(inside ? { ...run, text: piece, bracket: true } : { ...run, text: piece });
      piece = '';
    };
    for (const ch of run.text) {
      if (ch === '[') {
        if (state.depth === 0) {
          flush();
          inside = true;
        }
        state.depth++;
        piece += ch;
      } else if (ch === ']' && state.depth > 0) {
        piece += ch;
        state.depth--;
        if (state.depth === 0) {
          flush();
          inside = false;
        }
      } else piece += ch;
    }
    flush();
  }
  return out;
}

function runOf(node: PMNode): Run {
  const run: Run = { text: node.text ?? '' };
  for (const mark of node.marks) {
    if (mark.type.name === 'em') run.em = true;
    else if (mark.type.name === 'strong') run.strong = true;
    else if (mark.type.name === 'docref') run.ref = String(mark.attrs['symbol'] || node.text || '');
  }
  return run;
}

const CONTAINER_KIND: Readonly<Record<string, BlockKind>> = {
  chapter: 'chapter',
  section: 'section',
  annex: 'annex',
  front_matter: 'front',
};

const PART_OF: Readonly<Record<string, Part>> = {
  front_matter: 'front',
  chapter: 'body',
  preamble: 'preamble',
  operative: 'operative',
  annex: 'annex',
};

/** Labels by position, from the shared numbering function (the one the screen shows). */
function labelsByPos(nodes: readonly NumberedNode[]): Map<number, string> {
  return new Map(nodes.map((n) => [n.pos, n.label]));
}

/**
 * The outline of a ProseMirror document, numbered by `numbered` (the shared numbering, or it with
 * the last revision's numbers kept: 5 bis, 5 ter).
 */
export function outlineFromDoc(
  doc: PMNode,
  meta: DocumentMeta = DEFAULT_META,
  numbered: readonly NumberedNode[] = numberNodes(doc),
): Outline {
  const labels = labelsByPos(numbered);
  const blocks: Block[] = [];
  const footnotes: Footnote[] = [];
  let title: Run[] = [];
  let type: Outline['type'] = 'report';

  const inlinesOf = (block: PMNode): Inline[] => {
    const out: Inline[] = [];
    block.forEach((inline) => {
      if (inline.isText) out.push(runOf(inline));
      else if (inline.type.name === 'hard_break') out.push({ lineBreak: true });
      else if (inline.type.name === 'footnote') {
        const runs: Run[] = [];
        inline.forEach((t) => {
          if (t.isText) runs.push(runOf(t));
        });
        const number = footnotes.length + 1;
        footnotes.push({ number, id: (inline.attrs['id'] as string | null) ?? null, runs });
        out.push({ footnote: number });
      }
    });
    return out;
  };

  const walk = (parent: PMNode, parentPos: number, part: Part) => {
    parent.forEach((node, offset) => {
      const pos = parentPos + 1 + offset;
      const name = node.type.name;
      const id = (node.attrs['id'] as string | null | undefined) ?? null;
      const containerKind = CONTAINER_KIND[name];
      if (containerKind) {
        const label = labels.get(pos) ?? '';
        const heading = node.firstChild;
        blocks.push({
          kind: containerKind,
          part: PART_OF[name] ?? part,
          id,
          label,
          level: 0,
          inlines: heading?.isTextblock ? inlinesOf(heading) : [],
        });
        walk(node, pos, PART_OF[name] ?? part);
        return;
      }
      if (name === 'preamble' || name === 'operative') {
        type = 'resolution';
        walk(node, pos, PART_OF[name]!);
        return;
      }
      if (name === 'paragraph') {
        blocks.push({
          kind: 'paragraph',
          part,
          id,
          label: labels.get(pos) ?? '',
          level: Number(node.attrs['level']) || 0,
          inlines: inlinesOf(node),
        });
      }
    });
  };

  const titleNode = doc.firstChild;
  if (titleNode?.type.name === 'title')
    title = inlinesOf(titleNode).filter((i): i is Run => 'text' in i);
  walk(doc, -1, 'body');
  return { type, title, blocks, footnotes, meta };
}

/**
 * The footnotes' texts in order, as outlineFromDoc numbers them (a test holds them equal), read
 * without building the outline: the print list of the live page follows every edit.
 */
export function footnoteTexts(doc: PMNode): string[] {
  const out: string[] = [];
  doc.descendants((node) => {
    if (node.type.name !== 'footnote') return !node.isLeaf;
    out.push(node.textContent);
    return false;
  });
  return out;
}
