/**
 * Revision comparison (shared/compare.ts): nodes aligned by id, each named for what happened to
 * it, deleted ones shown where they stood, and the "number moved" line threads show.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CompareNode, compareNodes, numberMoved, summarise } from '../../shared/compare.js';

const node = (id: string, citation: string, text: string): CompareNode => ({
  id,
  kind: 'paragraph',
  label: `${citation}.`,
  citation,
  text,
  level: 0,
  status: 'draft',
});

test('inserted, deleted, renumbered and changed paragraphs are named, each side numbered', () => {
  const before = [node('a', '1', 'Alpha.'), node('b', '2', 'Bravo.'), node('c', '3', 'Charlie.')];
  const after = [
    node('a', '1', 'Alpha.'),
    node('n', '2', 'New.'),
    node('c', '3', 'Charlie changed.'),
    node('d', '4', 'Delta.'),
  ];
  const rows = compareNodes(before, after);
  assert.deepEqual(
    rows.map((r) => [r.id, r.changes, r.before?.citation ?? null, r.after?.citation ?? null]),
    [
      ['a', [], '1', '1'],
      ['b', ['deleted'], '2', null],
      ['n', ['inserted'], null, '2'],
      ['c', ['text'], '3', '3'],
      ['d', ['inserted'], null, '4'],
    ],
  );
  assert.deepEqual(rows[3]!.parts, [
    { kind: 'same', text: 'Charlie' },
    { kind: 'ins', text: ' changed' },
    { kind: 'same', text: '.' },
  ]);
  assert.deepEqual(summarise(rows), { inserted: 2, deleted: 1, moved: 0, renumbered: 0, text: 1 });
});

test('a paragraph inserted first renumbers every one after it; a moved one is named moved', () => {
  const before = [node('a', '1', 'A.'), node('b', '2', 'B.'), node('c', '3', 'C.')];
  const after = [
    node('x', '1', 'X.'),
    node('c', '2', 'C.'),
    node('a', '3', 'A.'),
    node('b', '4', 'B.'),
  ];
  const rows = compareNodes(before, after);
  assert.deepEqual(
    rows.map((r) => [r.id, r.changes]),
    [
      ['x', ['inserted']],
      ['c', ['moved', 'renumbered']],
      ['a', ['renumbered']],
      ['b', ['renumbered']],
    ],
  );
});

test('deletions at the start and end stay where they stood; identical versions show no change', () => {
  const before = [node('a', '1', 'A.'), node('b', '2', 'B.'), node('c', '3', 'C.')];
  const after = [node('b', '1', 'B.')];
  assert.deepEqual(
    compareNodes(before, after).map((r) => [r.id, r.changes]),
    [
      ['a', ['deleted']],
      ['b', ['renumbered']],
      ['c', ['deleted']],
    ],
  );
  assert.ok(compareNodes(before, before).every((r) => r.changes.length === 0));
  assert.deepEqual(compareNodes([], []), []);
});

test('the number a thread shows when its paragraph moved', () => {
  assert.equal(numberMoved('13 (c)', 'Rev.2', '14 (c)'), '13 (c) in Rev.2, now 14 (c)');
  assert.equal(numberMoved('13 (c)', 'Rev.2', '13 (c)'), null);
  assert.equal(numberMoved(null, 'Rev.2', '14'), null);
});
