/**
 * A .docx upload: checked as a zip before any XML is read (a zip bomb, too many entries, macros,
 * links to external content are refused), then read with mammoth (its HTML: paragraphs, headings,
 * lists, tables, bold and italics, real Word footnotes), which becomes the recogniser's source
 * paragraphs. Nothing is fetched: mammoth's external file access stays off and images are dropped.
 */
import { DOMParser } from '@xmldom/xmldom';
import { strFromU8, Unzip, UnzipInflate, unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { DOCX_MAX_ENTRIES, DOCX_MAX_INFLATED, type ImportNote } from '../../shared/import.js';
import type { Inline, Run } from '../../shared/outline.js';
import { ImportError, isSymbol, type SourceDoc, type SourcePara } from './source.js';

const MIB = DOCX_MAX_INFLATED / (1024 * 1024);

/** Relationship types that make Word fetch or run something from outside the file. */
const HYPERLINK = /\/hyperlink$/;

/**
 * The zip's own checks: a real zip with a Word document in it, declared sizes within bounds,
 * and the actual inflated bytes counted (a header can lie), no macros, no external content.
 */
export function checkDocxZip(bytes: Uint8Array): void {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04))
    throw new ImportError(400, 'Not a .docx: the file is not a zip archive.');
  const names: string[] = [];
  let declared = 0;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        declared += f.originalSize;
        if (names.length > DOCX_MAX_ENTRIES)
          throw new ImportError(
            400,
            `Not a .docx: more than ${DOCX_MAX_ENTRIES} entries in the zip.`,
          );
        if (declared > DOCX_MAX_INFLATED)
          throw new ImportError(
            413,
            `The .docx would inflate to more than ${MIB} MiB (a zip bomb?): refused.`,
          );
        return false;
      },
    });
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(400, 'Not a .docx: the zip archive is damaged.');
  }
  if (!names.includes('word/document.xml') || !names.includes('[Content_Types].xml'))
    throw new ImportError(400, 'Not a .docx: the zip holds no Word document (word/document.xml).');
  if (names.some((n) => /(^|\/)vba(Project\.bin|Data\.xml)$/i.test(n)))
    throw new ImportError(
      400,
      'The file contains macros (.docm): save it as a .docx without macros and import that.',
    );
  inflateBounded(bytes);
  const small = unzipSync(bytes, {
    filter: (f) => f.name === '[Content_Types].xml' || f.name.endsWith('.rels'),
  });
  const types = strFromU8(small['[Content_Types].xml'] ?? new Uint8Array());
  if (/macroEnabled/i.test(types))
    throw new ImportError(
      400,
      'The file contains macros (.docm): save it as a .docx without macros and import that.',
    );
  for (const [name, data] of Object.entries(small)) {
    if (!name.endsWith('.rels')) continue;
    for (const m of strFromU8(data).matchAll(/<Relationship\b[^>]*>/g)) {
      const rel = m[0];
      if (!/TargetMode\s*=\s*"External"/i.test(rel)) continue;
      const type = /Type\s*=\s*"([^"]*)"/.exec(rel)?.[1] ?? '';
      if (HYPERLINK.test(type)) continue;
      const kind = type.split('/').pop() || 'content';
      throw new ImportError(
        400,
        `The file links to external content (${kind}); Concord fetches nothing: remove the link and import again.`,
      );
    }
  }
}

/** Inflates every entry as a stream, counting bytes: stops past the bound whatever headers say. */
function inflateBounded(bytes: Uint8Array): void {
  let total = 0;
  let over = false;
  let failed = false;
  const unzip = new Unzip((file) => {
    file.ondata = (err, chunk) => {
      if (err) failed = true;
      total += chunk?.length ?? 0;
      if (total > DOCX_MAX_INFLATED && !over) {
        over = true;
        file.terminate();
      }
    };
    if (!over) file.start();
  });
  unzip.register(UnzipInflate);
  const step = 64 * 1024;
  try {
    for (let i = 0; i < bytes.length && !over; i += step)
      unzip.push(bytes.subarray(i, i + step), i + step >= bytes.length);
  } catch {
    failed = true;
  }
  if (over)
    throw new ImportError(
      413,
      `The .docx inflates to more than ${MIB} MiB (a zip bomb?): refused.`,
    );
  if (failed) throw new ImportError(400, 'Not a .docx: the zip archive is damaged.');
}

// --- mammoth's HTML to source paragraphs -------------------------------------------------------

interface El {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<El>;
  getAttribute(name: string): string | null;
}

const children = (el: El): El[] => Array.from(el.childNodes);

interface Marks {
  em?: true;
  strong?: true;
}

