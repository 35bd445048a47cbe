/**
 * Fixed documents for the export suites (a report with chapters, a section, sub-paragraphs,
 * footnotes, a document reference, negotiation brackets and an annex; a resolution), and the
 * real readers the suites check exports with: xmllint against the OASIS schema, LibreOffice
 * headless and pdftotext, unzip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Block, DocumentMeta, Inline, Outline, Run } from '../../shared/outline.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const AKN_SCHEMA = path.join(fixtures, 'akn/akomantoso30.xsd');

export const META: DocumentMeta = {
  symbol: 'A/AC.290/2021/CRP.2',
  revisionLabel: 'Rev.1',
  organ: 'General Assembly',
  distribution: 'General',
  date: '2021-03-10',
  originalLanguage: 'English',
  sessionLines: ['Open-ended working group on developments in the field of ICTs'],
  author: 'oewg',
};

const t = (text: string, marks: Omit<Run, 'text'> = {}): Run => ({ text, ...marks });
const p = (
  label: string,
  level: number,
  inlines: Inline[],
  part: Block['part'] = 'body',
  id: string | null = null,
): Block => ({ kind: 'paragraph', part, id, label, level, inlines });

/** A report exercising every block kind the exporters know. */
export function sampleReport(): Outline {
  return {
    type: 'report',
    title: [t('Report of the Open-ended Working Group')],
    meta: { ...META },
    footnotes: [
      { number: 1, id: 'fn1', runs: [t('See '), t('A/70/174', { ref: 'A/70/174' }), t('.')] },
      { number: 2, id: 'fn2', runs: [t('Resolution 73/27, para. 5.')] },
    ],
    blocks: [
      {
        kind: 'chapter',
        part: 'body',
        id: 'ch1',
        label: 'I.',
        level: 0,
        inlines: [t('Introduction')],
      },
      p('1.', 0, [t('The Group met in New York.'), { footnote: 1 }], 'body', 'p1'),
      p(
        '2.',
        0,
        [t('The Group '), t('recommends', { em: true }), t(' that States:')],
        'body',
        'p2',
      ),
      p('(a)', 1, [t('Cooperate [and coordinate];')], 'body', 'p2a'),
      p('(i)', 2, [t('At the regional level;')], 'body', 'p2ai'),
      p('(b)', 1, [t('Report annually.'), { footnote: 2 }], 'body', 'p2b'),
      { kind: 'chapter', part: 'body', id: 'ch2', label: 'II.', level: 0, inlines: [t('Norms')] },
      {
        kind: 'section',
        part: 'body',
        id: 's1',
        label: 'A.',
        level: 0,
        inlines: [t('Voluntary norms')],
      },
      p(
        '3.',
        0,
        [t('States should not conduct ICT activity [contrary to international law].')],
        'body',
        'p3',
      ),
      {
        kind: 'annex',
        part: 'annex',
        id: 'ax1',
        label: 'Annex',
        level: 0,
        inlines: [t('Chair’s summary')],
      },
      p('1.', 0, [t('The summary is the Chair’s own.')], 'annex', 'x1'),
    ],
  };
}

/** A resolution: preambular paragraphs (unnumbered) and operative ones (numbered). */
export function sampleResolution(): Outline {
  return {
    type: 'resolution',
    title: [t('Developments in the field of information and telecommunications')],
    meta: {
      ...META,
      symbol: 'A/C.1/70/L.45',
      revisionLabel: null,
      distribution: 'Limited',
      date: '2015-10-21',
    },
    footnotes: [{ number: 1, id: 'f1', runs: [t('A/70/174.', { ref: 'A/70/174' })] }],
    blocks: [
      p(
        '',
        0,
        [t('Recalling', { em: true }), t(' its resolutions 53/70 and 54/49,')],
        'preamble',
        'pp1',
      ),
      p(
        '',
        0,
        [t('Noting', { em: true }), t(' the report of the Group,'), { footnote: 1 }],
        'preamble',
        'pp2',
      ),
      p('1.', 0, [t('Calls upon', { em: true }), t(' Member States:')], 'operative', 'op1'),
      p('(a)', 1, [t('To cooperate;')], 'operative', 'op1a'),
      p(
        '2.',
        0,
        [t('Requests', { em: true }), t(' the Secretary-General to report.')],
        'operative',
        'op2',
      ),
    ],
  };
}

