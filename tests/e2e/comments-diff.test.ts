/**
 * The word diff the comments panel shows for a proposal (client/src/comments/diff.ts).
 *
 *   node --import tsx --test tests/e2e/comments-diff.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wordDiff } from '../../client/src/comments/diff.js';

test('a changed word is one deletion and one insertion; the rest is kept', () => {
  assert.deepEqual(wordDiff('The Group recalls the mandate.', 'The Group reaffirms the mandate.'), [
    { kind: 'same', text: 'The Group ' },
    { kind: 'del', text: 'recalls' },
    { kind: 'ins', text: 'reaffirms' },
    { kind: 'same', text: ' the mandate.' },
  ]);
});

test('empty sides, identical texts, and the parts always rebuild both texts', () => {
  assert.deepEqual(wordDiff('', 'New text.'), [{ kind: 'ins', text: 'New text.' }]);
  assert.deepEqual(wordDiff('Old text.', ''), [{ kind: 'del', text: 'Old text.' }]);
  assert.deepEqual(wordDiff('Same.', 'Same.'), [{ kind: 'same', text: 'Same.' }]);
  const before = 'States should  cooperate, in good faith, on ICT security.';
  const after = 'States shall cooperate in good faith on ICT security and resilience.';
  const parts = wordDiff(before, after);
  const rebuilt = (skip: string) =>
    parts
      .filter((p) => p.kind !== skip)
      .map((p) => p.text)
      .join('');
  assert.equal(rebuilt('ins'), before);
  assert.equal(rebuilt('del'), after);
});