/** The inlines of an element's content (footnote references as {footnote}). */
function inlinesOf(el: El, marks: Marks = {}, out: Inline[] = []): Inline[] {
  for (const c of children(el)) {
    if (c.nodeType === 3) {
      if (c.nodeValue) out.push({ text: c.nodeValue, ...marks });
      continue;
    }
    if (c.nodeType !== 1) continue;
    const name = c.nodeName.toLowerCase();
    if (name === 'br') out.push({ lineBreak: true });
    else if (name === 'a') {
      const href = c.getAttribute('href') ?? '';
      const note = /^#(?:foot|end)note-(\d+)$/.exec(href);
      if (note) out.push({ footnote: Number(note[1]) });
      else if (/^#(?:foot|end)note-ref-/.test(href)) continue;
      else {
        const text = children(c)
          .map((x) => x.nodeValue ?? '')
          .join('');
        if (isSymbol(text.trim())) out.push({ text: text.trim(), ref: text.trim(), ...marks });
        else inlinesOf(c, marks, out);
      }
    } else if (name === 'strong' || name === 'b') inlinesOf(c, { ...marks, strong: true }, out);
    else if (name === 'em' || name === 'i') inlinesOf(c, { ...marks, em: true }, out);
    else if (name === 'img') continue;
    else inlinesOf(c, marks, out);
  }
  return out;
}

function isNoteList(el: El): boolean {
  const first = children(el).find((c) => c.nodeType === 1);
  return !!first && /^(foot|end)note-\d+$/.test(first.getAttribute('id') ?? '');
}

function walk(el: El, doc: SourceDoc, depth: number, inTable: boolean, notes: { images: number }) {
  for (const c of children(el)) {
    if (c.nodeType !== 1) continue;
    const name = c.nodeName.toLowerCase();
    const h = /^h([1-6])$/.exec(name);
    if (name === 'p' || h) {
      const para: SourcePara = { inlines: inlinesOf(c) };
      if (h) para.heading = Number(h[1]);
      if (inTable) para.inTable = true;
      doc.paras.push(para);
    } else if ((name === 'ol' || name === 'ul') && isNoteList(c)) {
      for (const li of children(c)) {
        const id = /^(?:foot|end)note-(\d+)$/.exec(
          li.nodeType === 1 ? (li.getAttribute('id') ?? '') : '',
        );
        if (!id) continue;
        const runs = inlinesOf(li).filter((i): i is Run => 'text' in i);
        doc.footnotes.set(Number(id[1]), runs);
      }
    } else if (name === 'ol' || name === 'ul') {
      for (const li of children(c)) {
        if (li.nodeType !== 1) continue;
        // The item's own text, then any nested list one level deeper.
        const own: Inline[] = [];
        for (const part of children(li)) {
          const pn = part.nodeType === 1 ? part.nodeName.toLowerCase() : '';
          if (pn === 'ol' || pn === 'ul') continue;
          if (pn === 'p') inlinesOf(part, {}, own);
          else inlinesOf({ ...li, childNodes: [part] } as El, {}, own);
        }
        const para: SourcePara = { inlines: own };
        if (name === 'ol') para.listDepth = depth;
        doc.paras.push(para);
        for (const part of children(li)) {
          const pn = part.nodeType === 1 ? part.nodeName.toLowerCase() : '';
          if (pn === 'ol' || pn === 'ul')
            walk({ ...li, childNodes: [part] } as El, doc, depth + 1, inTable, notes);
        }
      }
    } else if (
      name === 'table' ||
      name === 'tbody' ||
      name === 'thead' ||
      name === 'tr' ||
      name === 'td' ||
      name === 'th'
    ) {
      walk(c, doc, depth, true, notes);
    } else if (name === 'img') notes.images++;
    else walk(c, doc, depth, inTable, notes);
  }
}

export async function readDocx(
  bytes: Uint8Array,
): Promise<{ source: SourceDoc; notes: ImportNote[] }> {
  checkDocxZip(bytes);
  let html: string;
  const notes: ImportNote[] = [];
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes) },
      {
        externalFileAccess: false,
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
        ignoreEmptyParagraphs: true,
      },
    );
    html = result.value;
    const styles = new Set<string>();
    for (const m of result.messages) {
      const style = /Unrecognised paragraph style: '([^']*)'/.exec(m.message);
      if (style) styles.add(style[1]!);
    }
    if (styles.size > 0)
      notes.push({
        level: 'skipped',
        message: `Word styles read as plain paragraphs: ${[...styles].slice(0, 8).join(', ')}.`,
      });
  } catch {
    throw new ImportError(400, 'Not a .docx Word can read: its document could not be parsed.');
  }
  const dom = new DOMParser({
    errorHandler: {
      warning: () => {},
      error: () => {},
      fatalError: () => {
        throw new ImportError(400, 'The document could not be read.');
      },
    },
  }).parseFromString(`<body>${html}</body>`, 'text/xml');
  const source: SourceDoc = { paras: [], footnotes: new Map() };
  const counted = { images: 0 };
  walk(dom.documentElement as unknown as El, source, 0, false, counted);
  if (counted.images > 0)
    notes.push({
      level: 'skipped',
      message: `${counted.images} image(s) left out: Concord holds text only.`,
    });
  if (source.paras.every((p) => p.inlines.every((i) => !('text' in i) || !i.text.trim())))
    throw new ImportError(400, 'The .docx has no text: nothing to import.');
  return { source, notes };
}