/**
 * Two versions of the sample report: paragraph 1 and footnote 1 reworded, a paragraph inserted
 * after it (so later numbers move), a sub-paragraph deleted, the title changed.
 */
export function trackedPair(): { earlier: Outline; later: Outline } {
  const earlier = sampleReport();
  const later = sampleReport();
  later.title = [t('Final report of the Open-ended Working Group')];
  later.footnotes[0] = {
    ...later.footnotes[0]!,
    runs: [t('See '), t('A/70/174', { ref: 'A/70/174' }), t(' and A/76/135.')],
  };
  const at = later.blocks.findIndex((b) => b.id === 'p1');
  later.blocks[at] = {
    ...later.blocks[at]!,
    inlines: [t('The Group met in Geneva.'), { footnote: 1 }],
  };
  later.blocks.splice(
    at + 1,
    0,
    p('2.', 0, [t('It held '), t('five', { em: true }), t(' sessions.')], 'body', 'pnew'),
  );
  later.blocks = later.blocks.filter((b) => b.id !== 'p2ai');
  for (const b of later.blocks) {
    if (b.id === 'p2') b.label = '3.';
    if (b.id === 'p3') b.label = '4.';
  }
  return { earlier, later };
}

/** Validates an AKN document against the OASIS schema; `output` is xmllint's message. */
export function validateAkn(xml: string): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-akn-'));
  try {
    const file = path.join(dir, 'doc.xml');
    fs.writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', AKN_SCHEMA, file], {
      encoding: 'utf8',
    });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-export-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The entries of a zip file (a .docx) by name, read with Info-ZIP's unzip. */
export function unzip(file: Buffer): Map<string, Buffer> {
  return withTempDir((dir) => {
    const zip = path.join(dir, 'file.zip');
    fs.writeFileSync(zip, file);
    const outDir = path.join(dir, 'x');
    const r = spawnSync('unzip', ['-q', zip, '-d', outDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`unzip: ${r.stderr}`);
    const out = new Map<string, Buffer>();
    for (const name of fs.readdirSync(outDir, { recursive: true, encoding: 'utf8' }).sort()) {
      const full = path.join(outDir, name);
      if (fs.statSync(full).isFile())
        out.set(name.split(path.sep).join('/'), fs.readFileSync(full));
    }
    return out;
  });
}

/**
 * Converts .docx files with LibreOffice headless (its own profile, so parallel runs do not
 * collide) to `format` ('pdf', 'odt', 'docx'…), returning the converted files' bytes in order.
 */
export function libreOfficeConvert(files: Buffer[], format: string): Buffer[] {
  return withTempDir((dir) => {
    const inputs = files.map((f, i) => {
      const p = path.join(dir, `doc${i}.docx`);
      fs.writeFileSync(p, f);
      return p;
    });
    const outDir = path.join(dir, 'out');
    const r = spawnSync(
      'soffice',
      [
        `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
        '--headless',
        '--convert-to',
        format,
        '--outdir',
        outDir,
        ...inputs,
      ],
      { encoding: 'utf8', timeout: 180_000 },
    );
    if (r.status !== 0) throw new Error(`soffice: ${r.status} ${r.stderr}`);
    const ext = format.split(':')[0];
    return inputs.map((_, i) => fs.readFileSync(path.join(outDir, `doc${i}.${ext}`)));
  });
}

/** The text of a PDF as pdftotext (poppler) reads it, keeping the physical layout. */
export function pdfText(pdf: Buffer): string {
  return withTempDir((dir) => {
    const p = path.join(dir, 'file.pdf');
    fs.writeFileSync(p, pdf);
    const r = spawnSync('pdftotext', ['-layout', p, '-'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pdftotext: ${r.stderr}`);
    return r.stdout;
  });
}

const attr = (xml: string, re: RegExp) => re.exec(xml)?.[1];

/**
 * The structure of a WordprocessingML part: one line per paragraph with what a reader sees and
 * what lays it out (style, indents, page break, bold/italic text, footnote references).
 */
export function paragraphStructure(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<w:p\b[^>]*>([\s\S]*?)<\/w:p>/g)) {
    const p = m[1]!;
    const pPr = /<w:pPr>([\s\S]*?)<\/w:pPr>/.exec(p)?.[1] ?? '';
    const props = [
      attr(pPr, /<w:pStyle w:val="([^"]+)"/),
      pPr.includes('<w:pageBreakBefore/>') ? 'page-break' : undefined,
      attr(pPr, /<w:ind [^>]*w:left="(\d+)"/) && `left=${attr(pPr, /<w:ind [^>]*w:left="(\d+)"/)}`,
      attr(pPr, /<w:ind [^>]*w:hanging="(\d+)"/) &&
        `hanging=${attr(pPr, /<w:ind [^>]*w:hanging="(\d+)"/)}`,
      attr(pPr, /<w:ind [^>]*w:firstLine="(\d+)"/) &&
        `first=${attr(pPr, /<w:ind [^>]*w:firstLine="(\d+)"/)}`,
      attr(pPr, /<w:spacing [^>]*w:line="(\d+)"/) &&
        `line=${attr(pPr, /<w:spacing [^>]*w:line="(\d+)"/)}`,
    ].filter(Boolean);
    let text = '';
    for (const r of p.matchAll(/<w:r>([\s\S]*?)<\/w:r>|<w:(ins|del) [^>]*>([\s\S]*?)<\/w:\2>/g)) {
      if (r[2]) {
        const inner = r[3]!.replace(/<w:delText[^>]*>([^<]*)<\/w:delText>/g, '$1');
        text += `{${r[2]}:${inner.replace(/<[^>]+>/g, '')}}`;
        continue;
      }
      const run = r[1]!;
      const b = /<w:b\/>|<w:b w:val="true"\/>/.test(run);
      const i = /<w:i\/>|<w:i w:val="true"\/>/.test(run);
      const h = /<w:highlight /.test(run);
      let t = '';
      for (const x of run.matchAll(
        /<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<w:footnoteReference w:id="(\d+)"\/>|<w:footnoteRef\/>/g,
      )) {
        if (x[1] !== undefined) t += x[1];
        else if (x[0] === '<w:tab/>') t += '\\t';
        else if (x[2]) t += `^${x[2]}`;
        else t += '^';
      }
      if (t && /[^\\t^\d]/.test(t))
        t = `${b ? '**' : ''}${i ? '_' : ''}${h ? '==' : ''}${t}${h ? '==' : ''}${i ? '_' : ''}${b ? '**' : ''}`;
      text += t;
    }
    out.push(`[${props.join(' ')}] ${text}`);
  }
  return out;
}

