/**
 * From a source's paragraphs (plain text or .docx) to a UN document's structure: masthead and
 * title; for a report, front matter, chapters (I.), lettered sections (A.), numbered paragraphs,
 * annexes; for a resolution ("The General Assembly,"), preambular and operative paragraphs with
 * their italic lead words; (a)/(i)/a./i. sub-paragraphs. Literal numbers are dropped (Concord
 * computes them); what the reader is unsure of is said, per item, for the preview.
 */
import type { ImportNote } from '../../shared/import.js';
import type { DocumentMetadata } from '../../shared/metadata.js';
import type { Inline, Run } from '../../shared/outline.js';
import { italicise, opensItalic, operativeLead, preambleLead } from './leads.js';
import { mastheadLine } from './masthead.js';
import {
  allBold,
  dropChars,
  markSymbols,
  type SourceDoc,
  type SourcePara,
  textOf,
  tidy,
  unbold,
} from './source.js';

export type ItemKind = 'front' | 'chapter' | 'section' | 'annex' | 'paragraph';

export interface Item {
  kind: ItemKind;
  /** A heading's text or a paragraph's text (labels removed). */
  inlines: Inline[];
  level: number;
  /** For a resolution's paragraphs. */
  part?: 'preamble' | 'operative';
  unsure?: string;
}

export interface Recognised {
  type: 'report' | 'resolution';
  title: Run[];
  metadata: Partial<DocumentMetadata>;
  items: Item[];
  footnotes: Map<number, Run[]>;
  notes: ImportNote[];
}

const ROMAN_NUMERAL = /^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$/;
const LOWER_ROMAN = /^(?=[ivxl])(?:xl|l?x{0,3})(?:ix|iv|v?i{0,3})$/;
const CHAPTER = /^([IVXLC]+)\.\s+(\S.*)$/s;
const SECTION = /^([A-Z])\.\s+(\S.*)$/s;
const ANNEX = /^Annex(?:\s+([IVXLC]+|[A-Z]|\d+))?(?:\s*[:.–—-]?\s+(\S.*))?$/is;
const NUMBERED = /^(\d{1,4})\.(?:\s+|$)/;
const PAREN_LABEL = /^\(([a-z]{1,5})\)(?:\s+|$)/;
const DOT_LABEL = /^([a-z]{1,5})\.(?:\s+|$)/;
/** "The General Assembly," "The Security Council," …: where a resolution's preamble starts. */
const ENACTING = /^The [A-Z][\w ,-]{2,80},$/;

interface Line {
  para: SourcePara;
  inlines: Inline[];
  text: string;
  headingLike: boolean;
}

function lineOf(para: SourcePara): Line {
  const inlines = tidy(para.inlines);
  const text = textOf(inlines).trim();
  return {
    para,
    inlines,
    text,
    headingLike: para.heading !== undefined || (allBold(inlines) && text.length < 300),
  };
}

/** Short, no closing punctuation: how a heading looks in plain text. */
function looksLikeHeading(l: Line): boolean {
  return l.headingLike || (l.text.length <= 160 && !/[.;:,]$/.test(l.text));
}

const prevLetter = (l: string) => String.fromCharCode(l.charCodeAt(0) - 1);

