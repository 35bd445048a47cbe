/**
 * A recognised structure (recognise.ts, or an Akoma Ntoso reading) as a Concord document: a
 * ProseMirror document valid in the schema, every identified node with a fresh id, footnotes in
 * place; and the preview of it, read back through the same outline the exports use, so what
 * the preview shows is what will be created, numbers included.
 */
import type { Node as PMNode } from 'prosemirror-model';
import { newNodeId } from '../../shared/ids.js';
import {
  countOutline,
  IMPORT_MAX_BLOCKS,
  type ImportFormat,
  type ImportNote,
  type ImportPreview,
} from '../../shared/import.js';
import {
  type DocumentMeta,
  type Inline,
  outlineFromDoc,
  plainText,
  type Run,
} from '../../shared/outline.js';
import { clampLevel, schema } from '../../shared/schema.js';
import type { Item, Recognised } from './recognise.js';
import { ImportError, markSymbols, tidy } from './source.js';

const n = schema.nodes;

/** Text as the document may hold it: no control characters (tabs become spaces). */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f\ufffe\uffff]/g, '');
}

function marksOf(run: Run) {
  const marks = [];
  if (run.em) marks.push(schema.marks['em']!.create());
  if (run.strong) marks.push(schema.marks['strong']!.create());
  if (run.ref) marks.push(schema.marks['docref']!.create({ symbol: run.ref }));
  return marks;
}

function textNodes(runs: readonly Run[]): PMNode[] {
  const out: PMNode[] = [];
  for (const r of runs) {
    const text = clean(r.text);
    if (text) out.push(schema.text(text, marksOf(r)));
  }
  return out;
}

/** A footnote's runs tidied, symbols in it as references. */
function footnoteRuns(runs: readonly Run[]): Run[] {
  return tidy(markSymbols(runs)).filter((i): i is Run => 'text' in i);
}

export interface Built {
  doc: PMNode;
  /** Paragraph or container id → why the preview highlights it. */
  unsure: Map<string, string>;
  notes: ImportNote[];
}

