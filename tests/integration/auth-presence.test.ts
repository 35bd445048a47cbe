/**
 * Presence cannot be spoofed: what others see as a client's `user` is what the server stamps from
 * its session (name, colour, role, State), whatever the client claims; a connection cannot
 * publish, change or remove another connection's presence; a presence message over 8 KiB is
 * dropped; a flood is cut to the burst the server allows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PresenceUser } from '../../shared/protocol.js';
import {
  awarenessMessage,
  closeAll,
  connectSynced,
  presenceOf,
  RawClient,
  waitFor,
} from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

/** server/sync/connection.ts: PRESENCE_BURST presence messages at once, then PRESENCE_PER_SECOND. */
const PRESENCE_BURST = 20;
const PRESENCE_PER_SECOND = 10;

let server: TestServer;
let reportId: string;
let expert: TestUser;
let observer: TestUser;

before(async () => {
  // Presence relayed at once, so each rule is observable message by message (batching has its own test).
  server = await startTestServer({ config: { presenceBatchMs: 0 } });
  reportId = (await server.createReport('Presence', 'blank')).id;
  expert = await server.addUser('expert', 'Brazil', 'Ana Souza');
  observer = await server.addUser('observer', 'European Union', 'EU Observer');
});

after(async () => {
  closeAll();
  await server?.close();
});

/** What the server stamps: the colour is the one the report gave the user (distinct there). */
async function stamped(user: TestUser): Promise<PresenceUser> {
  const color = await server.app.registry.withReport(reportId, (live) => live.colorOf(user.id));
  assert.ok(color, `${user.displayName} has no colour in the report`);
  return {
    name: user.displayName,
    color,
    role: user.role,
    represents: user.represents,
  };
}

/** Awareness entries `raw` received for `clientId`. */
function entriesFor(raw: RawClient, clientId: number) {
  return raw.frames.flatMap((f) =>
    f.type === 'awareness' ? f.entries.filter((e) => e.clientId === clientId) : [],
  );
}

test('a client claiming to be the Chair appears with the name, role and State of its session', async () => {
  const liar = await connectSynced(server, expert, reportId);
  const watcher = await connectSynced(server, observer, reportId);
  const raw = await RawClient.open(server, server.chair, reportId);
  liar.provider.awareness.setLocalState({
    user: { name: 'Chair', color: '#000000', role: 'chair', represents: null },
    cursor: { anchor: 1, head: 2 },
  });
  const id = liar.doc.clientID;
  await waitFor(() => presenceOf(watcher, id)?.['cursor'] !== undefined, 'the liar’s presence');
  assert.deepEqual(presenceOf(watcher, id)?.['user'], await stamped(expert));
  assert.deepEqual(presenceOf(watcher, id)?.['cursor'], { anchor: 1, head: 2 });
  await waitFor(() => entriesFor(raw, id).length > 0, 'the raw client to see it');
  for (const e of entriesFor(raw, id)) {
    assert.deepEqual((e.state as { user: unknown }).user, await stamped(expert));
  }
  // The server's own copy (sent to newcomers) is stamped too.
  const live = await server.app.registry.acquire(reportId);
  assert.deepEqual(
    (live.awareness.getStates().get(id) as { user: unknown }).user,
    await stamped(expert),
  );
  const late = await connectSynced(server, server.chair, reportId);
  await waitFor(() => presenceOf(late, id) !== null, 'a newcomer to see the presence');
  assert.deepEqual(presenceOf(late, id)?.['user'], await stamped(expert));

  // Extra fields inside `user` do not survive either, nor a state with no user at all.
  liar.provider.awareness.setLocalState({
    user: { ...(await stamped(expert)), name: 'Chair', isChair: true },
  });
  await waitFor(() => presenceOf(watcher, id)?.['cursor'] === undefined, 'the new state');
  assert.deepEqual(presenceOf(watcher, id)?.['user'], await stamped(expert));
  liar.provider.awareness.setLocalState({ typing: true });
  await waitFor(() => presenceOf(watcher, id)?.['typing'] === true, 'a state without user');
  assert.deepEqual(presenceOf(watcher, id)?.['user'], await stamped(expert));
});

