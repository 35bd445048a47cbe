/**
 * Mention parsing (issue 21, item 5): the "@" being typed, who it may mean, and who a sent text
 * names. The server notifies exactly the members mentionedIn finds among those who may see.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mentionedIn, mentionMatches, mentionQuery } from '../../shared/mentions.js';

const people = [
  { userId: 'u1', displayName: 'Chair (Ambassador Ortiz)', represents: null },
  { userId: 'u2', displayName: 'Ana Souza', represents: 'Brazil' },
  { userId: 'u3', displayName: 'Ana', represents: 'Kenya' },
  { userId: 'u4', displayName: 'Ángela Núñez', represents: 'Chile' },
  { userId: 'u5', displayName: 'Claire Martin', represents: 'France' },
];

describe('mentionQuery', () => {
  test('the "@" before the caret at a word start, up to the caret', () => {
    assert.deepEqual(mentionQuery('@Ch', 3), { start: 0, query: 'Ch' });
    assert.deepEqual(mentionQuery('Thanks @Ana S', 13), { start: 7, query: 'Ana S' });
    assert.deepEqual(mentionQuery('(@', 2), { start: 1, query: '' });
    assert.deepEqual(mentionQuery('Hi @Ana and more', 7), { start: 3, query: 'Ana' });
  });
  test('not inside an address, not across a line, not too far back', () => {
    assert.equal(mentionQuery('write to a@b.org', 16), null);
    assert.equal(mentionQuery('@Ana\nnext', 9), null);
    assert.equal(mentionQuery(`@${'x'.repeat(41)}`, 42), null);
    assert.equal(mentionQuery('no at sign', 10), null);
    assert.equal(mentionQuery('@Ch', 0), null);
  });
});

describe('mentionMatches', () => {
  test('name prefix first, then a word of the name, then the State; accents and case aside', () => {
    assert.deepEqual(
      mentionMatches(people, 'ch').map((p) => p.userId),
      ['u1', 'u4'],
      'Chair by name; Chile by State',
    );
    assert.deepEqual(
      mentionMatches(people, 'ana').map((p) => p.userId),
      ['u3', 'u2'],
    );
    assert.deepEqual(
      mentionMatches(people, 'ortiz').map((p) => p.userId),
      ['u1'],
    );
    assert.deepEqual(
      mentionMatches(people, 'ANGE').map((p) => p.userId),
      ['u4'],
    );
    assert.deepEqual(
      mentionMatches(people, 'fra').map((p) => p.userId),
      ['u5'],
    );
    assert.deepEqual(mentionMatches(people, 'zz'), []);
    assert.equal(mentionMatches(people, '').length, 5);
    assert.equal(mentionMatches(people, '', 2).length, 2);
  });
});

describe('mentionedIn', () => {
  test('full names after "@", the longest where two overlap', () => {
    assert.deepEqual(mentionedIn('@Ana Souza can Brazil accept?', people), ['u2']);
    assert.deepEqual(mentionedIn('@Ana can Kenya accept?', people), ['u3']);
    assert.deepEqual(mentionedIn('@Ana and @Ana Souza', people).sort(), ['u2', 'u3']);
    assert.deepEqual(mentionedIn('cc @chair (ambassador ortiz), @angela nunez.', people), [
      'u1',
      'u4',
    ]);
  });
  test('a name running on into a letter is not a mention; no "@", nobody', () => {
    assert.deepEqual(mentionedIn('@Anastasia', people), []);
    assert.deepEqual(mentionedIn('Ana Souza without the sign', people), []);
    assert.deepEqual(mentionedIn('mail ana@souza.org', people), []);
    assert.deepEqual(mentionedIn('@Claire Martin!', people), ['u5']);
  });
});
