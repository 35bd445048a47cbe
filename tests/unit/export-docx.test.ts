/**
 * The .docx export (server/export/docx.ts): golden structure of document.xml and footnotes.xml
 * for each layout (tests/fixtures/export/*.txt; CONCORD_UPDATE_GOLDEN=1 rewrites them after a
 * deliberate change), real Word footnotes, the options, and reproducibility. LibreOffice reading
 * the same files is tests/integration/export-readers.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DocxOptions, italicLead, longDate, toDocx } from '../../server/export/docx.js';
import type { Outline } from '../../shared/outline.js';
import { wordCount } from '../../shared/wordCount.js';
import { paragraphStructure, sampleReport, sampleResolution, unzip } from '../helpers/export.js';

const GOLDEN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/export');

function docx(outline: Outline, options: Partial<DocxOptions> = {}) {
  return toDocx(outline, {
    layout: 'manuscript',
    option: 'clean',
    wordCount: wordCount(outline),
    generatedAt: '2026-12-07T10:00:00.000Z',
    ...options,
  });
}

function structure(file: Buffer): string {
  const parts = unzip(file);
  return [
    '# word/document.xml',
    ...paragraphStructure(parts.get('word/document.xml')!.toString()),
    '# word/footnotes.xml',
    ...paragraphStructure(parts.get('word/footnotes.xml')!.toString()),
    '',
  ].join('\n');
}

function golden(name: string, actual: string) {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env['CONCORD_UPDATE_GOLDEN'] === '1') {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `golden ${name}`);
}

describe('.docx export', () => {
  for (const [name, outline, layout] of [
    ['report-manuscript', sampleReport(), 'manuscript'],
    ['report-issued', sampleReport(), 'issued'],
    ['resolution-issued', sampleResolution(), 'issued'],
  ] as const) {
    test(`${name}: document.xml and footnotes.xml as the golden file`, async () => {
      golden(name, structure(await docx(outline, { layout })));
    });
  }

  test('manuscript: 12 pt Times New Roman, double spacing in the text and the footnotes', async () => {
    const parts = unzip(await docx(sampleReport()));
    const styles = parts.get('word/styles.xml')!.toString();
    assert.match(styles, /<w:docDefaults>.*<w:rFonts w:ascii="Times New Roman"/s);
    assert.match(styles, /<w:docDefaults>.*<w:sz w:val="24"\/>/s);
    const footnoteStyle = /<w:style [^>]*w:styleId="FootnoteText">.*?<\/w:style>/s.exec(
      styles,
    )?.[0];
    assert.ok(footnoteStyle, 'FootnoteText style');
    assert.match(footnoteStyle, /w:line="480"/);
    assert.match(footnoteStyle, /<w:sz w:val="24"\/>/);
    // Real Word footnotes: a reference in the text, the note in footnotes.xml.
    const doc = parts.get('word/document.xml')!.toString();
    assert.equal(doc.match(/<w:footnoteReference w:id="\d+"\/>/g)?.length, 2);
  });

  test('option brackets highlights bracketed text only; clean does not', async () => {
    const lines = (s: string) => s.split('\n').filter((l) => l.includes('=='));
    const highlighted = structure(await docx(sampleReport(), { option: 'brackets' }));
    assert.deepEqual(lines(highlighted), [
      '[left=1440 hanging=720 line=480] (a)\\tCooperate ==[and coordinate]==;',
      '[left=720 hanging=720 line=480] 3.\\tStates should not conduct ICT activity ==[contrary to international law]==.',
    ]);
    assert.deepEqual(lines(structure(await docx(sampleReport()))), []);
  });

  test('option status puts each paragraph’s status in a margin comment on its number', async () => {
    const statuses = new Map([
      ['p1', { label: 'Agreed', at: '2026-03-01T12:00:00.000Z' }],
      ['p3', { label: 'Bracketed', at: '2026-03-02T12:00:00.000Z' }],
    ]);
    const parts = unzip(await docx(sampleReport(), { option: 'status', statuses }));
    const comments = parts.get('word/comments.xml')!.toString();
    assert.deepEqual(
      [...comments.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]),
      ['Paragraph 1.: Agreed', 'Paragraph 3.: Bracketed'],
    );
    const doc = parts.get('word/document.xml')!.toString();
    assert.match(
      doc,
      /<w:commentRangeStart w:id="0"\/><w:r><w:t[^>]*>1\.<\/w:t><\/w:r><w:r><w:tab\/><\/w:r><w:commentRangeEnd w:id="0"\/>/,
    );
    // The same statuses without the option: no comments.
    const clean = unzip(await docx(sampleReport(), { statuses }));
    assert.doesNotMatch(clean.get('word/document.xml')!.toString(), /commentRangeStart/);
  });

  test('the same text gives the same bytes apart from the timestamps', async () => {
    const a = unzip(await docx(sampleReport(), { layout: 'issued' }));
    await new Promise((r) => setTimeout(r, 1100)); // a second later: the zip's and core.xml's times differ
    const b = unzip(await docx(sampleReport(), { layout: 'issued' }));
    assert.deepEqual([...a.keys()], [...b.keys()]);
    const stamp = /<dcterms:(created|modified)[^>]*>[^<]*<\/dcterms:\1>/g;
    for (const [name, bytes] of a) {
      if (name === 'docProps/core.xml')
        assert.equal(
          bytes.toString().replace(stamp, ''),
          b.get(name)!.toString().replace(stamp, ''),
        );
      else assert.ok(bytes.equals(b.get(name)!), name);
    }
  });

  test('lead words of resolution paragraphs: one verb, a phrase, an adverb and its verb', () => {
    const lead = (text: string) => {
      const [first] = italicLead([{ text }]);
      return first && 'text' in first ? first.text : '';
    };
    assert.equal(lead('Requests the Secretary-General'), 'Requests');
    assert.equal(lead('Bearing in mind that'), 'Bearing in mind');
    assert.equal(lead('Calls upon Member States'), 'Calls upon');
    assert.equal(lead('Also requests the Group'), 'Also requests');
    assert.equal(lead('Noting,'), 'Noting,');
    // Already italic: left as written.
    assert.deepEqual(italicLead([{ text: 'Welcomes', em: true }, { text: ' the report' }]), [
      { text: 'Welcomes', em: true },
      { text: ' the report' },
    ]);
    assert.equal(longDate('2021-03-10'), '10 March 2021');
  });
});
