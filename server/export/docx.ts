/**
 * .docx from an outline, with the `docx` library, in two layouts:
 * - manuscript: what the UN's document services ask for (Word, 12 pt, double spacing including
 *   footnotes, bold headings, numbered paragraphs with a hanging indent, real Word footnotes,
 *   annexes on new pages), the masthead data as a block at the top;
 * - issued: the look of an issued document (masthead, title, chapters I., sections A.,
 *   paragraphs and (a)/(i) sub-paragraphs with hanging indents, italic lead words of resolution
 *   paragraphs, footnotes, annexes, page numbers).
 * Options: clean; square brackets highlighted; each paragraph's status as a margin comment.
 * Numbers are the shared numbering's labels, written as text: the file shows what the screen shows.
 */
import {
  AlignmentType,
  BorderStyle,
  CommentRangeEnd,
  CommentRangeStart,
  CommentReference,
  DeletedTextRun,
  Document,
  Footer,
  FootnoteReferenceRun,
  Header,
  InsertedTextRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  type ParagraphChild,
  Tab,
  Table,
  TableCell,
  TableRow,
  TabStopType,
  TextRun,
  WidthType,
} from 'docx';
import {
  type Block,
  fullSymbol,
  type Inline,
  markBrackets,
  type Outline,
  plainText,
  type Run,
} from '../../shared/outline.js';
import { unDate } from '../../shared/revisions.js';
import type { WordCount } from '../../shared/wordCount.js';

export type DocxLayout = 'manuscript' | 'issued';
export type DocxOption = 'clean' | 'brackets' | 'status';

export interface DocxOptions {
  layout: DocxLayout;
  option: DocxOption;
  wordCount: WordCount;
  /** Paragraph id → what the margin note says (option `status`), with the time it was set. */
  statuses?: ReadonlyMap<string, { label: string; at: string }>;
  /** Time written into the file's properties: the only part that changes between two exports. */
  generatedAt: string;
  /** Who made the tracked changes of a comparison (track.ts), and when (ISO). */
  tracking?: { author: string; date: string };
}

/** Formatting of a run besides its own marks. */
export interface RunStyle {
  italics?: boolean;
  bold?: boolean;
  highlight?: 'yellow';
  /** Half-points; the document default when absent. */
  size?: number;
}

const FONT = 'Times New Roman';
/** Twips (1/1440 inch). */
const CM = 567;

interface Geometry {
  size: number; // half-points
  footnoteSize: number;
  line: number; // 240 = single
  after: number;
  /** Left edge of paragraph text, and where level n starts. */
  textLeft: (level: number) => number;
  hanging: number;
}

const GEOMETRY: Readonly<Record<DocxLayout, Geometry>> = {
  manuscript: {
    size: 24,
    footnoteSize: 24,
    line: 480,
    after: 0,
    textLeft: (level) => 720 * (level + 1),
    hanging: 720,
  },
  issued: {
    size: 20,
    footnoteSize: 17,
    line: 240,
    after: 120,
    textLeft: (level) => 1267 + CM * level,
    hanging: CM,
  },
};

/** Words that continue an italic lead phrase (Bearing in mind, Calls upon, Taking note). */
const LEAD_CONTINUES = new Set(['upon', 'in', 'mind', 'note', 'with', 'deep', 'grave', 'further']);
/** Adverbs that open a lead phrase with the verb after them (Also requests, Further invites). */
const LEAD_ADVERBS = new Set(['also', 'further', 'again', 'once', 'strongly', 'firmly']);

/** The runs of a resolution paragraph with its lead word(s) in italics, unless already marked. */
export function italicLead(inlines: readonly Inline[]): Inline[] {
  const first = inlines[0];
  if (!first || !('text' in first) || first.em) return [...inlines];
  const m = /^(\s*)(\S+)/.exec(first.text);
  if (!m) return [...inlines];
  let end = m[0].length;
  const words = [m[2]!.toLowerCase()];
  const re = /\s+(\S+)/y;
  for (;;) {
    re.lastIndex = end;
    const next = re.exec(first.text);
    if (!next) break;
    const w = next[1]!.replace(/[,;:.]$/, '').toLowerCase();
    const prev = words[words.length - 1]!;
    const continues =
      LEAD_CONTINUES.has(w) || (words.length === 1 && LEAD_ADVERBS.has(prev) && /^[a-z]/.test(w));
    if (!continues) break;
    words.push(w);
    end = re.lastIndex;
  }
  const lead = first.text.slice(0, end);
  const rest = first.text.slice(end);
  const out: Inline[] = [{ ...first, text: lead, em: true }];
  if (rest) out.push({ ...first, text: rest });
  return [...out, ...inlines.slice(1)];
}