/**
 * The paragraphs' plain text of a document.xml (a tab as \t, a footnote reference as ^n), after
 * accepting or rejecting every tracked change as Word does: accepting drops deletions and keeps
 * insertions; rejecting the reverse; a paragraph whose mark was inserted (reject) or deleted
 * (accept) joins the next one, so a whole tracked paragraph disappears.
 */
export function resolvedParagraphs(xml: string, how: 'accept' | 'reject' | 'none'): string[] {
  const drop = how === 'accept' ? 'del' : how === 'reject' ? 'ins' : null;
  const body = /<w:body>([\s\S]*)<\/w:body>/.exec(xml)?.[1] ?? xml;
  const out: string[] = [];
  let carry = '';
  for (const m of body.matchAll(/<w:p\b[^>]*>([\s\S]*?)<\/w:p>/g)) {
    let p = m[1]!;
    const pPr = /<w:pPr>([\s\S]*?)<\/w:pPr>/.exec(p)?.[1] ?? '';
    p = p.replace(/<w:pPr>[\s\S]*?<\/w:pPr>/, '');
    if (drop) p = p.replace(new RegExp(`<w:${drop} [^>]*>[\\s\\S]*?</w:${drop}>`, 'g'), '');
    p = p.replace(/<w:delText([^>]*)>/g, '<w:t$1>').replace(/<\/w:delText>/g, '</w:t>');
    let text = carry;
    for (const x of p.matchAll(
      /<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<w:footnoteReference w:id="(\d+)"\/>/g,
    )) {
      if (x[1] !== undefined) text += x[1];
      else if (x[0] === '<w:tab/>') text += '\t';
      else text += `^${x[2]}`;
    }
    const markDropped = drop !== null && new RegExp(`<w:rPr>[\\s\\S]*<w:${drop} `).test(pPr);
    if (markDropped) carry = text;
    else {
      out.push(text);
      carry = '';
    }
  }
  if (carry) out.push(carry);
  return out;
}
