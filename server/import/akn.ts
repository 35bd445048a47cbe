/**
 * An Akoma Ntoso 3.0 upload: its structure is explicit, so it is read straight into items: a
 * <doc> (report) or <statement> (resolution) with preface (symbol, distribution, date, original
 * language, session lines, title), preamble, mainBody (chapter, section, hcontainer name=
 * "frontMatter", paragraph with intro + list/point for sub-paragraphs), authorialNote footnotes,
 * ref as document references, annexes as attachments. XML with a DOCTYPE is refused before it is
 * parsed (no entity of any kind can expand or fetch); nothing is ever fetched.
 */
import { DOMParser } from '@xmldom/xmldom';
import type { DocumentMetadata } from '../../shared/metadata.js';
import type { Inline, Run } from '../../shared/outline.js';
import { mastheadLine, parseDate } from './masthead.js';
import { type Item, italicLeads, type Recognised } from './recognise.js';
import { dropChars, ImportError, isSymbol, textOf, tidy } from './source.js';

/** Deepest element nesting read (a deeper file is refused, never a stack overflow). */
const MAX_DEPTH = 200;

interface El {
  nodeType: number;
  localName: string | null;
  nodeValue: string | null;
  childNodes: ArrayLike<El>;
  getAttribute(name: string): string | null;
}

const kids = (el: El): El[] => Array.from(el.childNodes).filter((c) => c.nodeType === 1);
const child = (el: El, name: string) => kids(el).find((c) => c.localName === name);

/** Bytes to XML text: UTF-8, no DOCTYPE (so no entity declarations, internal or external). */
export function decodeXml(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImportError(400, 'Not Akoma Ntoso: the file is not UTF-8 XML.');
  }
  text = text.replace(/^\ufeff/, '');
  const declared = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(text)?.[1];
  if (declared && !/^utf-?8$/i.test(declared))
    throw new ImportError(400, `Not UTF-8: the XML declares ${declared}; save it as UTF-8.`);
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new ImportError(
      400,
      'The XML has a DOCTYPE or entity declarations: refused (Akoma Ntoso needs none, and they can expand or fetch).',
    );
  if (!/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*</.test(text))
    throw new ImportError(400, 'Not Akoma Ntoso: the file is not XML.');
  return text;
}

class Reader {
  readonly items: Item[] = [];
  readonly footnotes = new Map<number, Run[]>();
  readonly metadata: Partial<DocumentMetadata> = {};
  title: Run[] = [];

  /** Inline content (footnotes collected as they come). */
  inlines(
    el: El,
    depth: number,
    marks: { em?: true; strong?: true } = {},
    out: Inline[] = [],
  ): Inline[] {
    if (depth > MAX_DEPTH) throw new ImportError(400, 'The XML is nested too deeply.');
    for (const c of Array.from(el.childNodes)) {
      if (c.nodeType === 3 || c.nodeType === 4) {
        if (c.nodeValue) out.push({ text: c.nodeValue.replace(/\s+/g, ' '), ...marks });
        continue;
      }
      if (c.nodeType !== 1) continue;
      const name = c.localName;
      if (name === 'authorialNote' || name === 'note') {
        const key = this.footnotes.size + 1;
        const runs = this.inlines(c, depth + 1).filter((i): i is Run => 'text' in i);
        this.footnotes.set(key, tidy(runs) as Run[]);
        out.push({ footnote: key });
      } else if (name === 'eol' || name === 'br') out.push({ lineBreak: true });
      else if (name === 'b') this.inlines(c, depth + 1, { ...marks, strong: true }, out);
      else if (name === 'i') this.inlines(c, depth + 1, { ...marks, em: true }, out);
      else if (name === 'ref') {
        const text = textOf(this.inlines(c, depth + 1)).trim();
        if (isSymbol(text)) out.push({ text, ref: text, ...marks });
        else this.inlines(c, depth + 1, marks, out);
      } else if (name === 'num') continue;
      else if (name === 'p' && out.length > 0) {
        out.push({ text: ' ' });
        this.inlines(c, depth + 1, marks, out);
      } else this.inlines(c, depth + 1, marks, out);
    }
    return out;
  }

  /** A paragraph (or point) with its sub-paragraphs: the intro/content, then list/point deeper. */
  paragraph(el: El, level: number, part: Item['part'], depth: number) {
    const body = child(el, 'content') ?? child(el, 'intro');
    const inlines = body ? this.inlines(body, depth + 1) : [];
    this.items.push({
      kind: 'paragraph',
      level: Math.min(level, 4),
      inlines: tidy(inlines),
      ...(part ? { part } : {}),
    });
    for (const list of kids(el).filter((c) => c.localName === 'list'))
      for (const point of kids(list).filter(
        (c) => c.localName === 'point' || c.localName === 'paragraph',
      ))
        this.paragraph(point, level + 1, part, depth + 2);
  }

  /** Hierarchical body content. */
  body(el: El, part: Item['part'], depth: number) {
    if (depth > MAX_DEPTH) throw new ImportError(400, 'The XML is nested too deeply.');
    for (const c of kids(el)) {
      const name = c.localName;
      const heading = () => {
        const h = child(c, 'heading');
        return h ? tidy(this.inlines(h, depth + 1)) : [];
      };
      if (name === 'chapter' || name === 'part' || name === 'title' || name === 'book') {
        this.items.push({ kind: 'chapter', level: 0, inlines: heading() });
        this.body(c, part, depth + 1);
      } else if (name === 'section' || name === 'subsection') {
        this.items.push({ kind: 'section', level: 0, inlines: heading() });
        this.body(c, part, depth + 1);
      } else if (name === 'hcontainer' && c.getAttribute('name') === 'frontMatter') {
        this.items.push({ kind: 'front', level: 0, inlines: heading() });
        this.body(c, undefined, depth + 1);
      } else if (name === 'paragraph' || name === 'article' || name === 'point') {
        this.paragraph(c, 0, part, depth + 1);
      } else if (name === 'p' || name === 'container') {
        const inlines = tidy(this.inlines(c, depth + 1));
        if (inlines.length > 0)
          this.items.push({ kind: 'paragraph', level: 0, inlines, ...(part ? { part } : {}) });
      } else if (name !== 'heading' && name !== 'num') this.body(c, part, depth + 1);
    }
  }