class DocxWriter {
  private readonly g: Geometry;
  private readonly comments: Array<{ id: number; author: string; date: Date; text: string }> = [];
  private changeId = 1;

  constructor(
    private readonly outline: Outline,
    private readonly options: DocxOptions,
  ) {
    this.g = GEOMETRY[options.layout];
  }

  private runStyle(run: Run): RunStyle {
    const style: RunStyle = {};
    if (run.em) style.italics = true;
    if (run.strong) style.bold = true;
    if (run.bracket && this.options.option === 'brackets') style.highlight = 'yellow';
    return style;
  }

  private children(inlines: readonly Inline[], extra: RunStyle = {}): ParagraphChild[] {
    const out: ParagraphChild[] = [];
    const marked = this.options.option === 'brackets' ? markBrackets(inlines) : inlines;
    for (const i of marked) {
      if ('footnote' in i) out.push(new FootnoteReferenceRun(i.footnote));
      else if ('lineBreak' in i) out.push(new TextRun({ break: 1 }));
      else {
        out.push(this.run(i, { ...this.runStyle(i), ...extra }));
      }
    }
    return out;
  }

  /** A run of text, as a tracked insertion or deletion when it is one. */
  private run(r: Run, style: RunStyle): ParagraphChild {
    return r.change
      ? this.tracked(r.change, { text: r.text, ...style })
      : new TextRun({ text: r.text, ...style });
  }

  private tracked(
    change: 'ins' | 'del',
    options: ConstructorParameters<typeof TextRun>[0] & object,
  ) {
    const by = {
      id: this.changeId++,
      ...(this.options.tracking ?? { author: 'Concord', date: this.options.generatedAt }),
    };
    return change === 'ins'
      ? new InsertedTextRun({ ...options, ...by })
      : new DeletedTextRun({ ...options, ...by });
  }

  /** The number and its tab, the number tracked when it changed, both when the block did. */
  private label(block: Block, style: RunStyle): ParagraphChild[] {
    const runs = block.labelRuns ?? (block.label ? [{ text: block.label }] : []);
    if (runs.length === 0) return [];
    const tab = { children: [new Tab()], ...style };
    return [
      ...runs.map((r) => this.run(r, style)),
      block.change ? this.tracked(block.change, tab) : new TextRun(tab),
    ];
  }

  /** A whole inserted or deleted block: its paragraph mark is tracked too. */
  private mark(block: Block) {
    if (!block.change) return {};
    const by = {
      id: this.changeId++,
      ...(this.options.tracking ?? { author: 'Concord', date: this.options.generatedAt }),
    };
    return { run: block.change === 'ins' ? { insertion: by } : { deletion: by } };
  }

  /**
   * A paragraph's status as a margin comment (option `status`), anchored on its number (or its
   * start): a comment range around text holding a footnote loses the footnote in LibreOffice.
   */
  private withStatus(block: Block, label: ParagraphChild[], content: ParagraphChild[]) {
    const status = block.id ? this.options.statuses?.get(block.id) : undefined;
    if (this.options.option !== 'status' || !status) return [...label, ...content];
    const id = this.comments.length;
    this.comments.push({
      id,
      author: 'Concord',
      date: new Date(status.at),
      text: `Paragraph ${block.label || '(unnumbered)'}: ${status.label}`,
    });
    return [
      new CommentRangeStart(id),
      ...label,
      new CommentRangeEnd(id),
      new TextRun({ children: [new CommentReference(id)] }),
      ...content,
    ];
  }

  private spacing(extraAfter = 0) {
    return {
      line: this.g.line,
      lineRule: LineRuleType.AUTO,
      after: this.g.after + extraAfter,
    };
  }

