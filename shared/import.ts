/**
 * Importing an existing text (plain text or paste, .docx, Akoma Ntoso): the formats, the bounds
 * checked before anything is parsed, and the preview the server answers before it creates
 * anything. The server reads and decides (server/import/); the browser only shows the preview.
 */
import type { DocumentMetadata } from './metadata.js';
import type { BlockKind, Outline, Part } from './outline.js';

export const IMPORT_FORMATS = ['text', 'docx', 'akn'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_FORMAT_LABELS: Readonly<Record<ImportFormat, string>> = {
  text: 'Plain text (pasted)',
  docx: 'Word (.docx)',
  akn: 'Akoma Ntoso XML',
};

/** Largest upload, any format (a larger one is refused with 413 before it is read). */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;
/** A .docx: most entries in the zip, and most bytes they may inflate to, all together. */
export const DOCX_MAX_ENTRIES = 2000;
export const DOCX_MAX_INFLATED = 64 * 1024 * 1024;
/** Most paragraphs (and headings) one import may create. */
export const IMPORT_MAX_BLOCKS = 20_000;

/** Something the reader did not understand for sure (`unsure`) or left out (`skipped`). */
export interface ImportNote {
  level: 'unsure' | 'skipped';
  message: string;
  /** Index into the preview's blocks when the note is about one of them. */
  block?: number;
}

export interface ImportCounts {
  frontMatter: number;
  chapters: number;
  sections: number;
  annexes: number;
  /** Numbered or unnumbered paragraphs of level 0 (preambular and operative included). */
  paragraphs: number;
  preambular: number;
  operative: number;
  subParagraphs: number;
  footnotes: number;
  /** Cited document symbols (kept as references, not as brackets). */
  references: number;
}

export interface PreviewBlock {
  kind: BlockKind;
  part: Part;
  /** The number Concord computes (never the source's literal number). */
  label: string;
  level: number;
  text: string;
  /** Footnote numbers referenced in this block. */
  footnotes: number[];
  /** Why this block is highlighted as unsure, if it is. */
  unsure?: string;
}

export interface ImportPreview {
  format: ImportFormat;
  type: 'report' | 'resolution';
  title: string;
  /** What the masthead gave (the rest keeps its default). */
  metadata: Partial<DocumentMetadata>;
  counts: ImportCounts;
  blocks: PreviewBlock[];
  footnotes: Array<{ number: number; text: string }>;
  notes: ImportNote[];
}

/** Counts of what an outline holds (the preview's, and the tests' check of a result). */
export function countOutline(outline: Outline): ImportCounts {
  const c: ImportCounts = {
    frontMatter: 0,
    chapters: 0,
    sections: 0,
    annexes: 0,
    paragraphs: 0,
    preambular: 0,
    operative: 0,
    subParagraphs: 0,
    footnotes: outline.footnotes.length,
    references: 0,
  };
  const refs = (runs: ReadonlyArray<object>) => {
    for (const r of runs) if ('ref' in r && r.ref) c.references++;
  };
  for (const b of outline.blocks) {
    refs(b.inlines);
    if (b.kind === 'front') c.frontMatter++;
    else if (b.kind === 'chapter') c.chapters++;
    else if (b.kind === 'section') c.sections++;
    else if (b.kind === 'annex') c.annexes++;
    else if (b.level > 0) c.subParagraphs++;
    else {
      c.paragraphs++;
      if (b.part === 'preamble') c.preambular++;
      if (b.part === 'operative') c.operative++;
    }
  }
  for (const f of outline.footnotes) refs(f.runs);
  return c;
}
