/** The document templates (shared/templates.ts): valid documents of the right shape, every id set. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { idsAreUniqueAndPresent } from '../../shared/ids.js';
import { numberNodes } from '../../shared/numbering.js';
import { documentType } from '../../shared/schema.js';
import { TEMPLATE_IDS, TEMPLATES, templateDocument } from '../../shared/templates.js';

const kinds = (id: (typeof TEMPLATE_IDS)[number]) =>
  numberNodes(templateDocument(id, 'T')).map((e) => `${e.kind}:${e.label || e.citation}`);

describe('templates', () => {
  test('every template makes a valid document with every id present and the type it says', () => {
    for (const t of TEMPLATES) {
      const doc = templateDocument(t.id, 'Title');
      doc.check();
      assert.ok(idsAreUniqueAndPresent(doc), t.id);
      assert.equal(documentType(doc), t.documentType, t.id);
      assert.equal(doc.firstChild!.textContent, 'Title');
    }
    assert.deepEqual(
      TEMPLATES.map((t) => t.id),
      [...TEMPLATE_IDS],
    );
  });

  test('GGE report: foreword and letter of transmittal, seven chapters, the members annex', () => {
    const got = kinds('gge-report');
    assert.deepEqual(got.slice(0, 4), [
      'front_matter:Foreword by the Secretary-General',
      'paragraph:Foreword by the Secretary-General ¶1',
      'front_matter:Letter of transmittal',
      'paragraph:Letter of transmittal ¶1',
    ]);
    assert.equal(got.filter((k) => k.startsWith('chapter:')).length, 7);
    assert.deepEqual(got.slice(-2), ['annex:Annex', 'paragraph:1.']);
    assert.ok(got.includes('chapter:VII.'));
  });

  test("OEWG report: lettered sections A. to G. in chapter III, the Chair's summary annex", () => {
    const got = kinds('oewg-report');
    assert.deepEqual(
      got.filter((k) => k.startsWith('section:')),
      ['A.', 'B.', 'C.', 'D.', 'E.', 'F.', 'G.'].map((l) => `section:${l}`),
    );
    const annex = templateDocument('oewg-report', 'T').lastChild!;
    assert.equal(annex.type.name, 'annex');
    assert.equal(annex.firstChild!.textContent, "Chair's summary");
  });

  test('GA resolution: a preamble (unnumbered) and an operative part (numbered)', () => {
    assert.deepEqual(kinds('ga-resolution'), ['paragraph:PP1', 'paragraph:1.']);
  });
});
