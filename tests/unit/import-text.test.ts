/**
 * Plain-text import (server/import/text.ts, recognise.ts, build.ts): the real draft resolution
 * A/C.1/70/L.45 (tests/fixtures/import, copied from the handbook) with every part counted from
 * the text itself, and a pasted report with chapters, sections, (a)/(i) sub-paragraphs and an
 * annex: literal numbers become computed numbering ("1. 1." never), levels kept.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { buildDocument, previewOf } from '../../server/import/build.js';
import { readImport } from '../../server/import/read.js';
import { ImportError } from '../../server/import/source.js';
import { DEFAULT_META, type Outline, outlineFromDoc, plainText } from '../../shared/outline.js';

const FIXTURE = fs.readFileSync(
  new URL('../fixtures/import/A-C.1-70-L.45.txt', import.meta.url),
  'utf8',
);

async function importText(text: string) {
  const rec = await readImport('text', new TextEncoder().encode(text));
  const built = buildDocument(rec);
  return {
    rec,
    outline: outlineFromDoc(built.doc),
    preview: previewOf('text', rec, built, DEFAULT_META),
  };
}

/** The fixture's parts, counted with plain patterns over its lines (not with the importer). */
function countFixture(text: string) {
  const lines = text.split('\n').map((l) => l.trim());
  const enacting = lines.indexOf('The General Assembly,');
  const isNote = (l: string) => /^[¹²³⁴⁵⁶⁷⁸⁹⁰]/.test(l);
  const firstOperative = lines.findIndex((l) => /^\d+\. /.test(l));
  const preambular = lines
    .slice(enacting + 1, firstOperative)
    .filter((l) => l !== '' && !isNote(l)).length;
  const operative = lines.filter((l) => /^\d+\. /.test(l)).length;
  const lettered = lines.filter((l) => /^\([a-z]\) /.test(l)).length;
  const noteTexts = lines.filter(isNote).length;
  const references = lines
    .filter((l) => l !== '' && !isNote(l))
    .reduce((n, l) => n + (l.match(/\S[¹²³⁴⁵⁶⁷⁸⁹⁰]/g)?.length ?? 0), 0);
  const symbols = new Set([...text.matchAll(/\[([^\]]+)\]\(#\)/g)].map((m) => m[1]!));
  return { preambular, operative, lettered, noteTexts, references, symbols };
}

const refsOf = (o: Outline) =>
  new Set(
    [...o.blocks.flatMap((b) => b.inlines), ...o.footnotes.flatMap((f) => f.runs)].flatMap((i) =>
      'ref' in i && i.ref ? [i.ref] : [],
    ),
  );

describe('A/C.1/70/L.45, the real draft resolution, as plain text', () => {
  test('every preambular and operative paragraph, lettered sub-paragraph and footnote is recognised', async () => {
    const expected = countFixture(FIXTURE);
    // The counts are the fixture's own; that they are what the document says is checked once here.
    assert.deepEqual(
      [expected.preambular, expected.operative, expected.lettered, expected.noteTexts],
      [16, 6, 6, 4],
    );
    const { outline, preview } = await importText(FIXTURE);
    assert.equal(outline.type, 'resolution');
    assert.equal(preview.counts.preambular, expected.preambular);
    assert.equal(preview.counts.operative, expected.operative);
    assert.equal(preview.counts.subParagraphs, expected.lettered);
    // Each reference is a footnote (footnote 3 is cited twice: two footnotes with its text).
    assert.equal(preview.counts.footnotes, expected.references);
    const texts = new Set(outline.footnotes.map((f) => plainText(f.runs)));
    assert.equal(texts.size, expected.noteTexts);
    assert.ok(texts.has('See A/C.2/59/3 and A/60/687.'));
    assert.ok(texts.has('A/68/98.'));
    // Lettered sub-paragraphs under operative paragraphs 2 and 4, labels computed.
    const subs = outline.blocks.filter((b) => b.level > 0).map((b) => b.label);
    assert.deepEqual(subs, ['(a)', '(b)', '(a)', '(b)', '(c)', '(d)']);
    assert.ok(outline.blocks.filter((b) => b.level > 0).every((b) => b.level === 1));
  });

  test('numbers are computed, never literal text; italics kept and restored; symbols are references', async () => {
    const { outline, preview } = await importText(FIXTURE);
    const operative = outline.blocks.filter((b) => b.part === 'operative' && b.level === 0);
    assert.deepEqual(
      operative.map((b) => b.label),
      ['1.', '2.', '3.', '4.', '5.', '6.'],
    );
    for (const b of outline.blocks)
      assert.doesNotMatch(plainText(b.inlines), /^\s*(\d+\.|\([a-z]+\))/);
    // *Welcomes* was italic in the source; Recalling was not, and is now.
    const lead = (i: number, part: string) => {
      const b = outline.blocks.filter((x) => x.part === part && x.level === 0)[i]!;
      const first = b.inlines[0]!;
      return 'text' in first && first.em ? first.text : null;
    };
    assert.equal(lead(0, 'operative'), 'Welcomes');
    assert.equal(lead(1, 'operative'), 'Calls upon');
    assert.equal(lead(0, 'preamble'), 'Recalling');
    assert.equal(lead(1, 'preamble'), 'Recalling also');
    assert.equal(lead(2, 'preamble'), 'Bearing in mind');
    // Every cited symbol is a reference; no footnote or paragraph keeps the link's brackets.
    const expected = countFixture(FIXTURE).symbols;
    const refs = refsOf(outline);
    for (const s of expected) assert.ok(refs.has(s), s);
    for (const f of outline.footnotes) assert.doesNotMatch(plainText(f.runs), /[[\]]/);
    // Paragraph 5, cut by a page and footnote 4, is one paragraph again.
    const five = plainText(operative[4]!.inlines);
    assert.match(five, /behaviour of States, confidence-building measures and capacity-building/);
    assert.match(five, /seventy-second session;$/);
    assert.ok(preview.notes.some((n) => /Joined/.test(n.message)));
  });

  test('the masthead becomes metadata and the title; the sponsors line is reported as not kept', async () => {
    const { outline, preview } = await importText(FIXTURE);
    assert.equal(
      plainText(outline.title),
      'Developments in the field of information and telecommunications in the context of international security',
    );
    assert.deepEqual(preview.metadata, {
      distribution: 'Limited',
      date: '2015-10-21',
      originalLanguage: 'English',
      session: 'Seventieth session',
      agendaItem: 'Agenda item 92',
      documentType: 'draft-resolution',
    });
    assert.ok(
      preview.notes.some((n) => n.level === 'skipped' && /Armenia, Belarus/.test(n.message)),
    );
    assert.ok(
      preview.notes.some((n) => n.level === 'unsure' && /English and Russian/.test(n.message)),
    );
  });
});

describe('a report pasted as plain text', () => {
  const REPORT = [
    'Report of the Group of Governmental Experts',
    'I. Introduction',
    '1. The Group met in New York.',
    '2. The Group considered:',
    '(a) threats;',
    '(b) norms, including:',
    '(i) first;',
    '(ii) second;',
    '(c) international law.',
    'A. Mandate',
    '3. The mandate is in [A/70/174](#) and A/68/98.',
    'II. Conclusions',
    '4. The Group recommends [further work].',
    'Annex',
    'List of members',
    '1. Brazil',
  ].join('\n');

  test('chapters, sections, numbered paragraphs, (a)/(i) levels and an annex; no "1. 1."', async () => {
    const { outline, preview } = await importText(REPORT);
    assert.equal(outline.type, 'report');
    assert.equal(plainText(outline.title), 'Report of the Group of Governmental Experts');
    assert.deepEqual(
      outline.blocks.map((b) => [b.kind, b.label, b.level, plainText(b.inlines)]),
      [
        ['chapter', 'I.', 0, 'Introduction'],
        ['paragraph', '1.', 0, 'The Group met in New York.'],
        ['paragraph', '2.', 0, 'The Group considered:'],
        ['paragraph', '(a)', 1, 'threats;'],
        ['paragraph', '(b)', 1, 'norms, including:'],
        ['paragraph', '(i)', 2, 'first;'],
        ['paragraph', '(ii)', 2, 'second;'],
        ['paragraph', '(c)', 1, 'international law.'],
        ['section', 'A.', 0, 'Mandate'],
        ['paragraph', '3.', 0, 'The mandate is in A/70/174 and A/68/98.'],
        ['chapter', 'II.', 0, 'Conclusions'],
        ['paragraph', '4.', 0, 'The Group recommends [further work].'],
        ['annex', 'Annex', 0, 'List of members'],
        ['paragraph', '1.', 0, 'Brazil'],
      ],
    );
    assert.deepEqual([...refsOf(outline)].sort(), ['A/68/98', 'A/70/174']);
    // Negotiation brackets stay text, never a reference.
    const four = outline.blocks.find((b) => b.label === '4.')!;
    assert.ok(four.inlines.every((i) => !('ref' in i && i.ref)));
    assert.equal(preview.counts.chapters, 2);
    assert.equal(preview.counts.subParagraphs, 5);
  });

  test('(i) after (h) is the letter i, not the roman one', async () => {
    const letters = 'abcdefghi'.split('').map((c) => `(${c}) item ${c};`);
    const { outline } = await importText(['T', 'I. One', '1. List:', ...letters].join('\n'));
    const subs = outline.blocks.filter((b) => b.level > 0);
    assert.equal(subs.length, 9);
    assert.ok(subs.every((b) => b.level === 1));
    assert.equal(subs[8]!.label, '(i)');
  });

  test('bad text: empty, binary, a zip, not UTF-8 — a 400 with a message', async () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [new TextEncoder().encode('\n  \n'), /empty/],
      [new Uint8Array([0x61, 0x00, 0x62]), /binary/],
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]), /zip/],
      [new Uint8Array([0xff, 0xfe, 0x41]), /UTF-8/],
    ];
    for (const [bytes, message] of cases) {
      await assert.rejects(readImport('text', bytes), (err: unknown) => {
        assert.ok(err instanceof ImportError);
        assert.equal(err.statusCode, 400);
        assert.match(err.message, message);
        return true;
      });
    }
  });
});
