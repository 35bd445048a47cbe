/**
 * ExpiryClock (server/sync/expiry.ts): one timer for every socket's session expiry. Driven by
 * node:test's mock timers, so no test waits on the wall clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpiryClock } from '../../server/sync/expiry.js';

test('items expire at their instant, earliest first, and never before', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const expired: string[] = [];
  const clock = new ExpiryClock<string>((item) => expired.push(item));
  clock.add(1_000_500, 'b1');
  clock.add(1_000_200, 'a');
  clock.add(1_000_500, 'b2');
  t.mock.timers.tick(199);
  assert.deepEqual(expired, []);
  t.mock.timers.tick(1);
  assert.deepEqual(expired, ['a']);
  t.mock.timers.tick(299);
  assert.deepEqual(expired, ['a']);
  t.mock.timers.tick(1);
  assert.deepEqual(expired, ['a', 'b1', 'b2']);
  assert.equal(clock.size, 0);
});

test('a deleted item never expires; an earlier item added later re-arms the timer', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const expired: string[] = [];
  const clock = new ExpiryClock<string>((item) => expired.push(item));
  clock.add(1000, 'late');
  clock.add(1000, 'gone');
  clock.delete(1000, 'gone');
  clock.add(100, 'early');
  t.mock.timers.tick(100);
  assert.deepEqual(expired, ['early']);
  t.mock.timers.tick(900);
  assert.deepEqual(expired, ['early', 'late']);
});

test('an instant already past expires on the next timer turn; far ones beyond the timer limit wait', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 5000 });
  const expired: string[] = [];
  const clock = new ExpiryClock<string>((item) => expired.push(item));
  const far = 5000 + 2 ** 31 + 10;
  clock.add(far, 'far');
  clock.add(10, 'past');
  assert.deepEqual(expired, []);
  t.mock.timers.tick(0);
  assert.deepEqual(expired, ['past']);
  // The timer limit (2^31-1 ms) is reached first; the item is not due yet and must wait on.
  t.mock.timers.tick(2 ** 31 - 1);
  assert.deepEqual(expired, ['past']);
  assert.equal(clock.size, 1);
  t.mock.timers.tick(11);
  assert.deepEqual(expired, ['past', 'far']);
});

test('deleting the last item stops the timer', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const expired: number[] = [];
  const clock = new ExpiryClock<number>((item) => expired.push(item));
  clock.add(50, 1);
  clock.delete(50, 1);
  clock.delete(50, 1);
  t.mock.timers.tick(1000);
  assert.deepEqual(expired, []);
  assert.equal(clock.size, 0);
});
