/**
 * bis/ter numbering (shared/bis-ter.ts over shared/numbering.ts): with the switch on, paragraphs
 * of the last revision keep their numbers and inserted ones are numbered 5 bis, 5 ter …,
 * sub-paragraphs (c) bis; insertions before the first paragraph and between two bis keep order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node as PMNode } from 'prosemirror-model';
import { keepRevisionNumbers, latinSuffix, type PreviousNumber } from '../../shared/bis-ter.js';
import { numberNodes } from '../../shared/numbering.js';
import { schema } from '../../shared/schema.js';

type P = [level: number, id: string];

function report(chapters: P[][]): PMNode {
  const n = schema.nodes;
  return n['doc']!.create(null, [
    n['title']!.create(null, schema.text('Report')),
    ...chapters.map((paragraphs, c) =>
      n['chapter']!.create({ id: `chapter${c}` }, [
        n['chapter_heading']!.create(null, schema.text(`Heading ${c}`)),
        ...paragraphs.map(([level, id]) =>
          n['paragraph']!.create({ id, level }, schema.text(`text of ${id}`)),
        ),
      ]),
    ),
  ]);
}

/** The numbers a revision froze: id → its number then (as shared/document-nodes.ts gives them). */
function frozen(doc: PMNode): Map<string, PreviousNumber> {
  return new Map(
    numberNodes(doc)
      .filter((n) => n.id)
      .map((n) => [n.id!, { scope: n.scope, level: n.level, label: n.label, parts: n.parts }]),
  );
}

/** [id, label, citation] of every paragraph with the switch on. */
function kept(revision: PMNode, live: PMNode): Array<[string, string, string]> {
  return keepRevisionNumbers(numberNodes(live), frozen(revision))
    .filter((n) => n.kind === 'paragraph')
    .map((n) => [n.id!, n.label, n.citation]);
}

const body = (...ids: string[]): P[] => ids.map((id) => [0, id]);

test('Latin suffixes in order', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 9].map(latinSuffix), [
    'bis',
    'ter',
    'quater',
    'quinquies',
    'sexies',
    'decies',
  ]);
});

test('inserted after 2: 2 bis, 2 ter; the rest keep their numbers; a deleted one leaves a gap', () => {
  const rev = report([body('a', 'b', 'c', 'd')]);
  const live = report([body('a', 'b', 'x', 'y', 'd')]);
  assert.deepEqual(kept(rev, live), [
    ['a', '1.', '1'],
    ['b', '2.', '2'],
    ['x', '2 bis.', '2 bis'],
    ['y', '2 ter.', '2 ter'],
    ['d', '4.', '4'],
  ]);
});

test('inserted before the first paragraph: 0 bis, 0 ter, then 1 as it was', () => {
  const rev = report([body('a', 'b')]);
  const live = report([body('x', 'y', 'a', 'b')]);
  assert.deepEqual(
    kept(rev, live).map(([id, , c]) => [id, c]),
    [
      ['x', '0 bis'],
      ['y', '0 ter'],
      ['a', '1'],
      ['b', '2'],
    ],
  );
});

test('inserted between two bis: they follow in order (5 bis, 5 ter, 5 quater)', () => {
  const rev = report([body('p1', 'p2', 'p3', 'p4', 'p5', 'p6')]);
  const live = report([body('p1', 'p2', 'p3', 'p4', 'p5', 'x', 'z', 'y', 'p6')]);
  assert.deepEqual(
    kept(rev, live)
      .slice(4, 9)
      .map(([id, , c]) => [id, c]),
    [
      ['p5', '5'],
      ['x', '5 bis'],
      ['z', '5 ter'],
      ['y', '5 quater'],
      ['p6', '6'],
    ],
  );
});

test('sub-paragraphs: (c) bis under a kept paragraph; fresh letters under an inserted one', () => {
  const rev = report([
    [
      [0, 'a'],
      [1, 'a1'],
      [1, 'a2'],
      [1, 'a3'],
      [0, 'b'],
    ],
  ]);
  const live = report([
    [
      [0, 'a'],
      [1, 'new0'],
      [1, 'a1'],
      [1, 'a2'],
      [1, 'a3'],
      [1, 'new1'],
      [2, 'deep'],
      [0, 'ins'],
      [1, 'insSub'],
      [0, 'b'],
    ],
  ]);
  assert.deepEqual(kept(rev, live), [
    ['a', '1.', '1'],
    ['new0', '(0) bis', '1 (0) bis'],
    ['a1', '(a)', '1 (a)'],
    ['a2', '(b)', '1 (b)'],
    ['a3', '(c)', '1 (c)'],
    ['new1', '(c) bis', '1 (c) bis'],
    ['deep', '(i)', '1 (c) bis (i)'],
    ['ins', '1 bis.', '1 bis'],
    ['insSub', '(a)', '1 bis (a)'],
    ['b', '2.', '2'],
  ]);
});

test('across chapters the body counts on; the next revision renumbers cleanly', () => {
  const rev = report([body('a', 'b'), body('c')]);
  const live = report([body('a', 'b', 'x'), body('y', 'c')]);
  assert.deepEqual(
    kept(rev, live).map(([id, , c]) => [id, c]),
    [
      ['a', '1'],
      ['b', '2'],
      ['x', '2 bis'],
      ['y', '2 ter'],
      ['c', '3'],
    ],
  );
  // Issued as the next revision: plain numbers again, kept from then on.
  assert.deepEqual(
    kept(live, live).map(([id, , c]) => [id, c]),
    [
      ['a', '1'],
      ['b', '2'],
      ['x', '3'],
      ['y', '4'],
      ['c', '5'],
    ],
  );
});