/** The document. Footnote references point into `rec.footnotes`; one used twice is copied. */
export function buildDocument(rec: Recognised): Built {
  const notes = [...rec.notes];
  const unsure = new Map<string, string>();
  const used = new Set<number>();
  if (rec.items.length > IMPORT_MAX_BLOCKS)
    throw new ImportError(
      400,
      `More than ${IMPORT_MAX_BLOCKS} paragraphs and headings: split the document.`,
    );

  const inline = (inlines: readonly Inline[], where: string): PMNode[] => {
    const out: PMNode[] = [];
    for (const i of inlines) {
      if ('footnote' in i) {
        const runs = rec.footnotes.get(i.footnote);
        if (!runs) {
          notes.push({
            level: 'unsure',
            message: `Footnote ${i.footnote} is referenced (${where}) but its text was not found: it is empty.`,
          });
        } else if (used.has(i.footnote)) {
          notes.push({
            level: 'unsure',
            message: `Footnote ${i.footnote} is referenced again (${where}): Concord gives each reference its own footnote, with the same text.`,
          });
        }
        used.add(i.footnote);
        out.push(n['footnote']!.create({ id: newNodeId() }, textNodes(footnoteRuns(runs ?? []))));
      } else if ('lineBreak' in i) out.push(n['hard_break']!.create());
      else out.push(...textNodes([i]));
    }
    return out;
  };

  const para = (item: Item, where: string) => {
    const id = newNodeId();
    if (item.unsure) unsure.set(id, item.unsure);
    return n['paragraph']!.create(
      { id, level: clampLevel(item.level) },
      inline(item.inlines, where),
    );
  };
  const where = (item: Item) => {
    const t = plainText(item.inlines).trim();
    return `"${t.length > 40 ? `${t.slice(0, 37)}…` : t}"`;
  };

  /** A container being filled: its type, heading and children so far. */
  interface Open {
    type: 'front_matter' | 'chapter' | 'section' | 'annex';
    id: string;
    heading: PMNode;
    children: PMNode[];
  }
  const top: PMNode[] = [];
  let chapter: Open | null = null;
  let section: Open | null = null;
  let front: Open | null = null;
  const preamble: PMNode[] = [];
  const operative: PMNode[] = [];
  const open = (type: Open['type'], item: Item | null): Open => {
    const id = newNodeId();
    if (item?.unsure) unsure.set(id, item.unsure);
    const headingType = {
      front_matter: 'front_heading',
      chapter: 'chapter_heading',
      section: 'section_heading',
      annex: 'annex_heading',
    }[type];
    return {
      type,
      id,
      heading: n[headingType]!.create(null, item ? inline(item.inlines, 'a heading') : []),
      children: [],
    };
  };
  const close = (c: Open | null): PMNode | null => {
    if (!c) return null;
    const children = [c.heading, ...c.children];
    if (c.type === 'front_matter' && c.children.length === 0)
      children.push(n['paragraph']!.create({ id: newNodeId() }));
    return n[c.type]!.create({ id: c.id }, children);
  };
  const closeSection = () => {
    const s = close(section);
    if (s) chapter!.children.push(s);
    section = null;
  };
  const closeChapter = () => {
    closeSection();
    const c = close(chapter);
    if (c) top.push(c);
    chapter = null;
  };
  const closeFront = () => {
    const f = close(front);
    if (f) top.push(f);
    front = null;
  };
  let seenBody = false;
  for (const item of rec.items) {
    switch (item.kind) {
      case 'front':
        closeFront();
        front = open('front_matter', item);
        break;
      case 'chapter':
        closeFront();
        closeChapter();
        seenBody = true;
        chapter = open('chapter', item);
        break;
      case 'annex':
        closeFront();
        closeChapter();
        if (rec.type === 'resolution') seenBody = true;
        chapter = open('annex', item);
        break;
      case 'section':
        closeFront();
        closeSection();
        if (!chapter) {
          chapter = open('chapter', null);
          seenBody = true;
        }
        section = open('section', item);
        break;
      case 'paragraph': {
        const p = para(item, where(item));
        if (item.part === 'preamble' && !chapter) {
          closeFront();
          preamble.push(p);
        } else if (item.part === 'operative' && !chapter) {
          closeFront();
          operative.push(p);
        } else if (front && !seenBody) front.children.push(p);
        else if (section) (section as Open).children.push(p);
        else if (chapter) (chapter as Open).children.push(p);
        else if (rec.type === 'report') {
          seenBody = true;
          chapter = open('chapter', null);
          (chapter as Open).children.push(p);
        } else preamble.push(p);
        break;
      }
    }
  }
  closeFront();
  closeChapter();
  const body: PMNode[] = [];
  // Annexes come last whatever the order they were read in (the schema says so).
  const annexes: PMNode[] = [];
  const fronts = top.filter((t) => t.type.name === 'front_matter');
  const containers = top.filter((t) => t.type.name !== 'front_matter');
  for (const c of containers) (c.type.name === 'annex' ? annexes : body).push(c);
  if (rec.type === 'resolution') {
    if (preamble.length === 0) preamble.push(n['paragraph']!.create({ id: newNodeId() }));
    if (operative.length === 0) operative.push(n['paragraph']!.create({ id: newNodeId() }));
    body.splice(
      0,
      body.length,
      n['preamble']!.create(null, preamble),
      n['operative']!.create(null, operative),
    );
  } else if (body.length === 0) {
    body.push(
      n['chapter']!.create({ id: newNodeId() }, [
        n['chapter_heading']!.create(),
        n['paragraph']!.create({ id: newNodeId() }),
      ]),
    );
  }
  for (const key of rec.footnotes.keys())
    if (!used.has(key))
      notes.push({
        level: 'skipped',
        message: `Footnote ${key} is not referenced in the text: left out.`,
      });
  const doc = n['doc']!.createChecked(null, [
    n['title']!.create(null, textNodes(rec.title)),
    ...fronts,
    ...body,
    ...annexes,
  ]);
  return { doc, unsure, notes };
}

/** What the preview shows: the created document read back through the exports' outline. */
export function previewOf(
  format: ImportFormat,
  rec: Recognised,
  built: Built,
  meta: DocumentMeta,
): ImportPreview {
  const outline = outlineFromDoc(built.doc, meta);
  const notes = [...built.notes];
  const blocks = outline.blocks.map((b, index) => {
    const why = b.id ? built.unsure.get(b.id) : undefined;
    if (why) notes.push({ level: 'unsure', message: why, block: index });
    return {
      kind: b.kind,
      part: b.part,
      label: b.label,
      level: b.level,
      text: plainText(b.inlines),
      footnotes: b.inlines.flatMap((i) => ('footnote' in i ? [i.footnote] : [])),
      ...(why ? { unsure: why } : {}),
    };
  });
  return {
    format,
    type: outline.type,
    title: plainText(outline.title),
    metadata: rec.metadata,
    counts: countOutline(outline),
    blocks,
    footnotes: outline.footnotes.map((f) => ({ number: f.number, text: plainText(f.runs) })),
    notes,
  };
}
