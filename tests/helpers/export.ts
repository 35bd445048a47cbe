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
