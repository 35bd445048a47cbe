/**
 * Randomised convergence through the sync channel's write path (issue #15, "randomised
 * convergence at scale"), without sockets (tests/helpers/guard-sim.ts): per seed, 5 clients
 * (two of them stock y-websocket clients that never rebuild) make random edits on a report with
 * random locked paragraphs; the server's messages reach each client late, reordered and some
 * twice; paragraphs are agreed and reopened (the lock set changes) and the server restarts from
 * what it stored. At the end every client has the server's document and state vector, nothing is
 * pending anywhere, and a reload from storage equals the live document. Fixed seeds; SIM_SEEDS
 * raises the count (README: a longer run).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import {
  buildReport,
  fragment,
  identified,
  type SimClient,
  SimServer,
} from '../helpers/guard-sim.js';

const SEEDS = Number(process.env['SIM_SEEDS'] ?? 200);
const STEPS = 40;
const CLIENTS = 5;

function paragraphsOf(doc: Y.Doc): Y.XmlElement[] {
  return identified(doc).filter((e) => e.nodeName === 'paragraph');
}

function edit(gen: prng.PRNG, doc: Y.Doc, n: number): void {
  const paras = paragraphsOf(doc);
  if (paras.length === 0) return;
  const p = paras[prng.int32(gen, 0, paras.length - 1)]!;
  const text = p.toArray().find((x): x is Y.XmlText => x instanceof Y.XmlText);
  const len = text?.length ?? 0;
  switch (prng.int32(gen, 0, 5)) {
    case 0:
    case 1:
      text?.insert(prng.int32(gen, 0, len), `w${n} `);
      return;
    case 2:
      if (len > 2) text?.delete(prng.int32(gen, 0, len - 2), 2);
      return;
    case 3:
      if (len > 3) text?.format(0, 3, { em: {} });
      return;
    case 4: {
      const el = new Y.XmlElement('paragraph');
      el.setAttribute('id', `s${n}`);
      el.insert(0, [new Y.XmlText(`new ${n}`)]);
      const parent = p.parent as Y.XmlElement;
      parent.insert(parent.toArray().indexOf(p) + 1, [el]);
      return;
    }
    default: {
      const parent = p.parent as Y.XmlElement;
      parent.delete(parent.toArray().indexOf(p), 1);
    }
  }
}

test(`${SEEDS} seeds of ${CLIENTS} clients with late, reordered and repeated delivery, lock changes and restarts converge`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const gen = prng.create(seed);
    const all = paragraphsOf(
      (() => {
        const d = new Y.Doc();
        Y.applyUpdate(d, buildReport(2, 3));
        return d;
      })(),
    ).map((p) => p.getAttribute('id') as string);
    const lockedNow = () => new Set(all.filter(() => prng.bool(gen)));
    const server = new SimServer(buildReport(2, 3), lockedNow());
    const clients: SimClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const c = server.join(100 + i, i < 2);
      c.inbox = [];
      clients.push(c);
    }
    const pick = (n: number) => prng.int32(gen, 0, n - 1);
    for (let step = 0; step < STEPS; step++) {
      const c = clients[pick(CLIENTS)]!;
      const roll = pick(20);
      if (roll === 0) {
        // A restart: what the clients have not received yet is lost with the connections.
        server.restart();
        for (const k of clients) {
          k.inbox = [];
          k.reconnect();
        }
      } else if (roll === 1) {
        // A paragraph agreed, another reopened: the lock set changes.
        server.locked = lockedNow();
      } else if (roll < 6) {
        c.flush(pick);
      } else {
        edit(gen, c.doc, step);
        if (prng.bool(gen)) c.send();
      }
    }
    for (const c of clients) c.flush(pick);
    for (const c of clients) c.send();
    for (const c of clients) c.flush(pick);
    for (const c of clients) c.reconnect();
    const sv = Y.encodeStateVector(server.doc);
    const xml = fragment(server.doc).toString();
    assert.equal(server.doc.store.pendingStructs, null, `seed ${seed}: server pending`);
    for (const [i, c] of clients.entries()) {
      assert.equal(fragment(c.doc).toString(), xml, `seed ${seed}: client ${i} converged`);
      assert.deepEqual(Y.encodeStateVector(c.doc), sv, `seed ${seed}: client ${i} state vector`);
      assert.equal(c.doc.store.pendingStructs, null, `seed ${seed}: client ${i} pending`);
    }
    const reloaded = server.reload();
    assert.equal(fragment(reloaded).toString(), xml, `seed ${seed}: reload`);
    assert.deepEqual(Y.encodeStateVector(reloaded), sv, `seed ${seed}: reload state vector`);
  }
});
