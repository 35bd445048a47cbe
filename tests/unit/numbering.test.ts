/**
 * Numbering (shared/numbering.ts): chapters in Roman numerals, paragraphs numbered continuously
 * through the report, sub-paragraphs (a) → (i) → a., and how delegates cite them ("13 (k) (iv)").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node as PMNode } from 'prosemirror-model';
import { computeNumbering, numberNodes, toLetter, toRoman } from '../../shared/numbering.js';
import { documentType, identifiedKinds, schema } from '../../shared/schema.js';

type P = [level: number, id: string | null];

function report(chapters: P[][]): PMNode {
  const n = schema.nodes;
  return n['doc']!.create(null, [
    n['title']!.create(null, schema.text('Report')),
    ...chapters.map((paragraphs, c) =>
      n['chapter']!.create({ id: `chapter${c}` }, [
        n['chapter_heading']!.create(null, schema.text(`Heading ${c}`)),
        ...paragraphs.map(([level, id]) =>
          n['paragraph']!.create({ id, level }, schema.text(`text of ${id ?? 'anonymous'}`)),
        ),
      ]),
    ),
  ]);
}

/** [label, citation] of every paragraph in document order (via byPos). */
function numbers(doc: PMNode): Array<[string, string]> {
  const { byPos } = computeNumbering(doc);
  const out: Array<[string, string]> = [];
  doc.descendants((node, pos) => {
    if (node.type.name === 'paragraph') {
      const num = byPos.get(pos);
      assert.ok(num, `paragraph at ${pos} has a number`);
      out.push([num.label, num.citation]);
    }
    return node.type.name !== 'paragraph';
  });
  return out;
}

const level0 = (from: number, count: number): P[] =>
  Array.from({ length: count }, (_, i) => [0, `p${from + i}`]);

describe('toRoman', () => {
  test('chapter and sub-paragraph numerals', () => {
    const cases: Array<[number, string]> = [
      [1, 'I'],
      [2, 'II'],
      [3, 'III'],
      [4, 'IV'],
      [5, 'V'],
      [6, 'VI'],
      [7, 'VII'],
      [8, 'VIII'],
      [9, 'IX'],
      [10, 'X'],
      [11, 'XI'],
      [14, 'XIV'],
      [19, 'XIX'],
      [40, 'XL'],
      [49, 'XLIX'],
      [90, 'XC'],
      [400, 'CD'],
      [900, 'CM'],
      [1994, 'MCMXCIV'],
      [2026, 'MMXXVI'],
      [3999, 'MMMCMXCIX'],
    ];
    for (const [n, roman] of cases) assert.equal(toRoman(n), roman, String(n));
  });
});

describe('toLetter', () => {
  test('a … z, then aa, bb … (UN practice after (z))', () => {
    assert.deepEqual([1, 2, 11, 26].map(toLetter), ['a', 'b', 'k', 'z']);
    assert.deepEqual([27, 28, 52, 53].map(toLetter), ['aa', 'bb', 'zz', 'aaa']);
  });
});

