/**
 * Presence colours (shared/presence.ts): each person present in a report gets a colour nobody
 * else present has, their own (hashed) colour when it is free; only more people than colours
 * share one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distinctPresenceColor, PRESENCE_PALETTE, presenceColor } from '../../shared/presence.js';

/** Keys (user ids) whose hashed colours are all the same: the collision the issue saw. */
function collidingKeys(n: number): string[] {
  const target = presenceColor('u_0');
  const keys: string[] = [];
  for (let i = 0; keys.length < n; i++) if (presenceColor(`u_${i}`) === target) keys.push(`u_${i}`);
  return keys;
}

test('a free own colour is kept', () => {
  assert.equal(distinctPresenceColor('u_0', new Set()), presenceColor('u_0'));
  const other = PRESENCE_PALETTE.find((c) => c !== presenceColor('u_0'))!;
  assert.equal(distinctPresenceColor('u_0', new Set([other])), presenceColor('u_0'));
});

test('people whose hashes collide get distinct colours, as many as the palette has', () => {
  const keys = collidingKeys(PRESENCE_PALETTE.length);
  const taken = new Set<string>();
  for (const key of keys) {
    const color = distinctPresenceColor(key, taken);
    assert.ok(!taken.has(color), `${key} got ${color}, already taken`);
    assert.ok(PRESENCE_PALETTE.includes(color));
    taken.add(color);
  }
  assert.equal(taken.size, PRESENCE_PALETTE.length);
  // The next one is the first after its own colour that is free: none is, so its own.
  assert.equal(distinctPresenceColor('u_x', taken), presenceColor('u_x'));
});

test('the colour taken instead is the next free one after the own colour', () => {
  const own = presenceColor('u_0');
  const i = PRESENCE_PALETTE.indexOf(own);
  const next = PRESENCE_PALETTE[(i + 1) % PRESENCE_PALETTE.length]!;
  const after = PRESENCE_PALETTE[(i + 2) % PRESENCE_PALETTE.length]!;
  assert.equal(distinctPresenceColor('u_0', new Set([own])), next);
  assert.equal(distinctPresenceColor('u_0', new Set([own, next])), after);
});
