/**
 * The Akoma Ntoso export (server/export/akn.ts): every document validates against the OASIS
 * schema (xmllint), with the structure the handbook asks for, and a broken one does not.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toAkn } from '../../server/export/akn.js';
import { outlineFromDoc } from '../../shared/outline.js';
import { schema } from '../../shared/schema.js';
import { wordCount } from '../../shared/wordCount.js';
import { META, sampleReport, sampleResolution, validateAkn } from '../helpers/export.js';

const GENERATED = '2026-12-07T10:00:00.000Z';
const akn = (o: ReturnType<typeof sampleReport>, generatedAt = GENERATED) =>
  toAkn(o, { generatedAt, fallbackName: 'r1', wordCount: wordCount(o) });

describe('Akoma Ntoso export', () => {
  test('a report validates, as <doc name="report"> with chapters, sections, points, notes, refs', () => {
    const xml = akn(sampleReport());
    const v = validateAkn(xml);
    assert.ok(v.ok, v.output);
    assert.match(xml, /<doc name="report">/);
    assert.match(xml, /<chapter eId="chp_ch1"><num>I\.<\/num><heading>Introduction<\/heading>/);
    assert.match(xml, /<section eId="sec_s1"><num>A\.<\/num>/);
    assert.match(xml, /<paragraph eId="para_p1"><num>1\.<\/num><content><p>The Group met/);
    // Sub-paragraphs: (a) → (i) as nested list/point under paragraph 2.
    assert.match(
      xml,
      /<paragraph eId="para_p2"><num>2\.<\/num><intro><p>The Group <i>recommends<\/i> that States:<\/p><\/intro><list eId="para_p2__list_1"><point eId="para_p2__point_p2a"><num>\(a\)<\/num><intro>/,
    );
    assert.match(xml, /<point eId="para_p2__point_p2a__point_p2ai"><num>\(i\)<\/num>/);
    assert.match(
      xml,
      /<authorialNote marker="1" placement="bottom" eId="fn_fn1"><p>See <ref href="\/akn\/un\/doc\/A-70-174">A\/70\/174<\/ref>\.<\/p><\/authorialNote>/,
    );
    assert.match(
      xml,
      /<FRBRthis value="\/akn\/un\/doc\/report\/2021-03-10\/A-AC.290-2021-CRP.2\/!main"\/>/,
    );
    assert.match(xml, /<FRBRversionNumber value="Rev.1"\/>/);
    assert.match(xml, /<docNumber>A\/AC.290\/2021\/CRP.2\/Rev.1<\/docNumber>/);
    assert.match(xml, /<attachments><attachment eId="att_ax1"><doc name="annex">/);
    assert.match(xml, new RegExp(`words="${wordCount(sampleReport()).words}" wordLimit="10700"`));
  });

  test('a resolution validates, as <statement name="resolution"> with preface, preamble, mainBody', () => {
    const xml = akn(sampleResolution());
    const v = validateAkn(xml);
    assert.ok(v.ok, v.output);
    assert.match(xml, /<statement name="resolution">/);
    assert.match(xml, /<preface>.*<longTitle>/);
    assert.match(
      xml,
      /<preamble><container name="preambularParagraph" eId="preamble_pp1"><p><i>Recalling<\/i> its resolutions/,
    );
    assert.match(
      xml,
      /<mainBody><paragraph eId="para_op1"><num>1\.<\/num><intro><p><i>Calls upon<\/i>/,
    );
    assert.match(
      xml,
      /<FRBRuri value="\/akn\/un\/statement\/resolution\/2015-10-21\/A-C.1-70-L.45"\/>/,
    );
  });

  test('a document built from the editor schema validates; text is escaped', () => {
    const n = schema.nodes;
    const doc = n['doc']!.create(null, [
      n['title']!.create(null, schema.text('Title <with> & "quotes"')),
      n['chapter']!.create({ id: 'c1' }, [
        n['chapter_heading']!.create(null, schema.text('Heading')),
        n['paragraph']!.create({ id: 'a', level: 0 }, schema.text('One & <two>')),
        n['paragraph']!.create({ id: 'b', level: 1 }, schema.text('sub')),
        n['paragraph']!.create({ id: null, level: 0 }),
      ]),
      n['chapter']!.create({ id: 'c2' }, [n['chapter_heading']!.create()]),
    ]);
    const outline = outlineFromDoc(doc, { ...META, symbol: null, revisionLabel: null });
    const xml = akn(outline);
    const v = validateAkn(xml);
    assert.ok(v.ok, v.output);
    assert.match(xml, /One &amp; &lt;two&gt;/);
    assert.match(xml, /<docTitle>Title &lt;with&gt; &amp; &quot;quotes&quot;<\/docTitle>/);
    assert.match(xml, /\/akn\/un\/doc\/report\/2021-03-10\/r1\//);
  });

  test('the same text gives the same bytes apart from the generation timestamp', () => {
    const a = akn(sampleReport(), '2026-01-01T00:00:00.000Z');
    const b = akn(sampleReport(), '2026-12-31T23:59:59.000Z');
    assert.notEqual(a, b);
    const strip = (x: string) =>
      x.replace(/generated="[^"]*"/g, '').replace(/date="[^"]*" name="generation"/g, '');
    assert.equal(strip(a), strip(b));
  });

  test('the validator rejects what the schema forbids (the check is real)', () => {
    const xml = akn(sampleReport()).replace('<mainBody>', '<mainBody><notAnAknElement/>');
    assert.equal(validateAkn(xml).ok, false);
  });
});
