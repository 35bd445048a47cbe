/**
 * Malformed updates against the sync channel's write path (validate.ts, then guard.ts, then Yjs,
 * as live-report.ts does; issue #15, "malformed input fuzzing of the wire"). Bit-flipped updates
 * of two clients' edits, with a fixed seed: each is refused before anything is applied
 * (undecodable, or missing dependencies) or applied whole; Yjs never throws halfway and never
 * parks part of it. Forged references that form a cycle, which make Yjs do exactly that, are
 * refused as malformed. WIRE_FUZZ_RUNS raises the count (README: a longer run).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import { UpdateGuard } from '../../server/sync/guard.js';
import { checkUpdate } from '../../server/sync/validate.js';
import { crossCycle, flipBits, forwardReference } from '../helpers/forge.js';
import { buildReport, byId } from '../helpers/guard-sim.js';

const RUNS = Number(process.env['WIRE_FUZZ_RUNS'] ?? 1000);
const SEED = Number(process.env['WIRE_FUZZ_SEED'] ?? 20261207);
const BASE = buildReport(2, 3);

function serverDoc(): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, BASE);
  return doc;
}

const textOf = (doc: Y.Doc, id: string) => byId(doc, id)!.get(0) as Y.XmlText;

/** Two clients' edits since BASE as one update: text, a mark, a new paragraph, a deletion. */
function twoClientEdits(n: number): Uint8Array {
  const a = new Y.Doc();
  a.clientID = 77;
  Y.applyUpdate(a, BASE);
  textOf(a, 'p0-1').insert(3, 'hello');
  textOf(a, 'p0-1').format(0, 4, { em: {} });
  const p = new Y.XmlElement('paragraph');
  p.setAttribute('id', `new${n}`);
  p.insert(0, [new Y.XmlText('abc')]);
  byId(a, 'c1')!.insert(1, [p]);
  textOf(a, 'p0-1').delete(1, 2);
  const b = new Y.Doc();
  b.clientID = 78;
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  textOf(b, 'p0-1').insert(5, 'XY');
  textOf(b, `new${n}`).insert(1, 'k');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
  textOf(a, 'p0-1').insert(6, 'R');
  return Y.encodeStateAsUpdate(a, Y.encodeStateVector(serverDoc()));
}

/** The write path of live-report.ts; what happened. */
function receive(doc: Y.Doc, update: Uint8Array): 'refused' | 'applied' {
  const check = checkUpdate(doc, update);
  if (!check.ok) return 'refused';
  const decision = new UpdateGuard(doc, check.decoded, { locked: new Set(['p0-2']) }).decide(
    update,
  );
  Y.applyUpdate(doc, decision.update);
  assert.equal(doc.store.pendingStructs, null, 'nothing parked');
  assert.equal(doc.store.pendingDs, null, 'no deletion parked');
  // Whole: every client of the update is covered to its end.
  for (const [client, end] of check.clients)
    assert.ok(Y.getState(doc.store, client) >= end, `client ${client} applied to ${end}`);
  return 'applied';
}

test('references that form a cycle are refused as malformed before Yjs sees them', () => {
  const own = forwardReference(twoClientEdits(0));
  const cross = crossCycle(twoClientEdits(1), 77, 78);
  for (const [what, forged] of [
    ['forward in its own client', own],
    ['across two clients', cross],
  ] as const) {
    // Unchecked, Yjs throws halfway or parks part of it after applying the rest.
    const bare = serverDoc();
    const before = Y.encodeStateVector(bare);
    let harmed = false;
    try {
      Y.applyUpdate(bare, forged);
      harmed = bare.store.pendingStructs !== null;
    } catch {
      harmed = true;
    }
    assert.ok(harmed, `${what}: the forged update is one Yjs cannot apply whole`);
    if (forged === own)
      assert.notDeepEqual(Y.encodeStateVector(bare), before, `${what}: Yjs applied part of it`);
    const doc = serverDoc();
    const check = checkUpdate(doc, forged);
    assert.equal(check.ok, false, what);
    assert.equal(!check.ok && check.reason, 'malformed', what);
    assert.match(!check.ok ? check.detail : '', /depends on it/);
  }
});

test(`bit-flipped updates are refused or applied whole, never halfway (${RUNS} cases)`, () => {
  const gen = prng.create(SEED);
  const outcomes = { refused: 0, applied: 0 };
  for (let i = 0; i < RUNS; i++) {
    const update = flipBits(twoClientEdits(i), gen);
    const doc = serverDoc();
    const before = Y.encodeStateVector(doc);
    const outcome = receive(doc, update);
    outcomes[outcome]++;
    if (outcome === 'refused')
      assert.deepEqual(Y.encodeStateVector(doc), before, `case ${i}: refused, nothing applied`);
  }
  // The search reaches both outcomes (a fuzz that only ever refuses proves nothing).
  assert.ok(outcomes.applied > RUNS / 20, JSON.stringify(outcomes));
  assert.ok(outcomes.refused > RUNS / 20, JSON.stringify(outcomes));
});
