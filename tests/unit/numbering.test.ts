/**
 * Numbering (shared/numbering.ts): chapters in Roman numerals, paragraphs numbered continuously
 * through the report, sub-paragraphs (a) → (i) → a., and how delegates cite them ("13 (k) (iv)").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node as PMNode } from 'prosemirror-model';
import { computeNumbering, toLetter, toRoman } from '../../shared/numbering.js';
import { schema } from '../../shared/schema.js';

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

  test('levels out of range are clamped; a skipped level is left out of the citation', () => {
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
      ['a.', '1 (i) a.'],
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
