/**
 * Plain text (a paste, or a .txt): one paragraph per line. Footnote texts are lines opening
 * with a superscript number (¹ See A/60/687.), their references superscript numbers after a
 * word; a copy from a PDF has them at the bottom of each page, in the middle of the text, and
 * the recogniser joins a paragraph the page cut. Light marks as pasted from formatted sources:
 * *italic*, **bold**, and [A/60/687](…) links, which become document references.
 */
import type { Inline, Run } from '../../shared/outline.js';
import { ImportError, isSymbol, type SourceDoc, type SourcePara } from './source.js';

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUPER_DIGITS = `[${SUPERSCRIPT}]+`;
const FOOTNOTE_LINE = new RegExp(`^(${SUPER_DIGITS})\\s*(\\S.*)$`);
const INLINE = new RegExp(
  `\\[([^\\]\\n]{1,200})\\]\\(([^)\\s]{0,500})\\)|\\*\\*([^*\\n]+?)\\*\\*|\\*([^*\\s](?:[^*\\n]*[^*\\s])?)\\*|(${SUPER_DIGITS})`,
  'g',
);

export function superscriptNumber(s: string): number {
  return Number([...s].map((c) => SUPERSCRIPT.indexOf(c)).join(''));
}

/** The runs and footnote references of one line. */
export function parseInline(line: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const plain = (text: string) => {
    if (text) out.push({ text });
  };
  for (const m of line.matchAll(INLINE)) {
    const at = m.index;
    if (m[5] !== undefined) {
      // A footnote reference only right after text (not a line's own superscript).
      if (at === 0 || /\s/.test(line[at - 1]!)) continue;
      plain(line.slice(last, at));
      out.push({ footnote: superscriptNumber(m[5]) });
    } else if (m[1] !== undefined) {
      plain(line.slice(last, at));
      const text = m[1];
      if (isSymbol(text)) out.push({ text, ref: text });
      else plain(m[0]);
    } else {
      plain(line.slice(last, at));
      out.push(m[3] !== undefined ? { text: m[3], strong: true } : { text: m[4]!, em: true });
    }
    last = at + m[0].length;
  }
  plain(line.slice(last));
  return out;
}

/** Bytes of a text upload as a string: UTF-8 (a BOM allowed), no NUL (a binary file). */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImportError(400, 'Not plain text: the file is not UTF-8 (is it a .docx?).');
  }
  if (text.includes('\u0000'))
    throw new ImportError(400, 'Not plain text: the file holds binary data.');
  return text.replace(/^\ufeff/, '');
}

export function readText(text: string): SourceDoc {
  const paras: SourcePara[] = [];
  const footnotes = new Map<number, Run[]>();
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const note = FOOTNOTE_LINE.exec(line);
    if (note) {
      const runs = parseInline(note[2]!).filter((i): i is Run => 'text' in i);
      footnotes.set(superscriptNumber(note[1]!), runs);
      continue;
    }
    paras.push({ inlines: parseInline(line) });
  }
  if (paras.length === 0) throw new ImportError(400, 'The text is empty: nothing to import.');
  return { paras, footnotes };
}
