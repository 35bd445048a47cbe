/**
 * Akoma Ntoso 3.0 (OASIS LegalDocML) from an outline: a report as <doc name="report">, a
 * resolution as <statement name="resolution"> with preface, preamble and mainBody; annexes as
 * attachments. eIds derive from the stable node ids, so they survive edits elsewhere. Every
 * export validates against the OASIS schema (tests/unit/export-akn.test.ts).
 */
import {
  type Block,
  type DocumentMeta,
  type Footnote,
  fullSymbol,
  type Inline,
  type Outline,
  type Run,
} from '../../shared/outline.js';
import type { WordCount } from '../../shared/wordCount.js';

export const AKN_NS = 'http://docs.oasis-open.org/legaldocml/ns/akn/3.0';
export const CONCORD_NS = 'urn:concord:export:1';

const LANGUAGE_CODES: Readonly<Record<string, string>> = {
  English: 'eng',
  French: 'fra',
  Spanish: 'spa',
  Russian: 'rus',
  Chinese: 'zho',
  Arabic: 'ara',
};

export function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '&quot;',
  );
}

/** A symbol as one path segment: A/70/174 → A-70-174. */
export function symbolSlug(symbol: string): string {
  return symbol.replace(/\//g, '-').replace(/[^A-Za-z0-9.\-_]/g, '_');
}

export interface AknOptions {
  /** ISO timestamp of generation: the only part that differs between two exports of one text. */
  generatedAt: string;
  /** Name used in URIs when the document has no symbol yet (the report id). */
  fallbackName: string;
  wordCount: WordCount;
}

class Ids {
  private seq = 0;
  private readonly used = new Set<string>();
  /** `prefix_id`, or a positional one when the node has no id yet; unique in the document. */
  of(prefix: string, id: string | null): string {
    let eid = `${prefix}_${id ?? `n${++this.seq}`}`;
    while (this.used.has(eid)) eid = `${prefix}_${id ?? 'n'}_${++this.seq}`;
    this.used.add(eid);
    return eid;
  }
}

function runXml(run: Run): string {
  let x = escapeXml(run.text);
  if (run.em) x = `<i>${x}</i>`;
  if (run.strong) x = `<b>${x}</b>`;
  if (run.ref) x = `<ref href="/akn/un/doc/${escapeXml(symbolSlug(run.ref))}">${x}</ref>`;
  return x;
}

export class AknWriter {
  private readonly ids = new Ids();
  constructor(
    private readonly outline: Outline,
    private readonly options: AknOptions,
  ) {}

  private inlines(inlines: readonly Inline[]): string {
    return inlines
      .map((i) => {
        if ('text' in i) return runXml(i);
        if ('lineBreak' in i) return '<eol/>';
        return this.note(this.outline.footnotes[i.footnote - 1]);
      })
      .join('');
  }

  private note(f: Footnote | undefined): string {
    if (!f) return '';
    const eid = this.ids.of('fn', f.id);
    return `<authorialNote marker="${f.number}" placement="bottom" eId="${eid}"><p>${f.runs.map(runXml).join('')}</p></authorialNote>`;
  }

  /** Paragraphs of one container: each level-0 paragraph with its sub-paragraphs as list/point. */
  private paragraphs(blocks: readonly Block[], tag: 'paragraph' | 'point', parentEid = ''): string {
    let out = '';
    let i = 0;
    while (i < blocks.length) {
      const head = blocks[i]!;
      let j = i + 1;
      while (j < blocks.length && blocks[j]!.level > head.level) j++;
      const children = blocks.slice(i + 1, j);
      const eid =
        tag === 'paragraph'
          ? this.ids.of('para', head.id)
          : this.ids.of(`${parentEid}__point`, head.id);
      const num = head.label ? `<num>${escapeXml(head.label)}</num>` : '';
      const text = `<p>${this.inlines(head.inlines)}</p>`;
      if (children.length === 0) {
        out += `<${tag} eId="${eid}">${num}<content>${text}</content></${tag}>`;
      } else {
        out +=
          `<${tag} eId="${eid}">${num}<intro>${text}</intro>` +
          `<list eId="${eid}__list_1">${this.paragraphs(children, 'point', eid)}</list></${tag}>`;
      }
      i = j;
    }
    return out;
  }

  /** The opening of a container with its number and heading; `attrs` start with a space. */
  private heading(b: Block, tag: string, prefix: string, attrs = ''): string {
    const num = b.label ? `<num>${escapeXml(b.label)}</num>` : '';
    const eid = this.ids.of(prefix, b.id);
    return `<${tag}${attrs} eId="${eid}">${num}<heading>${this.inlines(b.inlines)}</heading>`;
  }

  /** Body blocks (no annexes) as hierarchical AKN. */
  private body(blocks: readonly Block[]): string {
    let out = '';
    let open: string[] = []; // closing tags, innermost last
    let paras: Block[] = [];
    const flushParas = () => {
      out += this.paragraphs(paras, 'paragraph');
      paras = [];
    };
    const close = (n: number) => {
      flushParas();
      while (open.length > n) out += open.pop();
    };
    for (const b of blocks) {
      if (b.kind === 'paragraph') {
        paras.push(b);
      } else if (b.kind === 'chapter' || b.kind === 'front') {
        close(0);
        out +=
          b.kind === 'chapter'
            ? this.heading(b, 'chapter', 'chp')
            : this.heading(b, 'hcontainer', 'front', ' name="frontMatter"');
        open = [b.kind === 'chapter' ? '</chapter>' : '</hcontainer>'];
      } else if (b.kind === 'section') {
        close(Math.min(open.length, 1));
        out += this.heading(b, 'section', 'sec');
        open.push('</section>');
      }
    }
    close(0);
    return out;
  }

  private identification(kind: 'doc' | 'statement', name: string, suffix = ''): string {
    const meta = this.outline.meta;
    const lang = LANGUAGE_CODES[meta.originalLanguage] ?? 'eng';
    const slug = symbolSlug(meta.symbol ?? this.options.fallbackName);
    const work = `/akn/un/${kind}/${name}/${meta.date}/${slug}${suffix}`;
    const version = meta.revisionLabel ? meta.revisionLabel.toLowerCase().replace('.', '') : '';
    const expr = `${work}/${lang}@${version}`;
    const author = `#${escapeXml(meta.author)}`;
    const generated = this.options.generatedAt.slice(0, 10);
    return (
      `<identification source="#concord">` +
      `<FRBRWork><FRBRthis value="${work}/!main"/><FRBRuri value="${work}"/>` +
      `<FRBRalias value="${escapeXml(meta.symbol ?? '')}" name="symbol"/>` +
      `<FRBRdate date="${meta.date}" name="submission"/><FRBRauthor href="${author}"/>` +
      `<FRBRcountry value="un"/><FRBRnumber value="${escapeXml(fullSymbol(meta) ?? '')}"/>` +
      `<FRBRname value="${escapeXml(name)}"/></FRBRWork>` +
      `<FRBRExpression><FRBRthis value="${expr}/!main"/><FRBRuri value="${expr}"/>` +
      `<FRBRdate date="${meta.date}" name="submission"/><FRBRauthor href="${author}"/>` +
      (version ? `<FRBRversionNumber value="${escapeXml(meta.revisionLabel ?? '')}"/>` : '') +
      `<FRBRlanguage language="${lang}"/></FRBRExpression>` +
      `<FRBRManifestation><FRBRthis value="${expr}/!main.xml"/><FRBRuri value="${expr}/.akn"/>` +
      `<FRBRdate date="${generated}" name="generation"/><FRBRauthor href="#concord"/>` +
      `</FRBRManifestation></identification>`
    );
  }

  private meta(kind: 'doc' | 'statement', name: string, suffix = '', main = true): string {
    const { meta } = this.outline;
    const wc = this.options.wordCount;
    // TLC eIds are unique in the whole file: an annex's meta refers to the main one's.
    const references = main
      ? `<references source="#concord">` +
        `<TLCOrganization eId="concord" href="/ontology/organization/concord" showAs="Concord"/>` +
        `<TLCOrganization eId="${escapeXml(meta.author)}" href="/ontology/organization/${escapeXml(meta.author)}" showAs="${escapeXml(meta.organ)}"/>` +
        `</references>`
      : '';
    const proprietary = main
      ? `<proprietary source="#concord"><concord:export xmlns:concord="${CONCORD_NS}"` +
        ` generated="${escapeXml(this.options.generatedAt)}" words="${wc.words}" wordLimit="${wc.limit}"` +
        ` distribution="${escapeXml(meta.distribution)}" organ="${escapeXml(meta.organ)}"/></proprietary>`
      : '';
    return `<meta>${this.identification(kind, name, suffix)}${references}${proprietary}</meta>`;
  }

  private preface(): string {
    const { meta, title } = this.outline;
    const symbol = fullSymbol(meta);
    return (
      '<preface>' +
      (symbol ? `<p class="symbol"><docNumber>${escapeXml(symbol)}</docNumber></p>` : '') +
      `<p class="distribution">Distr.: ${escapeXml(meta.distribution)}</p>` +
      `<p class="date"><docDate date="${meta.date}">${meta.date}</docDate></p>` +
      `<p class="original">Original: ${escapeXml(meta.originalLanguage)}</p>` +
      meta.sessionLines.map((l) => `<p class="session">${escapeXml(l)}</p>`).join('') +
      `<longTitle><p><docTitle>${title.map(runXml).join('')}</docTitle></p></longTitle>` +
      '</preface>'
    );
  }

  private annexes(blocks: readonly Block[]): string {
    const starts = blocks.flatMap((b, i) => (b.kind === 'annex' ? [i] : []));
    if (starts.length === 0) return '';
    const parts = starts.map((start, k) => {
      const end = starts[k + 1] ?? blocks.length;
      const head = blocks[start]!;
      const eid = this.ids.of('att', head.id);
      const suffix = `/!annex_${k + 1}`;
      return (
        `<attachment eId="${eid}"><doc name="annex">${this.meta('doc', 'annex', suffix, false)}` +
        `<preface><p class="annexLabel">${escapeXml(head.label)}</p>` +
        `<longTitle><p>${this.inlines(head.inlines)}</p></longTitle></preface>` +
        `<mainBody>${this.body(blocks.slice(start + 1, end)) || '<p/>'}</mainBody></doc></attachment>`
      );
    });
    return `<attachments>${parts.join('')}</attachments>`;
  }

  xml(): string {
    const { outline } = this;
    const firstAnnex = outline.blocks.findIndex((b) => b.kind === 'annex');
    const main = firstAnnex < 0 ? outline.blocks : outline.blocks.slice(0, firstAnnex);
    const annexBlocks = firstAnnex < 0 ? [] : outline.blocks.slice(firstAnnex);
    let inner: string;
    if (outline.type === 'resolution') {
      const preamble = main
        .filter((b) => b.part === 'preamble')
        .map(
          (b) =>
            `<container name="preambularParagraph" eId="${this.ids.of('preamble', b.id)}">` +
            `<p>${b.label ? `${escapeXml(b.label)} ` : ''}${this.inlines(b.inlines)}</p></container>`,
        )
        .join('');
      const operative = main.filter((b) => b.part !== 'preamble');
      inner =
        `<statement name="resolution">${this.meta('statement', 'resolution')}${this.preface()}` +
        (preamble ? `<preamble>${preamble}</preamble>` : '') +
        `<mainBody>${this.body(operative) || '<p/>'}</mainBody>${this.annexes(annexBlocks)}</statement>`;
    } else {
      inner =
        `<doc name="report">${this.meta('doc', 'report')}${this.preface()}` +
        `<mainBody>${this.body(main) || '<p/>'}</mainBody>${this.annexes(annexBlocks)}</doc>`;
    }
    return `<?xml version="1.0" encoding="UTF-8"?>\n<akomaNtoso xmlns="${AKN_NS}">${inner}</akomaNtoso>\n`;
  }
}

export function toAkn(outline: Outline, options: AknOptions): string {
  return new AknWriter(outline, options).xml();
}

export type { DocumentMeta };
