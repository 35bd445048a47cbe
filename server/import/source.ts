/**
 * What every reader (plain text, .docx) hands the recogniser: the source's paragraphs in order,
 * as runs with their marks, with whatever the source says about them (a heading style, a list
 * depth, bold throughout), and the footnote texts by their source key. Helpers on runs too.
 */
import type { Inline, Run } from '../../shared/outline.js';
import { HttpError } from '../auth/policy.js';

export interface SourcePara {
  /** Runs, line breaks and footnote references ({footnote: key into SourceDoc.footnotes}). */
  inlines: Inline[];
  /** 1–6 when the source styles it as a heading. */
  heading?: number;
  /** Depth (0-based) when the source numbers it as an automatic list item. */
  listDepth?: number;
  /** Read from a table (a masthead laid out in a table). */
  inTable?: boolean;
}

export interface SourceDoc {
  paras: SourcePara[];
  footnotes: Map<number, Run[]>;
}

/** Input the reader refuses: a 400 (or 413) with a message saying why; nothing is written. */
export class ImportError extends HttpError {
  constructor(statusCode: 400 | 413, message: string) {
    super(statusCode, message);
    this.name = statusCode === 413 ? 'Payload Too Large' : 'Bad Request';
  }
}

const SERIES =
  'A|S|E|ST|CD|DP|TD|UNEP|HRC|CCPR|CERD|CEDAW|CRC|CAT|CRPD|ECE|ESCAP|ECA|ECLAC|ESCWA|ICCD|FCCC|UNW|IDB|PBC|SPLOS';
/** A UN document symbol inside text (A/70/174, A/C.1/70/L.45, S/RES/2240 (2015) not included). */
const SYMBOL_IN_TEXT = new RegExp(
  `(?<![\\w/])(?:${SERIES})(?:/[A-Za-z0-9][A-Za-z0-9.-]*)+(?<![.-])`,
  'g',
);

const WHOLE_SYMBOL = new RegExp(`^${SYMBOL_IN_TEXT.source}$`);

/** Whether a string is a whole document symbol. */
export function isSymbol(s: string): boolean {
  return WHOLE_SYMBOL.test(s);
}

/** Splits runs so that each document symbol in them is its own run with `ref` set. */
export function markSymbols(inlines: readonly Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const i of inlines) {
    if (!('text' in i) || i.ref) {
      out.push(i);
      continue;
    }
    let last = 0;
    for (const m of i.text.matchAll(SYMBOL_IN_TEXT)) {
      if (m.index > last) out.push({ ...i, text: i.text.slice(last, m.index) });
      out.push({ ...i, text: m[0], ref: m[0] });
      last = m.index + m[0].length;
    }
    if (last === 0) out.push(i);
    else if (last < i.text.length) out.push({ ...i, text: i.text.slice(last) });
  }
  return out;
}

/** The plain text of inlines (footnote references left out, line breaks as spaces). */
export function textOf(inlines: readonly Inline[]): string {
  return inlines.map((i) => ('text' in i ? i.text : 'lineBreak' in i ? ' ' : '')).join('');
}

/** The inlines without their first `n` characters of text. */
export function dropChars(inlines: readonly Inline[], n: number): Inline[] {
  const out: Inline[] = [];
  let left = n;
  for (const i of inlines) {
    if (left > 0 && 'text' in i) {
      if (i.text.length <= left) {
        left -= i.text.length;
        continue;
      }
      out.push({ ...i, text: i.text.slice(left) });
      left = 0;
    } else if (left > 0 && 'lineBreak' in i) {
      left -= 1;
    } else out.push(i);
  }
  return out;
}

/** Leading and trailing white space removed, empty runs dropped, neighbours with equal marks merged. */
export function tidy(inlines: readonly Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const i of inlines) {
    if ('text' in i) {
      const text = i.text.replace(/[\t\u00a0]/g, ' ').replace(/ {2,}/g, ' ');
      if (!text) continue;
      const prev = out[out.length - 1];
      if (
        prev &&
        'text' in prev &&
        !!prev.em === !!i.em &&
        !!prev.strong === !!i.strong &&
        !prev.ref &&
        !i.ref
      ) {
        out[out.length - 1] = { ...prev, text: (prev.text + text).replace(/ {2,}/g, ' ') };
      } else out.push({ ...i, text });
    } else out.push(i);
  }
  while (out.length && 'lineBreak' in out[0]!) out.shift();
  while (out.length && 'lineBreak' in out[out.length - 1]!) out.pop();
  const first = out[0];
  if (first && 'text' in first) {
    const t = first.text.replace(/^\s+/, '');
    if (t) out[0] = { ...first, text: t };
    else out.shift();
  }
  const lastRun = out[out.length - 1];
  if (lastRun && 'text' in lastRun) {
    const t = lastRun.text.replace(/\s+$/, '');
    if (t) out[out.length - 1] = { ...lastRun, text: t };
    else out.pop();
  }
  return out;
}

/** True when every letter of the paragraph is bold (a heading written as bold text). */
export function allBold(inlines: readonly Inline[]): boolean {
  const runs = inlines.filter((i): i is Run => 'text' in i && /\S/.test(i.text));
  return runs.length > 0 && runs.every((r) => r.strong);
}

/** Runs without bold (a heading's own bold is the heading's, not the text's). */
export function unbold(inlines: readonly Inline[]): Inline[] {
  return inlines.map((i) => {
    if (!('text' in i) || !i.strong) return i;
    const { strong: _strong, ...rest } = i;
    return rest;
  });
}
