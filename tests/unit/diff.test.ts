/**
 * The word diff (shared/diff.ts, on the `diff` library) on golden cases: what a reader of a
 * proposal or a revision comparison sees, part by part.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DiffPart, wordDiff } from '../../shared/diff.js';

const rebuild = (parts: DiffPart[], skip: DiffPart['kind']) =>
  parts
    .filter((p) => p.kind !== skip)
    .map((p) => p.text)
    .join('');

test('a changed word is one deletion and one insertion; the rest is kept', () => {
  assert.deepEqual(wordDiff('The Group recalls the mandate.', 'The Group reaffirms the mandate.'), [
    { kind: 'same', text: 'The Group ' },
    { kind: 'del', text: 'recalls' },
    { kind: 'ins', text: 'reaffirms' },
    { kind: 'same', text: ' the mandate.' },
  ]);
});

test('a bracketed alternative replaced reads as whole words, never spaces paired (issue #16)', () => {
  assert.deepEqual(
    wordDiff(
      'States should comply with [Consistent obligations, with] international law.',
      'States should comply with obligations under international law.',
    ),
    [
      { kind: 'same', text: 'States should comply with ' },
      { kind: 'del', text: '[Consistent ' },
      { kind: 'same', text: 'obligations' },
      { kind: 'del', text: ', with]' },
      { kind: 'ins', text: ' under' },
      { kind: 'same', text: ' international law.' },
    ],
  );
});

test('words added at the end, a sentence deleted at the start', () => {
  assert.deepEqual(wordDiff('ICT security.', 'ICT security and resilience.'), [
    { kind: 'same', text: 'ICT security' },
    { kind: 'ins', text: ' and resilience' },
    { kind: 'same', text: '.' },
  ]);
  assert.deepEqual(wordDiff('Recalling its mandate. The Group met.', 'The Group met.'), [
    { kind: 'del', text: 'Recalling its mandate. ' },
    { kind: 'same', text: 'The Group met.' },
  ]);
});

test('empty sides, identical texts, and the parts always rebuild both texts', () => {
  assert.deepEqual(wordDiff('', 'New text.'), [{ kind: 'ins', text: 'New text.' }]);
  assert.deepEqual(wordDiff('Old text.', ''), [{ kind: 'del', text: 'Old text.' }]);
  assert.deepEqual(wordDiff('Same.', 'Same.'), [{ kind: 'same', text: 'Same.' }]);
  assert.deepEqual(wordDiff('', ''), []);
  const cases: Array<[string, string]> = [
    [
      'States should  cooperate, in good faith, on ICT security.',
      'States shall cooperate in good faith on ICT security and resilience.',
    ],
    ['  leading and trailing  ', 'leading, trailing'],
    ['a b c d e f', 'f e d c b a'],
  ];
  for (const [before, after] of cases) {
    const parts = wordDiff(before, after);
    assert.equal(rebuild(parts, 'ins'), before);
    assert.equal(rebuild(parts, 'del'), after);
    for (let i = 1; i < parts.length; i++) assert.notEqual(parts[i]!.kind, parts[i - 1]!.kind);
  }
});