export function recognise(source: SourceDoc): Recognised {
  const notes: ImportNote[] = [];
  const metadata: Partial<DocumentMetadata> = {};
  const items: Item[] = [];
  const lines = source.paras.map(lineOf).filter((l) => l.text !== '');

  const isChapter = (l: Line) => {
    const m = CHAPTER.exec(l.text);
    return !!m && ROMAN_NUMERAL.test(m[1]!) && looksLikeHeading(l);
  };
  const isAnnex = (l: Line) => {
    const m = ANNEX.exec(l.text);
    return !!m && (!m[2] || l.headingLike);
  };
  const isNumbered = (l: Line) => NUMBERED.test(l.text) || l.para.listDepth !== undefined;
  const enacting = lines.findIndex((l) => ENACTING.test(l.text));
  const firstChapter = lines.findIndex(isChapter);
  const firstNumbered = lines.findIndex(isNumbered);
  const firstAnnex = lines.findIndex(isAnnex);

  // Where the body starts; what comes before is masthead, title and (reports) front matter.
  let type: Recognised['type'] = 'report';
  let start: number;
  if (enacting >= 0 && (firstChapter < 0 || enacting < firstChapter)) {
    type = 'resolution';
    start = enacting;
  } else if (firstChapter >= 0) start = firstChapter;
  else {
    start = [firstNumbered, firstAnnex]
      .filter((i) => i >= 0)
      .reduce((a, b) => Math.min(a, b), lines.length);
  }

  // The head: masthead lines, then the title, then (reports) front matter or (a resolution
  // without its enacting line, as Concord's own export writes it) preambular paragraphs. A
  // resolution's masthead lines may come anywhere before its enacting line (sponsors between).
  let title: Run[] = [];
  const head: Line[] = [];
  for (const l of lines.slice(0, start)) {
    const m = type === 'resolution' || head.length === 0 ? mastheadLine(l.text) : null;
    if (!m) head.push(l);
    else if ('set' in m) {
      Object.assign(metadata, m.set);
      if (m.unsure) notes.push({ level: 'unsure', message: m.unsure });
    }
  }
  if (type === 'resolution') {
    const t = head.pop();
    if (t) title = unbold(t.inlines).filter((i): i is Run => 'text' in i);
    for (const l of head) {
      if (/:\s*draft resolution$/i.test(l.text)) metadata.documentType = 'draft-resolution';
      notes.push({ level: 'skipped', message: `Not kept (a masthead line): "${clip(l.text)}"` });
    }
    if (!metadata.documentType) metadata.documentType = 'draft-resolution';
  } else {
    const t = head.shift();
    if (t) title = unbold(t.inlines).filter((i): i is Run => 'text' in i);
    else notes.push({ level: 'unsure', message: 'No title found: the report has none yet.' });
    const preambular =
      firstChapter < 0 &&
      firstNumbered >= 0 &&
      head.length > 0 &&
      head.every((l) => !l.headingLike) &&
      head.filter((l) => preambleLead(l.text) > 0).length * 2 >= head.length;
    if (preambular) {
      type = 'resolution';
      if (!metadata.documentType) metadata.documentType = 'draft-resolution';
      for (const l of head) pushParagraph(items, l.inlines, 0, 'preamble');
    } else {
      for (const l of head) {
        if (looksLikeHeading(l) || items.length === 0) {
          items.push({ kind: 'front', inlines: unbold(l.inlines), level: 0 });
          if (!looksLikeHeading(l))
            items[items.length - 1]!.unsure =
              'Front matter without a heading: its text kept as the heading.';
        } else pushParagraph(items, l.inlines, 0);
      }
    }
  }
  if (type === 'resolution' && enacting >= 0) {
    // The enacting line itself is the preamble's opening, not a paragraph.
    start = enacting + 1;
  }

  // The body.
  let inAnnex = false;
  let operative = type === 'resolution' && items.some((i) => i.part === 'operative');
  let chapters = 0;
  let lastLevel = 0;
  const lastLabel: Array<string | null> = [null, null, null, null, null];
  let lastNumber = 0;
  for (let k = start; k < lines.length; k++) {
    const l = lines[k]!;
    const text = l.text;
    const annex = ANNEX.exec(text);
    if (annex && isAnnex(l)) {
      inAnnex = true;
      lastNumber = 0;
      let heading: Inline[] = annex[2] ? dropChars(l.inlines, text.indexOf(annex[2])) : [];
      const next = lines[k + 1];
      if (!annex[2] && next && !isNumbered(next) && looksLikeHeading(next) && !isAnnex(next)) {
        heading = next.inlines;
        k++;
      }
      items.push({ kind: 'annex', inlines: unbold(heading), level: 0 });
      continue;
    }
    if (type === 'report' && isChapter(l)) {
      const m = CHAPTER.exec(text)!;
      chapters++;
      items.push({
        kind: 'chapter',
        inlines: unbold(dropChars(l.inlines, text.indexOf(m[2]!))),
        level: 0,
      });
      continue;
    }
    const section = SECTION.exec(text);
    if (section && looksLikeHeading(l) && !isNumbered(l)) {
      if (type === 'report' && chapters === 0 && !inAnnex) {
        chapters++;
        items.push({
          kind: 'chapter',
          inlines: [],
          level: 0,
          unsure: 'A section before any chapter: put in an untitled chapter.',
        });
      }
      items.push({
        kind: 'section',
        inlines: unbold(dropChars(l.inlines, text.indexOf(section[2]!))),
        level: 0,
      });
      continue;
    }
    if (l.para.heading !== undefined && type === 'report' && !NUMBERED.test(text)) {
      const kind = l.para.heading <= 1 && !inAnnex ? 'chapter' : 'section';
      if (kind === 'chapter') chapters++;
      items.push({ kind, inlines: unbold(l.inlines), level: 0 });
      continue;
    }

    // Paragraphs.
    const part =
      type === 'resolution' && !inAnnex ? (operative ? 'operative' : 'preamble') : undefined;
    const numbered = NUMBERED.exec(text);
    if (numbered) {
      const n = Number(numbered[1]);
      let unsure: string | undefined;
      if (n !== lastNumber + 1 && n !== 1)
        unsure = `Numbered ${n} in the source after ${lastNumber}: Concord numbers it in sequence.`;
      lastNumber = n;
      if (type === 'resolution' && !inAnnex && !operative) operative = true;
      pushParagraph(
        items,
        dropChars(l.inlines, numbered[0].length),
        0,
        type === 'resolution' && !inAnnex ? 'operative' : undefined,
        unsure,
      );
      lastLevel = 0;
      lastLabel.fill(null);
      continue;
    }
    const paren = PAREN_LABEL.exec(text);
    const dot = lastLevel >= 2 ? DOT_LABEL.exec(text) : null;
    if (paren || dot) {
      const label = (paren ?? dot)![1]!;
      const [letterLevel, romanLevel] = paren ? [1, 2] : [3, 4];
      const letter = /^[a-z]$/.test(label) || /^([a-z])\1+$/.test(label);
      const roman = LOWER_ROMAN.test(label);
      let level: number;
      if (letter && roman)
        level =
          lastLabel[letterLevel] === prevLetter(label) || (label !== 'i' && lastLevel < letterLevel)
            ? letterLevel
            : romanLevel;
      else level = roman ? romanLevel : letterLevel;
      if (letter || roman) {
        lastLabel[level] = label;
        for (let d = level + 1; d < lastLabel.length; d++) lastLabel[d] = null;
        lastLevel = level;
        pushParagraph(items, dropChars(l.inlines, (paren ?? dot)![0].length), level, part);
        continue;
      }
    }
    if (l.para.listDepth !== undefined) {
      const level = Math.min(l.para.listDepth, 4);
      if (level === 0 && type === 'resolution' && !inAnnex) operative = true;
      pushParagraph(
        items,
        l.inlines,
        level,
        type === 'resolution' && !inAnnex && level === 0 ? 'operative' : part,
      );
      lastLevel = level;
      continue;
    }
    // An unnumbered paragraph: the rest of a paragraph cut by a page (footnotes between), or a
    // paragraph of its own.
    const prev = items[items.length - 1];
    if (
      prev?.kind === 'paragraph' &&
      /^[a-z]/.test(text) &&
      !/[.;:!?]$/.test(textOf(prev.inlines).trim())
    ) {
      prev.inlines = tidy([...prev.inlines, { text: ' ' }, ...l.inlines]);
      notes.push({
        level: 'unsure',
        message: `Joined to the paragraph before it (it went on across a page): "${clip(text)}"`,
      });
      continue;
    }
    let unsure: string | undefined;
    if (type === 'resolution' && operative && !inAnnex)
      unsure = 'No number in the source: taken as an operative paragraph.';
    else if (type === 'report' && !inAnnex)
      unsure = 'No number in the source: numbered like the paragraphs around it.';
    pushParagraph(items, l.inlines, 0, part, unsure);
    lastLevel = 0;
  }

  if (type === 'resolution') italicLeads(items, notes);
  return {
    type,
    title: tidy(markSymbols(title)).filter((i): i is Run => 'text' in i),
    metadata,
    items,
    footnotes: source.footnotes,
    notes,
  };
}