test('a client cannot publish, change or remove another client’s presence', async () => {
  const victim = await connectSynced(server, expert, reportId);
  const watcher = await connectSynced(server, server.chair, reportId);
  victim.provider.awareness.setLocalStateField('cursor', { anchor: 5, head: 5 });
  const vid = victim.doc.clientID;
  await waitFor(() => presenceOf(watcher, vid)?.['cursor'] !== undefined, 'the victim’s presence');
  const clockBefore = watcher.provider.awareness.meta.get(vid)!.clock;
  const raw = await RawClient.open(server, server.chair, reportId);

  // 1. An attacker who has not published yet uses the victim's id first.
  const attacker = await RawClient.open(server, observer, reportId);
  const spoofs = [
    { cursor: { anchor: 99, head: 99 }, user: { name: 'Ana Souza' } },
    { cursor: { anchor: 98, head: 98 } },
    null,
  ];
  let clock = clockBefore + 100;
  for (const state of spoofs) attacker.send(awarenessMessage(vid, clock++, state));
  // 2. The attacker publishes its own presence (which binds its id)…
  const ownId = 55_555;
  attacker.send(awarenessMessage(ownId, 1, { cursor: null }));
  await waitFor(() => presenceOf(watcher, ownId) !== null, 'the attacker’s own presence');
  assert.deepEqual(presenceOf(watcher, ownId)?.['user'], await stamped(observer));
  // 3. …then tries the victim's id again.
  for (const state of spoofs) attacker.send(awarenessMessage(vid, clock++, state));
  // Barrier: the attacker's own next message arrives after everything it sent before.
  attacker.send(awarenessMessage(ownId, 2, { cursor: { anchor: 0, head: 0 } }));
  await waitFor(
    () => (presenceOf(watcher, ownId)?.['cursor'] as { anchor?: number })?.anchor === 0,
    'the barrier',
  );
  await waitFor(() => entriesFor(raw, ownId).some((e) => e.clock === 2), 'the raw barrier');

  assert.deepEqual(presenceOf(watcher, vid)?.['cursor'], { anchor: 5, head: 5 });
  assert.deepEqual(presenceOf(watcher, vid)?.['user'], await stamped(expert));
  assert.equal(watcher.provider.awareness.meta.get(vid)!.clock, clockBefore);
  assert.equal(entriesFor(raw, vid).filter((e) => e.clock > clockBefore).length, 0);
  const live = await server.app.registry.acquire(reportId);
  assert.deepEqual((live.awareness.getStates().get(vid) as { cursor: unknown }).cursor, {
    anchor: 5,
    head: 5,
  });
  // A message with two entries (its own and the victim's) is not relayed either.
  attacker.send(
    (() => {
      // Built by hand: [Awareness, len, [2, own…, victim…]].
      const one = awarenessMessage(ownId, 3, { cursor: null });
      const two = awarenessMessage(vid, clock++, null);
      return twoEntries(one, two);
    })(),
  );
  await attacker.sync(); // answered after the server handled the two-entry message
  assert.equal(live.awareness.meta.get(ownId)?.clock, 2, 'the two-entry message was applied');
  attacker.send(awarenessMessage(ownId, 4, { cursor: { anchor: 4, head: 4 } }));
  await waitFor(() => entriesFor(raw, ownId).some((e) => e.clock === 4), 'the second barrier');
  assert.ok(!entriesFor(raw, ownId).some((e) => e.clock === 3));
  assert.ok(presenceOf(watcher, vid) !== null, 'the victim’s presence was removed');
  assert.ok(attacker.open);
});

/** Joins two one-entry awareness messages into one message with two entries. */
function twoEntries(a: Uint8Array, b: Uint8Array): Uint8Array {
  // Each is [1 (type), varuint len, 1 (count), entry…]; the lengths here are below 128.
  const bodyA = a.subarray(3);
  const bodyB = b.subarray(3);
  assert.ok(a[1]! < 128 && b[1]! < 128 && a[2] === 1 && b[2] === 1);
  const body = new Uint8Array([2, ...bodyA, ...bodyB]);
  assert.ok(body.length < 128);
  return new Uint8Array([1, body.length, ...body]);
}