describe('computeNumbering', () => {
  // Chapters I–III; paragraphs 1–12 in I and II, then 13 with (a)…(k), (k) with (i)…(iv),
  // (iv) with a. and b.; then 14 with a fresh (a).
  const subs: P[] = Array.from({ length: 11 }, (_, i) => [1, `s${i}`]);
  const romans: P[] = Array.from({ length: 4 }, (_, i) => [2, `r${i}`]);
  const doc = report([
    level0(1, 5),
    level0(6, 7),
    [[0, 'p13'], ...subs, ...romans, [3, 'l0'], [3, 'l1'], [0, 'p14'], [1, 't0']],
  ]);
  const result = computeNumbering(doc);

  test('paragraphs are numbered continuously across chapters', () => {
    const labels = numbers(doc).map(([label]) => label);
    assert.deepEqual(labels.slice(0, 13), [
      '1.',
      '2.',
      '3.',
      '4.',
      '5.',
      '6.',
      '7.',
      '8.',
      '9.',
      '10.',
      '11.',
      '12.',
      '13.',
    ]);
    assert.deepEqual(result.paragraphs.get('p6'), { label: '6.', citation: '6' });
    assert.deepEqual(result.paragraphs.get('p12'), { label: '12.', citation: '12' });
  });

  test('13 (a) … (k), then (i) … (iv) under (k), then a. and b.', () => {
    const got = numbers(doc).slice(12, 12 + 1 + 11 + 4 + 2);
    assert.deepEqual(got, [
      ['13.', '13'],
      ['(a)', '13 (a)'],
      ['(b)', '13 (b)'],
      ['(c)', '13 (c)'],
      ['(d)', '13 (d)'],
      ['(e)', '13 (e)'],
      ['(f)', '13 (f)'],
      ['(g)', '13 (g)'],
      ['(h)', '13 (h)'],
      ['(i)', '13 (i)'],
      ['(j)', '13 (j)'],
      ['(k)', '13 (k)'],
      ['(i)', '13 (k) (i)'],
      ['(ii)', '13 (k) (ii)'],
      ['(iii)', '13 (k) (iii)'],
      ['(iv)', '13 (k) (iv)'],
      ['a.', '13 (k) (iv) a.'],
      ['b.', '13 (k) (iv) b.'],
    ]);
    assert.deepEqual(result.paragraphs.get('s10'), { label: '(k)', citation: '13 (k)' });
    assert.deepEqual(result.paragraphs.get('r3'), { label: '(iv)', citation: '13 (k) (iv)' });
  });

  test('a new numbered paragraph restarts its sub-paragraphs', () => {
    assert.deepEqual(result.paragraphs.get('p14'), { label: '14.', citation: '14' });
    assert.deepEqual(result.paragraphs.get('t0'), { label: '(a)', citation: '14 (a)' });
  });

  test('chapters get Roman numerals by position', () => {
    const chapterPositions: number[] = [];
    doc.forEach((node, offset) => {
      if (node.type.name === 'chapter') chapterPositions.push(offset);
    });
    assert.deepEqual(
      chapterPositions.map((pos) => result.chapters.get(pos)),
      ['I', 'II', 'III'],
    );
    assert.equal(result.chapters.size, 3);
  });

  test('every paragraph is numbered by position, also those without an id yet', () => {
    const anon = report([
      [
        [0, 'x1'],
        [0, null],
        [1, null],
        [0, 'x3'],
      ],
    ]);
    const r = computeNumbering(anon);
    assert.deepEqual(numbers(anon), [
      ['1.', '1'],
      ['2.', '2'],
      ['(a)', '2 (a)'],
      ['3.', '3'],
    ]);
    assert.equal(r.byPos.size, 4);
    assert.deepEqual([...r.paragraphs.keys()], ['x1', 'x3']);
  });

  test('levels out of range are clamped (9 to the deepest, 4: i.); a skipped level is left out of the citation', () => {
    const odd = report([
      [
        [0, 'a'],
        [2, 'b'],
        [9, 'c'],
        [-1, 'd'],
      ],
    ]);
    assert.deepEqual(numbers(odd), [
      ['1.', '1'],
      ['(i)', '1 (i)'],
      ['i.', '1 (i) i.'],
      ['2.', '2'],
    ]);
  });

  test('numbers follow order: moving a paragraph renumbers, ids keep their identity', () => {
    const before = report([
      [
        [0, 'm1'],
        [0, 'm2'],
        [0, 'm3'],
      ],
    ]);
    const after = report([
      [
        [0, 'm3'],
        [0, 'm1'],
        [0, 'm2'],
      ],
    ]);
    assert.equal(computeNumbering(before).paragraphs.get('m3')!.label, '3.');
    assert.equal(computeNumbering(after).paragraphs.get('m3')!.label, '1.');
    assert.equal(computeNumbering(after).paragraphs.get('m2')!.label, '3.');
  });
});

// ---------------------------------------------------------------------------------------------
// Every kind (schema version 2): front matter, sections, annexes, footnotes, resolutions.

const n = schema.nodes;
const para = (id: string, text: string, level = 0, ...inline: PMNode[]) =>
  n['paragraph']!.create({ id, level }, [schema.text(text), ...inline]);
const footnote = (id: string, text: string) => n['footnote']!.create({ id }, schema.text(text));
const heading = (type: string, text: string) => n[type]!.create(null, schema.text(text));

