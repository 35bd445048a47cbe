/**
 * The .docx exports read by a real word processor: LibreOffice headless converts each golden
 * document to PDF and pdftotext shows the paragraphs with their numbers, the sub-paragraphs and
 * the footnotes (their texts, not only their marks). Debian: libreoffice-writer-nogui,
 * poppler-utils (installed by .ci/run).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { toDocx } from '../../server/export/docx.js';
import { trackedOutline } from '../../server/export/track.js';
import type { Outline } from '../../shared/outline.js';
import { wordCount } from '../../shared/wordCount.js';
import {
  libreOfficeConvert,
  pdfText,
  sampleReport,
  sampleResolution,
  trackedPair,
  unzip,
} from '../helpers/export.js';

const docx = (outline: Outline, layout: 'manuscript' | 'issued') =>
  toDocx(outline, {
    layout,
    option: 'clean',
    wordCount: wordCount(outline),
    generatedAt: '2026-12-07T10:00:00.000Z',
  });

/** Lines of `text` (whitespace collapsed), for order checks. */
const linesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);

/** Asserts that `expected` appear in `lines` in this order (other lines may come between). */
function inOrder(lines: string[], expected: string[], what: string) {
  let at = 0;
  for (const e of expected) {
    const found = lines.indexOf(e, at);
    assert.ok(found >= 0, `${what}: "${e}" after line ${at} in:\n${lines.join('\n')}`);
    at = found + 1;
  }
}

let texts: { manuscript: string; issued: string; resolution: string };

before(async () => {
  const files = [
    await docx(sampleReport(), 'manuscript'),
    await docx(sampleReport(), 'issued'),
    await docx(sampleResolution(), 'issued'),
  ];
  const [manuscript, issued, resolution] = libreOfficeConvert(files, 'pdf').map(pdfText);
  texts = { manuscript: manuscript!, issued: issued!, resolution: resolution! };
});

describe('LibreOffice reads the .docx exports', () => {
  test('track changes: LibreOffice holds them as tracked insertions and deletions by the Chair', async () => {
    const { earlier, later } = trackedPair();
    const outline = trackedOutline(earlier, later);
    const file = await toDocx(outline, {
      layout: 'manuscript',
      option: 'clean',
      wordCount: wordCount(later),
      generatedAt: '2026-12-07T10:00:00.000Z',
      tracking: { author: 'Chair', date: '2021-03-10T00:00:00Z' },
    });
    const [odt] = libreOfficeConvert([file], 'odt');
    const content = unzip(odt!).get('content.xml')!.toString();
    const regions = [
      ...content.matchAll(/<text:changed-region[\s\S]*?<\/text:changed-region>/g),
    ].map((m) => m[0]);
    const kinds = (k: string) => regions.filter((r) => r.includes(`<text:${k}>`));
    assert.ok(kinds('insertion').length >= 3, `insertions in:\n${regions.join('\n')}`);
    assert.ok(kinds('deletion').length >= 3, 'deletions');
    for (const r of regions) {
      assert.match(r, /<dc:creator>Chair<\/dc:creator>/);
      assert.match(r, /<dc:date>2021-03-10(T00:00:00)?<\/dc:date>/);
    }
    // A deletion holds the earlier text: the removed sub-paragraph is there, marked deleted.
    assert.ok(kinds('deletion').some((r) => r.includes('At the regional level;')));
  });

  for (const layout of ['manuscript', 'issued'] as const) {
    test(`report, ${layout}: numbers, sub-paragraphs, footnotes and the annex`, () => {
      const lines = linesOf(texts[layout]);
      inOrder(
        lines,
        [
          'Report of the Open-ended Working Group',
          'I. Introduction',
          '1. The Group met in New York.1',
          '2. The Group recommends that States:',
          '(a) Cooperate [and coordinate];',
          '(i) At the regional level;',
          '(b) Report annually.2',
          'II. Norms',
          'A. Voluntary norms',
          '3. States should not conduct ICT activity [contrary to international law].',
        ],
        layout,
      );
      // The footnotes' own texts, each once (a reader that lost one shows another twice).
      assert.equal(lines.filter((l) => l.endsWith('See A/70/174.')).length, 1, layout);
      assert.equal(lines.filter((l) => l.endsWith('Resolution 73/27, para. 5.')).length, 1);
      inOrder(lines, ['Annex', 'Chair’s summary', '1. The summary is the Chair’s own.'], layout);
    });
  }

  test('issued report: the masthead', () => {
    const lines = linesOf(texts.issued);
    const text = lines.join('\n');
    for (const l of ['United Nations', 'General Assembly', 'Distr.: General', '10 March 2021'])
      assert.ok(text.includes(l), l);
    assert.match(text, /United Nations A\/AC\.290\/2021\/CRP\.2\/Rev\.1/);
  });

  test('resolution: preambular paragraphs unnumbered, operative ones numbered', () => {
    const lines = linesOf(texts.resolution);
    inOrder(
      lines,
      [
        'Recalling its resolutions 53/70 and 54/49,',
        'Noting the report of the Group,1',
        '1. Calls upon Member States:',
        '(a) To cooperate;',
        '2. Requests the Secretary-General to report.',
      ],
      'resolution',
    );
  });
});
