/**
 * Checks a client's Yjs update before it touches the live document: it must decode completely,
 * and everything it refers to (left/right origins, parents, deleted ranges) must be either already
 * in the document or inside the update itself. An update with missing dependencies is refused,
 * never parked in the document's pending queue: a parked update would be invisible to everyone,
 * never stored, and silently lost when the document unloads.
 */
import * as Y from 'yjs';

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export type UpdateCheck =
  | {
      ok: true;
      empty: boolean;
      hasDeletes: boolean;
      clients: Map<number, number>;
      decoded: DecodedUpdate;
    }
  | { ok: false; reason: 'malformed' | 'missing-dependencies'; detail: string };

interface IdLike {
  client: number;
  clock: number;
}

function isId(x: unknown): x is IdLike {
  return typeof x === 'object' && x !== null && 'client' in x && 'clock' in x;
}

/**
 * `clients` in the result maps each client id in the update to the clock after its last struct:
 * once the update is durable, everything by that client below that clock is durable.
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array): UpdateCheck {
  let decoded: DecodedUpdate;
  try {
    decoded = Y.decodeUpdate(update);
  } catch (err) {
    return {
      ok: false,
      reason: 'malformed',
      detail: (err as Error).message || 'undecodable update',
    };
  }
  const sv = doc.store.clients;
  const known = (client: number) => {
    const structs = sv.get(client);
    if (!structs || structs.length === 0) return 0;
    const last = structs[structs.length - 1]!;
    return last.id.clock + last.length;
  };
  // The range each client covers in this update, [from, to).
  const from = new Map<number, number>();
  const to = new Map<number, number>();
  for (const s of decoded.structs) {
    // A Skip marks a gap inside the update: content that the update does not carry.
    if (s instanceof Y.Skip)
      return { ok: false, reason: 'missing-dependencies', detail: 'update has a gap' };
    const { client, clock } = s.id;
    const end = clock + s.length;
    const prevEnd = to.get(client);
    if (prevEnd === undefined) {
      from.set(client, clock);
    } else if (clock !== prevEnd) {
      return { ok: false, reason: 'missing-dependencies', detail: `gap in client ${client}` };
    }
    to.set(client, end);
  }
  for (const [client, start] of from) {
    if (start > known(client)) {
      return {
        ok: false,
        reason: 'missing-dependencies',
        detail: `client ${client} starts at ${start}, server has ${known(client)}`,
      };
    }
  }
  const has = (id: IdLike) => {
    if (id.clock < known(id.client)) return true;
    const f = from.get(id.client);
    return f !== undefined && id.clock >= f && id.clock < to.get(id.client)!;
  };
  for (const s of decoded.structs) {
    if (!(s instanceof Y.Item)) continue;
    for (const ref of [s.origin, s.rightOrigin, s.parent]) {
      if (isId(ref) && !has(ref)) {
        return {
          ok: false,
          reason: 'missing-dependencies',
          detail: `refers to ${ref.client}:${ref.clock}, which the server does not have`,
        };
      }
    }
  }
  const cycle = dependencyCycle(decoded.structs, from, to);
  if (cycle !== null) return { ok: false, reason: 'malformed', detail: cycle };
  for (const [client, ranges] of decoded.ds.clients) {
    const limit = Math.max(known(client), to.get(client) ?? 0);
    for (const r of ranges) {
      if (r.clock + r.len > limit) {
        return {
          ok: false,
          reason: 'missing-dependencies',
          detail: `deletes ${client}:${r.clock}+${r.len}, which the server does not have`,
        };
      }
    }
  }
  const hasDeletes = decoded.ds.clients.size > 0;
  return {
    ok: true,
    empty: decoded.structs.length === 0 && !hasDeletes,
    hasDeletes,
    clients: to,
    decoded,
  };
}

/**
 * Yjs integrates a client's structs in clock order, each after what it refers to (origins, the
 * parent's item). Content that exists was made after what it refers to, so in a real update these
 * references never form a cycle; a forged one that does makes Yjs throw halfway (a reference to a
 * later clock of the same client) or park part of it, after it has applied the rest. Returns what
 * closes a cycle, or null. Every struct of the update is a node; a node depends on the previous
 * struct of its client and on the structs of the update it refers to.
 */
function dependencyCycle(
  structs: DecodedUpdate['structs'],
  from: ReadonlyMap<number, number>,
  to: ReadonlyMap<number, number>,
): string | null {
  const byClient = new Map<number, number[]>();
  /** The previous struct of the same client, or -1. */
  const prev = new Int32Array(structs.length).fill(-1);
  structs.forEach((s, i) => {
    const list = byClient.get(s.id.client);
    if (list) {
      prev[i] = list[list.length - 1]!;
      list.push(i);
    } else byClient.set(s.id.client, [i]);
  });
  /** The index of the struct of the update that holds `id`, or -1 (the server holds it). */
  const holder = (id: IdLike): number => {
    const f = from.get(id.client);
    if (f === undefined || id.clock < f || id.clock >= to.get(id.client)!) return -1;
    const list = byClient.get(id.client)!;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = structs[list[mid]!]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return list[mid]!;
    }
    return -1;
  };
  const deps = (i: number): number[] => {
    const s = structs[i]!;
    const out: number[] = [];
    if (prev[i]! !== -1) out.push(prev[i]!);
    if (s instanceof Y.Item) {
      for (const ref of [s.origin, s.rightOrigin, s.parent]) {
        if (!isId(ref)) continue;
        const j = holder(ref);
        if (j !== -1) out.push(j);
      }
    }
    return out;
  };
  // Iterative depth-first search: 0 unseen, 1 on the current path, 2 done.
  const state = new Uint8Array(structs.length);
  for (let start = 0; start < structs.length; start++) {
    if (state[start] !== 0) continue;
    const stack: Array<{ node: number; next: number[] }> = [{ node: start, next: deps(start) }];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const j = top.next.pop();
      if (j === undefined) {
        state[top.node] = 2;
        stack.pop();
      } else if (state[j] === 1) {
        const s = structs[top.node]!.id;
        const t = structs[j]!.id;
        return `${s.client}:${s.clock} refers to ${t.client}:${t.clock}, which depends on it`;
      } else if (state[j] === 0) {
        state[j] = 1;
        stack.push({ node: j, next: deps(j) });
      }
    }
  }
  return null;
}

/**
 * True when `update` deletes something `doc` has not deleted yet. A client's sync reply always
 * carries its whole delete set, so a reconnecting reader resends deletions it only received.
 */
export function deletesSomethingNew(doc: Y.Doc, update: Uint8Array): boolean {
  const { ds } = Y.decodeUpdate(update);
  if (ds.clients.size === 0) return false;
  // Sorted and merged: a contiguous deleted run is one range.
  const deleted = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    const have = deleted.clients.get(client) ?? [];
    for (const r of ranges) {
      if (r.len === 0) continue;
      if (!have.some((d) => d.clock <= r.clock && d.clock + d.len >= r.clock + r.len)) return true;
    }
  }
  return false;
}