test('a presence message over 8 KiB is dropped; a small one after it goes through', async () => {
  const watcher = await RawClient.open(server, server.chair, reportId);
  const sender = await RawClient.open(server, expert, reportId);
  const id = 66_666;
  const big = awarenessMessage(id, 1, { note: 'x'.repeat(9 * 1024) });
  assert.ok(big.length > 8 * 1024);
  sender.send(big);
  await sender.sync(); // answered after the server handled the big message
  const live = await server.app.registry.acquire(reportId);
  assert.ok(!live.awareness.meta.has(id), 'the oversized presence was applied');
  sender.send(awarenessMessage(id, 2, { note: 'small' }));
  await waitFor(() => entriesFor(watcher, id).length > 0, 'the small presence');
  assert.deepEqual(
    entriesFor(watcher, id).map((e) => e.clock),
    [2],
  );
  assert.deepEqual((live.awareness.getStates().get(id) as { note: string }).note, 'small');
  assert.ok(sender.open);
});

test('a flood of 200 presence messages reaches the others cut to the burst', async () => {
  const watcher = await RawClient.open(server, server.chair, reportId);
  const flooder = await RawClient.open(server, expert, reportId);
  const id = 77_777;
  const started = Date.now();
  for (let clock = 1; clock <= 200; clock++) {
    flooder.send(awarenessMessage(id, clock, { cursor: { anchor: clock, head: clock } }));
  }
  // The flooder's sync request is answered after the server handled the whole flood.
  await flooder.sync();
  assert.ok(flooder.open, 'the flooder was disconnected');
  // The last state of the burst is not lost: it is applied when the budget allows.
  await waitFor(
    () =>
      entriesFor(watcher, id).some(
        (e) => (e.state as { cursor?: { anchor: number } })?.cursor?.anchor === 200,
      ),
    'the final cursor of the flood',
  );
  // The watcher's own sync request is answered after every relay sent to it so far.
  await watcher.sync();
  const seconds = (Date.now() - started) / 1000;
  const received = entriesFor(watcher, id).filter((e) => e.clock <= 200).length;
  // Every relayed message spends a token: the burst, plus what the bucket refilled meanwhile.
  const allowed = PRESENCE_BURST + Math.ceil(seconds * PRESENCE_PER_SECOND);
  assert.ok(
    received <= allowed,
    `${received} of 200 presence messages relayed in ${seconds} s (allowed ${allowed})`,
  );
  // Presence recovers once the rate is respected.
  let clock = 1000;
  await waitFor(() => {
    flooder.send(awarenessMessage(id, clock++, { after: true }));
    return entriesFor(watcher, id).some((e) => (e.state as { after?: boolean })?.after === true);
  }, 'presence after the flood');
});

test('with batching on, a burst of presence changes reaches the others as few messages carrying the latest state', async () => {
  const batched = await startTestServer({ config: { presenceBatchMs: 50 } });
  try {
    const report = await batched.createReport('Batching');
    const author = await batched.addUser('expert', 'Chile');
    const watcher = await RawClient.open(batched, batched.chair, report.id);
    const mover = await RawClient.open(batched, author, report.id);
    try {
      const id = 55_555;
      for (let clock = 1; clock <= 10; clock++) {
        mover.send(awarenessMessage(id, clock, { cursor: { anchor: clock, head: clock } }));
      }
      await waitFor(
        () =>
          entriesFor(watcher, id).some(
            (e) => (e.state as { cursor?: { anchor: number } })?.cursor?.anchor === 10,
          ),
        'the latest cursor at the watcher',
      );
      const seen = entriesFor(watcher, id);
      // Ten changes inside one 50 ms window arrive as one or two batches, not ten messages.
      assert.ok(seen.length <= 3, `${seen.length} presence messages for 10 changes`);
      assert.deepEqual((seen.at(-1)!.state as { user: PresenceUser }).user.represents, 'Chile');
    } finally {
      watcher.close();
      mover.close();
    }
  } finally {
    await batched.close();
  }
});