  private heading(block: Block, pageBreak: boolean): Paragraph[] {
    const issued = this.options.layout === 'issued';
    if (block.kind === 'annex') {
      return [
        new Paragraph({
          pageBreakBefore: pageBreak,
          alignment: issued ? AlignmentType.LEFT : AlignmentType.CENTER,
          spacing: this.spacing(),
          ...this.mark(block),
          children: (block.labelRuns ?? [{ text: block.label }]).map((r) =>
            this.run(r, { bold: true, size: issued ? 28 : undefined }),
          ),
        }),
        new Paragraph({
          alignment: issued ? AlignmentType.LEFT : AlignmentType.CENTER,
          spacing: this.spacing(240),
          ...this.mark(block),
          children: this.children(block.inlines, { bold: true }),
        }),
      ];
    }
    const size = issued ? (block.kind === 'chapter' ? 24 : 20) : undefined;
    const left = issued ? 1267 : 720;
    const label = this.label(block, { bold: true, size });
    return [
      new Paragraph({
        keepNext: true,
        ...this.mark(block),
        spacing: { ...this.spacing(issued ? 120 : 0), before: issued ? 240 : 0 },
        indent: label.length ? { left, hanging: issued ? left - CM : 720 } : undefined,
        tabStops: [{ type: TabStopType.LEFT, position: left }],
        children: [...label, ...this.children(block.inlines, { bold: true, size })],
      }),
    ];
  }

  private paragraph(block: Block): Paragraph {
    const g = this.g;
    const issued = this.options.layout === 'issued';
    const resolution = block.part === 'preamble' || block.part === 'operative';
    const inlines =
      issued && resolution && block.level === 0 ? italicLead(block.inlines) : block.inlines;
    const left = g.textLeft(block.level);
    const content = this.children(inlines);
    const label = this.label(block, {});
    if (label.length === 0) {
      // Unnumbered (front matter, preambular): the first line indented like a number would be.
      return new Paragraph({
        ...this.mark(block),
        spacing: this.spacing(),
        alignment: issued ? AlignmentType.BOTH : AlignmentType.LEFT,
        indent: { left: g.textLeft(0) - g.hanging, firstLine: g.hanging },
        children: this.withStatus(block, [], content),
      });
    }
    return new Paragraph({
      ...this.mark(block),
      spacing: this.spacing(),
      alignment: issued ? AlignmentType.BOTH : AlignmentType.LEFT,
      indent: { left, hanging: g.hanging },
      tabStops: [{ type: TabStopType.LEFT, position: left }],
      children: this.withStatus(block, label, content),
    });
  }

  /** The masthead as a data block (manuscript) or laid out as on an issued document. */
  private masthead(): Array<Paragraph | Table> {
    const { meta } = this.outline;
    const symbol = fullSymbol(meta) ?? '';
    const wc = this.options.wordCount;
    const words = `${wc.words.toLocaleString('en-US')} words (limit ${wc.limit.toLocaleString('en-US')})`;
    if (this.options.layout === 'manuscript') {
      const lines: Array<[string, string]> = [
        ['Organ', meta.organ],
        ['Symbol', symbol || '(to be assigned)'],
        ['Distribution', meta.distribution],
        ['Date', meta.date],
        ['Original', meta.originalLanguage],
        ...meta.sessionLines.map((l): [string, string] => ['Session', l]),
        ['Word count', words],
      ];
      const border = { style: BorderStyle.SINGLE, size: 4, color: '000000', space: 4 };
      return lines.map(
        ([k, v], i) =>
          new Paragraph({
            spacing: { line: 240, after: i === lines.length - 1 ? 480 : 0 },
            border: {
              left: border,
              right: border,
              ...(i === 0 ? { top: border } : {}),
              ...(i === lines.length - 1 ? { bottom: border } : {}),
            },
            children: [new TextRun({ text: `${k}: `, bold: true }), new TextRun(v)],
          }),
      );
    }
    const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
    const noBorders = { top: none, bottom: none, left: none, right: none };
    const rule = { style: BorderStyle.SINGLE, size: 12, color: '000000' };
    const cell = (children: Paragraph[], width: number, bottom = false) =>
      new TableCell({
        width: { size: width, type: WidthType.DXA },
        borders: { ...noBorders, ...(bottom ? { bottom: rule } : {}) },
        children,
      });
    const p = (text: string, opts: { bold?: boolean; size?: number; right?: boolean } = {}) =>
      new Paragraph({
        alignment: opts.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
        children: [new TextRun({ text, bold: opts.bold, size: opts.size })],
      });
    const table = new Table({
      width: { size: 9360, type: WidthType.DXA },
      columnWidths: [5400, 3960],
      borders: { ...noBorders, insideHorizontal: none, insideVertical: none },
      rows: [
        new TableRow({
          children: [
            cell([p('United Nations', { size: 20 })], 5400, true),
            cell([p(symbol, { bold: true, size: 28, right: true })], 3960, true),
          ],
        }),
        new TableRow({
          children: [
            cell([p(meta.organ, { bold: true, size: 34 })], 5400),
            cell(
              [
                p(`Distr.: ${meta.distribution}`),
                p(longDate(meta.date)),
                p(''),
                p(`Original: ${meta.originalLanguage}`),
              ],
              3960,
            ),
          ],
        }),
      ],
    });
    return [
      table,
      ...meta.sessionLines.map((l) => p(l, { bold: true })),
      new Paragraph({ spacing: { before: 240 }, children: [] }),
    ];
  }

