/**
 * Forged Yjs updates for the wire tests: re-encoding decoded structs after changing them, updates
 * whose references form a cycle (Yjs throws or parks halfway through them), and seeded bit flips.
 */
import * as encoding from 'lib0/encoding';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';

type Decoded = ReturnType<typeof Y.decodeUpdate>;

/** A V1 update of `decoded`'s structs (grouped by client, in order) and delete set. */
export function reencode(decoded: Decoded): Uint8Array {
  const byClient = new Map<number, Decoded['structs']>();
  for (const s of decoded.structs) {
    const list = byClient.get(s.id.client);
    if (list) list.push(s);
    else byClient.set(s.id.client, [s]);
  }
  const enc = new Y.UpdateEncoderV1();
  const clients = [...byClient].sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(enc.restEncoder, clients.length);
  for (const [client, list] of clients) {
    encoding.writeVarUint(enc.restEncoder, list.length);
    enc.writeClient(client);
    encoding.writeVarUint(enc.restEncoder, list[0]!.id.clock);
    for (const s of list) s.write(enc, 0);
  }
  const ds = [...decoded.ds.clients].sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(enc.restEncoder, ds.length);
  for (const [client, ranges] of ds) {
    enc.resetDsCurVal();
    encoding.writeVarUint(enc.restEncoder, client);
    encoding.writeVarUint(enc.restEncoder, ranges.length);
    for (const r of ranges) {
      enc.writeDsClock(r.clock);
      enc.writeDsLen(r.len);
    }
  }
  return enc.toUint8Array();
}

/**
 * `update` (two or more insertions of one client) with its first item's origin moved to the
 * client's last clock: a reference forward in its own client, on which Yjs throws halfway.
 */
export function forwardReference(update: Uint8Array): Uint8Array {
  const decoded = Y.decodeUpdate(update);
  const items = decoded.structs.filter((s): s is Y.Item => s instanceof Y.Item);
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (last === first) throw new Error('forwardReference needs two items');
  first.origin = Y.createID(last.id.client, last.id.clock + last.length - 1);
  return reencode(decoded);
}

/**
 * One update of two clients whose items refer to each other: the first item of client `a` takes
 * the last item of client `b` as its origin, while that one builds on `a`'s.
 */
export function crossCycle(update: Uint8Array, a: number, b: number): Uint8Array {
  const decoded = Y.decodeUpdate(update);
  const items = decoded.structs.filter((s): s is Y.Item => s instanceof Y.Item);
  const firstA = items.find((s) => s.id.client === a)!;
  const ofB = items.filter((s) => s.id.client === b);
  const lastB = ofB[ofB.length - 1]!;
  firstA.origin = Y.createID(b, lastB.id.clock + lastB.length - 1);
  return reencode(decoded);
}

/** `bytes` with 1 to 3 bits flipped, chosen by `gen`. */
export function flipBits(bytes: Uint8Array, gen: prng.PRNG): Uint8Array {
  const out = new Uint8Array(bytes);
  const flips = prng.int32(gen, 1, 3);
  for (let f = 0; f < flips; f++) {
    const at = prng.int32(gen, 0, out.length - 1);
    out[at]! ^= 1 << prng.int32(gen, 0, 7);
  }
  return out;
}