  /** Preamble paragraphs; Concord's export writes a sub-paragraph's label before its text. */
  preamble(el: El, depth: number) {
    for (const c of kids(el)) {
      if (c.localName === 'formula' || c.localName === 'citations') {
        this.preamble(c, depth + 1);
        continue;
      }
      const inlines = tidy(this.inlines(c, depth + 1));
      const text = textOf(inlines);
      if (!text.trim() && !inlines.some((i) => 'footnote' in i)) continue;
      if (/^The [A-Z][\w ,-]{2,80},$/.test(text.trim())) continue;
      const label = /^\(([a-z]{1,5})\)\s+/.exec(text);
      const roman =
        label &&
        /^[ivx]+$/.test(label[1]!) &&
        label[1] !== 'i' &&
        label[1] !== 'v' &&
        label[1] !== 'x';
      this.items.push({
        kind: 'paragraph',
        level: label ? (roman ? 2 : 1) : 0,
        inlines: label ? tidy(dropChars(inlines, label[0].length)) : inlines,
        part: 'preamble',
      });
    }
  }

  preface(el: El, depth: number) {
    for (const c of kids(el)) {
      if (c.localName === 'longTitle') {
        this.title = tidy(this.inlines(c, depth + 1)).filter((i): i is Run => 'text' in i);
        continue;
      }
      const date = this.find(c, 'docDate')?.getAttribute('date');
      if (date && parseDate(date)) {
        this.metadata.date = parseDate(date)!;
        continue;
      }
      const line = textOf(this.inlines(c, depth + 1)).trim();
      const cls = c.getAttribute('class');
      if (cls === 'session') {
        if (/^(Agenda item|Item) /i.test(line)) this.metadata.agendaItem = line;
        else this.metadata.session = line;
        continue;
      }
      const m = mastheadLine(line);
      if (m && 'set' in m) Object.assign(this.metadata, m.set);
    }
  }

  find(el: El, name: string): El | undefined {
    if (el.localName === name) return el;
    for (const c of kids(el)) {
      const f = this.find(c, name);
      if (f) return f;
    }
    return undefined;
  }
}

export function readAkn(bytes: Uint8Array): Recognised {
  const text = decodeXml(bytes);
  let error: string | null = null;
  const dom = new DOMParser({
    errorHandler: {
      warning: () => {},
      error: (m: string) => {
        error ??= m;
      },
      fatalError: (m: string) => {
        error ??= m;
      },
    },
  }).parseFromString(text, 'text/xml');
  const root = dom?.documentElement as unknown as El | null;
  if (error || !root)
    throw new ImportError(
      400,
      `Not well-formed XML: ${String(error ?? 'no root element')
        .split('\n')[0]!
        .slice(0, 160)}`,
    );
  if (root.localName !== 'akomaNtoso')
    throw new ImportError(
      400,
      `Not Akoma Ntoso: the root element is <${root.localName}>, not <akomaNtoso>.`,
    );
  const docEl = kids(root)[0];
  if (!docEl) throw new ImportError(400, 'Not Akoma Ntoso: <akomaNtoso> holds no document.');
  const reader = new Reader();
  const resolution = docEl.localName === 'statement' || !!child(docEl, 'preamble');
  const type: Recognised['type'] = resolution ? 'resolution' : 'report';
  const meta = child(docEl, 'meta');
  const alias = meta ? reader.find(meta, 'FRBRWork') : undefined;
  if (alias) {
    const a = kids(alias).find(
      (c) => c.localName === 'FRBRalias' && c.getAttribute('name') === 'symbol',
    );
    const v = a?.getAttribute('value') ?? '';
    if (isSymbol(v)) reader.metadata.symbol = v;
  }
  const preface = child(docEl, 'preface');
  if (preface) reader.preface(preface, 1);
  const preamble = child(docEl, 'preamble');
  if (preamble) reader.preamble(preamble, 1);
  const mainBody = child(docEl, 'mainBody') ?? child(docEl, 'body') ?? child(docEl, 'mainContent');
  if (mainBody) reader.body(mainBody, resolution ? 'operative' : undefined, 1);
  const attachments = child(docEl, 'attachments');
  for (const att of attachments ? kids(attachments) : []) {
    const annexDoc = kids(att)[0];
    if (!annexDoc) continue;
    const annexPreface = child(annexDoc, 'preface');
    const longTitle = annexPreface ? child(annexPreface, 'longTitle') : undefined;
    reader.items.push({
      kind: 'annex',
      level: 0,
      inlines: longTitle ? tidy(reader.inlines(longTitle, 3)) : [],
    });
    const body = child(annexDoc, 'mainBody');
    if (body) reader.body(body, undefined, 3);
  }
  if (reader.items.length === 0 && reader.title.length === 0)
    throw new ImportError(400, 'The Akoma Ntoso document has no text: nothing to import.');
  if (resolution) reader.metadata.documentType ??= 'draft-resolution';
  const rec: Recognised = {
    type,
    title: reader.title,
    metadata: reader.metadata,
    items: reader.items,
    footnotes: reader.footnotes,
    notes: [],
  };
  if (resolution) italicLeads(rec.items, rec.notes);
  return rec;
}