/** id → [kind, scope, label, citation] of every identified node, in document order. */
function entries(doc: PMNode): Array<[string, string, string, string, string]> {
  return numberNodes(doc).map((e) => [e.id ?? '', e.kind, e.scope, e.label, e.citation]);
}

describe('numberNodes: a full report', () => {
  const doc = n['doc']!.create(null, [
    heading('title', 'Report'),
    n['front_matter']!.create({ id: 'fm' }, [
      heading('front_heading', 'Foreword'),
      para('f1', 'Unnumbered.'),
      para('f2', 'Also unnumbered, with a note', 0, footnote('fn1', 'See A/70/174.')),
    ]),
    n['chapter']!.create({ id: 'c1' }, [
      heading('chapter_heading', 'Introduction'),
      para('b1', 'One.'),
    ]),
    n['chapter']!.create({ id: 'c2' }, [
      heading('chapter_heading', 'Norms'),
      para('b2', 'Two.'),
      n['section']!.create({ id: 's1' }, [
        heading('section_heading', 'Voluntary norms'),
        para('b3', 'Three', 0, footnote('fn2', 'Second note.')),
        para('b3a', 'sub', 1),
        para('b3ai', 'subsub', 2),
        para('b3aia', 'third level', 3),
        para('b3aiai', 'fourth level', 4),
      ]),
      n['section']!.create({ id: 's2' }, [heading('section_heading', 'Law'), para('b4', 'Four.')]),
    ]),
    n['annex']!.create({ id: 'a1' }, [
      heading('annex_heading', 'List of members'),
      para('x1', 'Annex one.'),
      para('x1a', 'sub', 1),
    ]),
    n['annex']!.create({ id: 'a2' }, [
      heading('annex_heading', "Chair's summary"),
      para('y1', 'Restarts', 0, footnote('fn3', 'Third note.')),
      n['section']!.create({ id: 's3' }, [heading('section_heading', 'Part'), para('y2', 'Two.')]),
    ]),
  ]);
  doc.check();
  const got = entries(doc);

  test('every identified node is numbered in document order, in its scope', () => {
    assert.deepEqual(got, [
      ['fm', 'front_matter', 'front_matter', '', 'Foreword'],
      ['f1', 'paragraph', 'front', '', 'Foreword ¶1'],
      ['f2', 'paragraph', 'front', '', 'Foreword ¶2'],
      ['fn1', 'footnote', 'footnotes', '1', 'footnote 1'],
      ['c1', 'chapter', 'chapters', 'I.', 'I'],
      ['b1', 'paragraph', 'body', '1.', '1'],
      ['c2', 'chapter', 'chapters', 'II.', 'II'],
      ['b2', 'paragraph', 'body', '2.', '2'],
      ['s1', 'section', 'sections:body', 'A.', 'II.A'],
      ['b3', 'paragraph', 'body', '3.', '3'],
      ['fn2', 'footnote', 'footnotes', '2', 'footnote 2'],
      ['b3a', 'paragraph', 'body', '(a)', '3 (a)'],
      ['b3ai', 'paragraph', 'body', '(i)', '3 (a) (i)'],
      ['b3aia', 'paragraph', 'body', 'a.', '3 (a) (i) a.'],
      ['b3aiai', 'paragraph', 'body', 'i.', '3 (a) (i) a. i.'],
      ['s2', 'section', 'sections:body', 'B.', 'II.B'],
      ['b4', 'paragraph', 'body', '4.', '4'],
      ['a1', 'annex', 'annexes', 'Annex I', 'annex I'],
      ['x1', 'paragraph', 'annex:1', '1.', 'annex I, 1'],
      ['x1a', 'paragraph', 'annex:1', '(a)', 'annex I, 1 (a)'],
      ['a2', 'annex', 'annexes', 'Annex II', 'annex II'],
      ['y1', 'paragraph', 'annex:2', '1.', 'annex II, 1'],
      ['fn3', 'footnote', 'footnotes', '3', 'footnote 3'],
      ['s3', 'section', 'sections:annex:2', 'A.', 'annex II, A'],
      ['y2', 'paragraph', 'annex:2', '2.', 'annex II, 2'],
    ]);
  });

  test('every node with an id attribute is listed (the kinds come from the schema)', () => {
    const listed = new Set(numberNodes(doc).map((e) => e.kind));
    assert.deepEqual([...listed].sort(), [...identifiedKinds()].sort());
    const ids: string[] = [];
    doc.descendants((node) => {
      if (node.attrs['id']) ids.push(node.attrs['id'] as string);
    });
    assert.deepEqual(
      numberNodes(doc).map((e) => e.id),
      ids,
    );
  });

  test('citation parts join to the citation (what a bis/ter layer rewrites)', () => {
    for (const e of numberNodes(doc)) assert.equal(e.parts.join(' '), e.citation, e.id ?? '');
    const deep = numberNodes(doc).find((e) => e.id === 'b3aia')!;
    assert.deepEqual(deep.parts, ['3', '(a)', '(i)', 'a.']);
    assert.equal(deep.level, 3);
    assert.equal(deep.number, 1);
  });

  test('computeNumbering keeps paragraphs apart from other kinds', () => {
    const numbering = computeNumbering(doc);
    assert.deepEqual(numbering.paragraphs.get('x1'), { label: '1.', citation: 'annex I, 1' });
    assert.equal(numbering.paragraphs.has('fn1'), false);
    assert.equal(numbering.paragraphs.has('s1'), false);
    assert.equal(numbering.byId.get('fn3')!.label, '3');
    assert.deepEqual([...numbering.chapters.values()], ['I', 'II']);
  });

  test('a single annex is "Annex", without a numeral', () => {
    const one = n['doc']!.create(null, [
      heading('title', 'R'),
      n['chapter']!.create({ id: 'c' }, [heading('chapter_heading', 'C'), para('p', 'P')]),
      n['annex']!.create({ id: 'a' }, [heading('annex_heading', 'Members'), para('q', 'Q')]),
    ]);
    assert.deepEqual(entries(one).slice(2), [
      ['a', 'annex', 'annexes', 'Annex', 'annex'],
      ['q', 'paragraph', 'annex:1', '1.', 'annex, 1'],
    ]);
  });

  test('a footnote in the middle of a paragraph splits its text; numbers do not care', () => {
    const split = para('z', 'before ', 0, footnote('fz', 'note'), schema.text(' after'));
    const one = n['doc']!.create(null, [
      heading('title', 'R'),
      n['chapter']!.create({ id: 'c' }, [
        heading('chapter_heading', 'C'),
        split,
        para('z2', 'next'),
      ]),
    ]);
    assert.deepEqual(
      entries(one).map((e) => e[3]),
      ['I.', '1.', '1', '2.'],
    );
  });
});

