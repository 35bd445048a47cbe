/**
 * The outline every export reads (shared/outline.ts), built from editor documents of each kind:
 * numbers from the shared numbering (the screen's), footnotes in order, cited symbols as
 * references, brackets marked only where asked; and the word count against the UN limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node as PMNode } from 'prosemirror-model';
import { toAkn } from '../../server/export/akn.js';
import { numberNodes } from '../../shared/numbering.js';
import { type Inline, markBrackets, outlineFromDoc, plainText } from '../../shared/outline.js';
import { schema } from '../../shared/schema.js';
import { countWordsIn, UN_WORD_LIMIT, wordCount } from '../../shared/wordCount.js';
import { validateAkn } from '../helpers/export.js';

const n = schema.nodes;
const t = (text: string) => schema.text(text);
const para = (id: string, level: number, ...content: PMNode[]) =>
  n['paragraph']!.create({ id, level }, content);
const note = (id: string, text: string) => n['footnote']!.create({ id }, t(text));
const ref = (symbol: string) => schema.text(symbol, [schema.marks['docref']!.create({ symbol })]);

function report(): PMNode {
  return n['doc']!.create(null, [
    n['title']!.create(null, t('Report')),
    n['chapter']!.create({ id: 'c1' }, [
      n['chapter_heading']!.create(null, t('Introduction')),
      para('p1', 0, t('The Group met.'), note('f1', 'See '), t(' again')),
      para('p1a', 1, t('In [New York];')),
      n['section']!.create({ id: 's1' }, [
        n['section_heading']!.create(null, t('Mandate')),
        para('p2', 0, t('Recalling '), ref('A/70/174'), t('.'), note('f2', 'Second note.')),
      ]),
    ]),
    n['annex']!.create({ id: 'ax1' }, [
      n['annex_heading']!.create(null, t('List of experts')),
      para('x1', 0, t('Brazil')),
    ]),
    n['annex']!.create({ id: 'ax2' }, [n['annex_heading']!.create(null, t('Statements'))]),
  ]);
}

function resolution(): PMNode {
  return n['doc']!.create(null, [
    n['title']!.create(null, t('Developments in the field of ICTs')),
    n['preamble']!.create(null, [para('pp1', 0, t('Recalling its resolutions,'))]),
    n['operative']!.create(null, [
      para('op1', 0, t('Calls upon Member States:')),
      para('op1a', 1, t('To cooperate;')),
      para('op2', 0, t('Decides to remain seized.')),
    ]),
  ]);
}

describe('outline from the editor document', () => {
  test('a report: the numbering function’s labels on every block, footnotes in order', () => {
    const doc = report();
    const o = outlineFromDoc(doc);
    assert.equal(o.type, 'report');
    assert.deepEqual(
      o.blocks.map((b) => `${b.kind}:${b.part}:${b.label}:${plainText(b.inlines)}`),
      [
        'chapter:body:I.:Introduction',
        'paragraph:body:1.:The Group met. again',
        'paragraph:body:(a):In [New York];',
        'section:body:A.:Mandate',
        'paragraph:body:2.:Recalling A/70/174.',
        'annex:annex:Annex I:List of experts',
        'paragraph:annex:1.:Brazil',
        'annex:annex:Annex II:Statements',
      ],
    );
    // The same labels as numberNodes gives the screen, by id.
    const screen = new Map(numberNodes(doc).map((x) => [x.id, x.label]));
    for (const b of o.blocks) if (b.id) assert.equal(b.label, screen.get(b.id), b.id);
    assert.deepEqual(
      o.footnotes.map((f) => [f.number, f.id, plainText(f.runs)]),
      [
        [1, 'f1', 'See '],
        [2, 'f2', 'Second note.'],
      ],
    );
    assert.deepEqual(o.blocks[1]!.inlines[1], { footnote: 1 });
    assert.deepEqual(o.blocks[4]!.inlines[1], { text: 'A/70/174', ref: 'A/70/174' });
    const v = validateAkn(
      toAkn(o, { generatedAt: '2026-01-01T00:00:00Z', fallbackName: 'r', wordCount: wordCount(o) }),
    );
    assert.ok(v.ok, v.output);
  });

  test('a resolution: preambular paragraphs unnumbered, operative numbered; AKN validates', () => {
    const o = outlineFromDoc(resolution());
    assert.equal(o.type, 'resolution');
    assert.deepEqual(
      o.blocks.map((b) => `${b.part}:${b.label}`),
      ['preamble:', 'operative:1.', 'operative:(a)', 'operative:2.'],
    );
    const xml = toAkn(o, {
      generatedAt: '2026-01-01T00:00:00Z',
      fallbackName: 'r',
      wordCount: wordCount(o),
    });
    const v = validateAkn(xml);
    assert.ok(v.ok, v.output);
    assert.match(xml, /<statement name="resolution">/);
  });

  test('brackets: nested ones count once, a cited symbol’s text is not a bracket', () => {
    const inlines: Inline[] = [
      { text: 'States [should [not]] act' },
      { text: '[A/70/174]', ref: 'A/70/174' },
      { text: ' [and' },
      { footnote: 1 },
      { text: ' more]' },
    ];
    assert.deepEqual(markBrackets(inlines), [
      { text: 'States ' },
      { text: '[should [not]]', bracket: true },
      { text: ' act' },
      { text: '[A/70/174]', ref: 'A/70/174' },
      { text: ' ' },
      { text: '[and', bracket: true },
      { footnote: 1 },
      { text: ' more]', bracket: true },
    ]);
  });

  test('word count: words of title, headings, text and footnotes; numbers are not words', () => {
    assert.equal(countWordsIn('The Group – met, in 2015 (a) .'), 6);
    const c = wordCount(outlineFromDoc(report()));
    // Report(1) Introduction(1) "The Group met. again"(4) "In [New York];"(3) Mandate(1)
    // "Recalling A/70/174."(2) "List of experts"(3) Brazil(1) Statements(1) notes: See(1) Second note.(2)
    assert.deepEqual(c, { words: 20, limit: UN_WORD_LIMIT, over: false });
    assert.equal(wordCount(outlineFromDoc(report()), 19).over, true);
  });
});