function pushParagraph(
  items: Item[],
  inlines: Inline[],
  level: number,
  part?: 'preamble' | 'operative',
  unsure?: string,
) {
  items.push({
    kind: 'paragraph',
    inlines: tidy(markSymbols(inlines)),
    level,
    ...(part ? { part } : {}),
    ...(unsure ? { unsure } : {}),
  });
}

/** Italic lead words of level-0 resolution paragraphs, where the source lost them. */
export function italicLeads(items: Item[], notes: ImportNote[]) {
  let added = 0;
  for (const item of items) {
    if (item.kind !== 'paragraph' || item.level > 0 || !item.part) continue;
    if (opensItalic(item.inlines)) continue;
    const first = item.inlines[0];
    const text = first && 'text' in first ? first.text : '';
    const n = item.part === 'preamble' ? preambleLead(text) : operativeLead(text);
    if (n > 0) {
      item.inlines = tidy(italicise(item.inlines, n));
      added++;
    } else
      item.unsure ??=
        item.part === 'preamble'
          ? 'No participle or adjective recognised as its italic lead words.'
          : 'No verb recognised as its italic lead word.';
  }
  if (added > 0)
    notes.push({
      level: 'unsure',
      message: `Lead words put in italics in ${added} paragraph(s) (the source had none).`,
    });
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