  private title(): Paragraph {
    const issued = this.options.layout === 'issued';
    return new Paragraph({
      alignment: issued ? AlignmentType.LEFT : AlignmentType.CENTER,
      indent: issued ? { left: 1267 } : undefined,
      spacing: { ...this.spacing(240) },
      children: this.outline.title.map((r) =>
        this.run(r, { bold: true, italics: r.em, size: issued ? 28 : undefined }),
      ),
    });
  }

  private footnotes(): Record<string, { children: Paragraph[] }> {
    const out: Record<string, { children: Paragraph[] }> = {};
    for (const f of this.outline.footnotes) {
      out[String(f.number)] = {
        children: [
          new Paragraph({
            style: 'FootnoteText',
            // The library writes the footnote's number first; a space separates it from the text.
            children: [new TextRun(' '), ...this.children(f.runs)],
          }),
        ],
      };
    }
    return out;
  }

  async toBuffer(): Promise<Buffer> {
    const { outline, g } = this;
    const body: Array<Paragraph | Table> = [...this.masthead(), this.title()];
    for (const block of outline.blocks) {
      if (block.kind === 'paragraph') body.push(this.paragraph(block));
      // Annexes start on a new page.
      else body.push(...this.heading(block, block.kind === 'annex'));
    }
    const symbol = fullSymbol(outline.meta) ?? '';
    const issued = this.options.layout === 'issued';
    const doc = new Document({
      creator: 'Concord',
      lastModifiedBy: 'Concord',
      title: plainText(outline.title),
      description: `Words: ${this.options.wordCount.words} of ${this.options.wordCount.limit}`,
      subject: symbol,
      keywords: `words=${this.options.wordCount.words}; limit=${this.options.wordCount.limit}`,
      styles: {
        default: {
          document: {
            run: { font: FONT, size: g.size },
            paragraph: { spacing: { line: g.line, lineRule: LineRuleType.AUTO } },
          },
          footnoteText: {
            run: { font: FONT, size: g.footnoteSize },
            paragraph: { spacing: { line: g.line, lineRule: LineRuleType.AUTO, after: 0 } },
          },
        },
      },
      footnotes: this.footnotes(),
      comments: {
        children: this.comments.map((c) => ({
          id: c.id,
          author: c.author,
          initials: 'C',
          date: c.date,
          children: [new Paragraph({ children: [new TextRun(c.text)] })],
        })),
      },
      sections: [
        {
          properties: {
            page: {
              size: { width: 12240, height: 15840 },
              margin: { top: 1440, bottom: 1440, left: 1440, right: 1440 },
            },
          },
          headers: issued
            ? {
                default: new Header({
                  children: [
                    new Paragraph({
                      alignment: AlignmentType.RIGHT,
                      children: [new TextRun({ text: symbol, bold: true, size: 17 })],
                    }),
                  ],
                }),
              }
            : undefined,
          footers: {
            default: new Footer({
              children: [
                new Paragraph({
                  alignment: AlignmentType.CENTER,
                  children: [new TextRun({ children: [PageNumber.CURRENT], size: 17 })],
                }),
              ],
            }),
          },
          children: body,
        },
      ],
    });
    return Packer.toBuffer(doc);
  }
}

/** 2021-03-10 → "10 March 2021" (UN style). */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  if (!y || !m || !d) return iso;
  return unDate(iso);
}

export function toDocx(outline: Outline, options: DocxOptions): Promise<Buffer> {
  return new DocxWriter(outline, options).toBuffer();
}