describe('numberNodes: a resolution', () => {
  const doc = n['doc']!.create(null, [
    heading('title', 'Developments in the field of information and telecommunications'),
    n['preamble']!.create(null, [
      para('pp1', 'Recalling its resolutions,'),
      para('pp2', 'Noting,'),
    ]),
    n['operative']!.create(null, [
      para('op1', 'Welcomes;'),
      para('op2', 'Requests the Secretary-General:'),
      para('op2a', 'to continue;', 1),
      para('op2b', 'to report;', 1),
      para('op3', 'Decides to include', 0, footnote('rf1', 'A/70/174.')),
    ]),
  ]);
  doc.check();

  test('preambular paragraphs unnumbered (cited PP1, PP2), operative numbered, subs lettered', () => {
    assert.deepEqual(entries(doc), [
      ['pp1', 'paragraph', 'preamble', '', 'PP1'],
      ['pp2', 'paragraph', 'preamble', '', 'PP2'],
      ['op1', 'paragraph', 'operative', '1.', '1'],
      ['op2', 'paragraph', 'operative', '2.', '2'],
      ['op2a', 'paragraph', 'operative', '(a)', '2 (a)'],
      ['op2b', 'paragraph', 'operative', '(b)', '2 (b)'],
      ['op3', 'paragraph', 'operative', '3.', '3'],
      ['rf1', 'footnote', 'footnotes', '1', 'footnote 1'],
    ]);
    assert.equal(documentType(doc), 'resolution');
    assert.equal(numberNodes(doc)[0]!.numbered, false);
  });
});
