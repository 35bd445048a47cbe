/**
 * The load generator: a child process of the harness (never the harness itself), one process
 * with many sockets (fanout and storm spread theirs over worker threads: part.ts). It reads its
 * LoadConfig from the BENCH_LOAD environment variable, runs one scenario against one target, asks
 * the harness to sample the server at named marks (the harness answers once it has read /proc),
 * and sends back a LoadResult. Nothing is logged per message; every loop is bounded in count and
 * in time.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { type Canary, startCanary } from './canary.js';
import { connectAll, LightClient, now } from './lightClient.js';
import {
  clientsConverge,
  edit,
  type PartApi,
  type PartSpec,
  paced,
  roundRobin,
  sleep,
  startParts,
  waitUntil,
} from './part.js';
import { Samples } from './stats.js';
import type {
  ColdloadParams,
  ConnectParams,
  ConnSpec,
  FanoutParams,
  HarnessMessage,
  LoadConfig,
  LoadMessage,
  LoadResult,
  PresenceParams,
  StormParams,
} from './types.js';

const cfg = JSON.parse(process.env['BENCH_LOAD'] ?? 'null') as LoadConfig | null;
if (!cfg || !process.send) {
  console.error(
    'loadgen.ts is started by tests/bench/harness.ts (needs BENCH_LOAD and an IPC channel)',
  );
  process.exit(2);
}
const conn: ConnSpec = cfg.conn;
const T = cfg.syncTimeoutMs;

const all: LightClient[] = [];
/** Parts of the load in worker threads, or on this thread (fanout and storm). */
let parts: PartApi[] = [];
let canary: Canary | null = null;
const errors: string[] = [];
const notes: string[] = [];
const extra: Record<string, number> = {};

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function post(msg: LoadMessage): void {
  process.send!(msg);
}

// ---- marks: the harness samples the server's /proc at each one and acknowledges ------------

const ackWaiters = new Map<string, () => void>();
process.on('message', (m: HarnessMessage) => {
  if (m && m.type === 'ack') {
    ackWaiters.get(m.name)?.();
    ackWaiters.delete(m.name);
  }
});

function mark(name: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      errors.push(`mark ${name}: no ack from harness`);
      ackWaiters.delete(name);
      resolve();
    }, 10_000);
    ackWaiters.set(name, () => {
      clearTimeout(timer);
      resolve();
    });
    post({ type: 'mark', name });
  });
}

// ---- helpers -------------------------------------------------------------------------------

function client(): LightClient {
  const c = new LightClient(conn);
  all.push(c);
  return c;
}

const bytesRead = (cs: readonly LightClient[]) => cs.reduce((s, c) => s + c.bytesRead(), 0);

async function connectOrRecord(cs: LightClient[], concurrency: number): Promise<void> {
  const failed = await connectAll(cs, concurrency, T);
  if (failed.length > 0) {
    errors.push(`${failed.length}/${cs.length} clients failed to connect: ${failed[0]}`);
  }
}

async function joinCanary(): Promise<void> {
  canary = startCanary(conn.canary, conn.headers, T);
  if (!(await canary.synced)) errors.push('canary: provider did not sync');
}

/** The server's current state vector, as a fresh verifier client syncs it. */
async function serverState(): Promise<string | Error> {
  const v = new LightClient(conn);
  try {
    await v.connect(T);
    return v.stateKey();
  } catch (err) {
    return err as Error;
  } finally {
    v.close();
  }
}

interface ConvergenceReport {
  converged: boolean;
  detail: string;
  canaryOk: boolean;
  canaryDetail: string;
}

async function canaryMatches(ref: string): Promise<boolean> {
  return canary !== null && (await waitUntil(() => canary!.stateKey() === ref, 3000, 100));
}

/**
 * Convergence: a fresh verifier syncs the server's state; every client and the canary must reach
 * the same state vector (waiting up to `timeoutMs` for stragglers).
 */
async function converge(cs: readonly LightClient[], timeoutMs: number): Promise<ConvergenceReport> {
  const ref = await serverState();
  if (ref instanceof Error) return noReference(ref);
  const c = await clientsConverge(cs, ref, timeoutMs);
  return convergence(c.behind, c.synced, c.total, await canaryMatches(ref));
}

/** The same over parts of the load, each waiting for its own stragglers. */
async function convergeParts(
  ps: readonly PartApi[],
  timeoutMs: number,
): Promise<ConvergenceReport> {
  const ref = await serverState();
  if (ref instanceof Error) return noReference(ref);
  const each = await Promise.all(ps.map((x) => x.converge(ref, timeoutMs)));
  const sum = (f: (c: (typeof each)[number]) => number) => each.reduce((s, c) => s + f(c), 0);
  return convergence(
    sum((c) => c.behind),
    sum((c) => c.synced),
    sum((c) => c.total),
    await canaryMatches(ref),
  );
}

function noReference(err: Error): ConvergenceReport {
  return {
    converged: false,
    detail: `verifier could not sync: ${err.message}`,
    canaryOk: false,
    canaryDetail: 'no reference',
  };
}

function convergence(
  behind: number,
  synced: number,
  total: number,
  canaryOk: boolean,
): ConvergenceReport {
  return {
    converged: behind === 0 && synced === total,
    detail:
      behind > 0
        ? `${behind}/${total} clients differ from the server's state`
        : synced === total
          ? `${total} clients + verifier: state vectors equal`
          : `${total - synced} clients never synced`,
    canaryOk,
    canaryDetail: canaryOk ? 'synced, same state' : canary ? 'state differs' : 'no canary',
  };
}

/**
 * Runs the parts' writers from a common start and waits until every part has all its
 * deliveries (or `drainMs` passed). Returns the window's start and end and the merged results.
 */
async function runParts(specs: PartSpec[], drainMs: number) {
  const ps = startParts(specs);
  parts = ps;
  const failed = (await Promise.all(ps.map((x) => x.connect()))).flat();
  const total = specs.reduce((s, x) => s + x.clients, 0);
  if (failed.length > 0) {
    errors.push(`${failed.length}/${total} clients failed to connect: ${failed[0]}`);
  }
  await joinCanary();
  // Every part starts its pacing at the same instant, a little ahead so each thread hears of it.
  // First a warm-up at the same pace, outside the measured window: the first edits to reach
  // hundreds of new documents are the slowest of a run for every target (code not yet optimised
  // on either side), and in a p99 over 200 edits they alone would set it.
  if (specs.some((x) => x.warmupExpected > 0)) {
    await Promise.all(ps.map((x) => x.write(now() + 20, true)));
    const warm = await Promise.all(ps.map((x) => x.drained(drainMs, true)));
    if (warm.includes(false)) errors.push('warm-up: not every edit was delivered');
    await Promise.all(ps.map((x) => x.reset()));
  }
  const b0 = await bytesReadOf(ps);
  await mark('start');
  const t0 = now();
  await Promise.all(ps.map((x) => x.write(t0 + 20, false)));
  await Promise.all(ps.map((x) => x.drained(drainMs, false)));
  const t1 = now();
  await mark('end');
  const bytes = (await bytesReadOf(ps)) - b0;
  const results = await Promise.all(ps.map((x) => x.result()));
  const lat = new Samples(results.reduce((s, r) => s + r.latencies.length, 16));
  for (const r of results) lat.addAll(r.latencies);
  partLoopDelayP99Ms = Math.max(...results.map((r) => r.loopDelayP99Ms));
  partLoopDelayMaxMs = Math.max(...results.map((r) => r.loopDelayMaxMs));
  extra['loadThreads'] = ps.length;
  return {
    ps,
    t0,
    t1,
    bytes,
    lat,
    delivered: results.reduce((s, r) => s + r.delivered, 0),
    last: Math.max(0, ...results.map((r) => r.last)),
  };
}

async function bytesReadOf(ps: readonly PartApi[]): Promise<number> {
  return (await Promise.all(ps.map((x) => x.bytesRead()))).reduce((s, n) => s + n, 0);
}

let partLoopDelayP99Ms = 0;
let partLoopDelayMaxMs = 0;

// ---- scenarios -----------------------------------------------------------------------------

async function fanout(p: FanoutParams): Promise<LoadResult> {
  const edits = Math.round((p.editsPerSec * p.durationMs) / 1000);
  const warmupEdits = Math.round((p.editsPerSec * p.warmupMs) / 1000);
  const threads = Math.max(1, Math.min(p.loadThreads, p.readers));
  // The writer is client 0 of part 0 (not counted as a reader); readers go round-robin.
  const specs: PartSpec[] = roundRobin(p.readers, threads).map((readers, k) => ({
    conn,
    syncTimeoutMs: T,
    clients: readers.length + (k === 0 ? 1 : 0),
    untracked: k === 0 ? 1 : 0,
    writers:
      k === 0
        ? [
            {
              local: 0,
              warmupEdits,
              edits,
              intervalMs: 1000 / p.editsPerSec,
              offsetMs: 0,
              tag: 'f',
            },
          ]
        : [],
    warmupExpected: warmupEdits * readers.length,
    expected: edits * readers.length,
    connectConcurrency: Math.ceil(p.connectConcurrency / threads),
  }));
  const r = await runParts(specs, p.drainMs);
  extra['windowMs'] = r.t1 - r.t0;
  extra['bytesReceived'] = r.bytes;
  extra['edits'] = edits;
  const c = await convergeParts(r.ps, 5000);
  return {
    delivered: r.delivered,
    expected: edits * p.readers,
    converged: c.converged,
    convergenceDetail: c.detail,
    canaryOk: c.canaryOk,
    canaryDetail: c.canaryDetail,
    latency: r.lat.summary(),
    extra,
    notes,
    errors,
  };
}

async function storm(p: StormParams): Promise<LoadResult> {
  const perWriter = Math.round((p.editsPerSecPerWriter * p.durationMs) / 1000);
  const warmPerWriter = Math.round((p.editsPerSecPerWriter * p.warmupMs) / 1000);
  const totalEdits = perWriter * p.writers;
  const totalWarm = warmPerWriter * p.writers;
  const interval = 1000 / p.editsPerSecPerWriter;
  const threads = Math.max(1, Math.min(p.loadThreads, p.clients));
  // Clients 0 … writers-1 write; global client g belongs to part g % threads. Every client
  // expects every edit but its own.
  const specs: PartSpec[] = roundRobin(p.clients, threads).map((globals) => ({
    conn,
    syncTimeoutMs: T,
    clients: globals.length,
    untracked: 0,
    writers: globals.flatMap((g, local) =>
      g < p.writers
        ? [
            {
              local,
              warmupEdits: warmPerWriter,
              edits: perWriter,
              intervalMs: interval,
              offsetMs: (g * interval) / p.writers,
              tag: `s${g}e`,
            },
          ]
        : [],
    ),
    warmupExpected: globals.reduce(
      (s, g) => s + totalWarm - (g < p.writers ? warmPerWriter : 0),
      0,
    ),
    expected: globals.reduce((s, g) => s + totalEdits - (g < p.writers ? perWriter : 0), 0),
    connectConcurrency: Math.ceil(p.connectConcurrency / threads),
  }));
  const r = await runParts(specs, p.drainMs);
  extra['windowMs'] = r.t1 - r.t0;
  extra['edits'] = totalEdits;
  extra['deliveriesPerSec'] = r.delivered / (((r.last || r.t1) - r.t0) / 1000);
  const c = await convergeParts(r.ps, 5000);
  return {
    delivered: r.delivered,
    expected: totalEdits * (p.clients - 1),
    converged: c.converged,
    convergenceDetail: c.detail,
    canaryOk: c.canaryOk,
    canaryDetail: c.canaryDetail,
    latency: r.lat.summary(),
    extra,
    notes,
    errors,
  };
}

async function presence(p: PresenceParams): Promise<LoadResult> {
  const cs = Array.from({ length: p.clients }, () => client());
  const observers = cs.slice(0, p.observers);
  const ids = new Set(cs.map((c) => c.doc.clientID));
  const rounds = Math.round(p.durationMs / p.intervalMs);
  const lat = new Samples(rounds * p.clients * p.observers + 16);
  let seen = 0;
  const lastClock = observers.map(() => new Map<number, number>());
  observers.forEach((o, k) => {
    const mine = o.doc.clientID;
    const clocks = lastClock[k]!;
    o.onAwareness = (decoder) => {
      const t = now();
      const upd = decoding.createDecoder(decoding.readVarUint8Array(decoder));
      const n = decoding.readVarUint(upd);
      for (let i = 0; i < n; i++) {
        const id = decoding.readVarUint(upd);
        const clock = decoding.readVarUint(upd);
        const state = decoding.readVarString(upd);
        if (id === mine || !ids.has(id)) continue;
        seen++;
        if ((clocks.get(id) ?? 0) < clock) clocks.set(id, clock);
        const at = state.lastIndexOf('"t":');
        if (at >= 0) lat.add(t - Number.parseFloat(state.slice(at + 4)));
      }
    };
  });
  await connectOrRecord(cs, p.connectConcurrency);
  await joinCanary();
  const b0 = bytesRead(cs);
  await mark('start');
  const t0 = now();
  await Promise.all(
    cs.map((c, i) => {
      const user = `{"user":{"name":"Delegate ${i}","color":"#1a7f64"}`;
      return paced(rounds, p.intervalMs, (i * p.intervalMs) / p.clients, (r) => {
        const pos = (i * 37 + r * 11) % 5000;
        c.sendAwareness(
          r + 1,
          `${user},"cursor":{"anchor":${pos},"head":${pos + 5}},"t":${now()}}`,
        );
      });
    }),
  );
  const complete = () =>
    observers.every((o, k) =>
      cs.every((c) => c === o || (lastClock[k]!.get(c.doc.clientID) ?? 0) >= rounds),
    );
  await waitUntil(complete, p.drainMs, 50);
  const t1 = now();
  await mark('end');
  const b1 = bytesRead(cs);
  let delivered = 0;
  observers.forEach((o, k) => {
    for (const c of cs)
      if (c !== o && (lastClock[k]!.get(c.doc.clientID) ?? 0) >= rounds) delivered++;
  });
  const sent = rounds * p.clients;
  extra['windowMs'] = t1 - t0;
  extra['bytesReceived'] = b1 - b0;
  extra['serverBytesPerSec'] = (b1 - b0) / ((t1 - t0) / 1000);
  extra['awarenessSent'] = sent;
  /** Share of the other clients' presence changes an observer saw (1 = none coalesced). */
  extra['awarenessSeenRatio'] = seen / ((p.clients - 1) * rounds * p.observers);
  const c = await converge(cs, 5000);
  return {
    delivered,
    expected: p.observers * (p.clients - 1),
    converged: c.converged,
    convergenceDetail: c.detail,
    canaryOk: c.canaryOk,
    canaryDetail: c.canaryDetail,
    latency: lat.summary(),
    extra,
    notes,
    errors,
  };
}

async function coldload(p: ColdloadParams): Promise<LoadResult> {
  const loader = client();
  await loader.connect(T);
  const text = loader.doc.getText('bench');
  let pending: Uint8Array[] = [];
  loader.doc.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== loader) pending.push(u);
  });
  const chunk = 'x'.repeat(Math.max(1, p.editChars - 1));
  const tb = now();
  const flush = async () => {
    if (pending.length === 0) return;
    loader.sendUpdate(pending.length === 1 ? pending[0]! : Y.mergeUpdates(pending));
    pending = [];
    if (loader.bufferedAmount() > 4 << 20) {
      await waitUntil(() => loader.bufferedAmount() < 1 << 20, 30_000, 5);
    }
  };
  for (let i = 0; i < p.edits && !loader.closed; i++) {
    text.insert(Math.floor(Math.random() * (text.length + 1)), `${i % 10}${chunk}`);
    if (pending.length >= p.batch) await flush();
  }
  await flush();
  if (!(await loader.roundTrip(60_000))) errors.push('coldload: server did not confirm the edits');
  extra['buildMs'] = now() - tb;
  const expectedKey = loader.stateKey();
  extra['textChars'] = text.length;
  extra['updateBytes'] = Y.encodeStateAsUpdate(loader.doc).length;
  loader.close();
  await waitUntil(() => loader.closed, 5000);
  await sleep(p.unloadWaitMs);
  let ok = 0;
  for (let i = 0; i < p.loads; i++) {
    const c = client();
    await mark(`cold${i}:start`);
    const t0 = now();
    let err = '';
    try {
      await c.connect(p.syncTimeoutMs);
    } catch (e) {
      err = (e as Error).message;
    }
    const t1 = now();
    await mark(`cold${i}:end`);
    if (err) errors.push(`cold load ${i}: ${err}`);
    else if (c.stateKey() !== expectedKey) errors.push(`cold load ${i}: incomplete document`);
    else {
      ok++;
      extra[`coldLoadMs.${i}`] = t1 - t0;
    }
    c.close();
    await waitUntil(() => c.closed, 5000);
    c.doc.destroy();
    await sleep(p.unloadWaitMs);
  }
  await joinCanary();
  const canaryOk = canary !== null && canary.stateKey() === expectedKey;
  return {
    delivered: ok,
    expected: p.loads,
    converged: ok === p.loads,
    convergenceDetail: `${ok}/${p.loads} cold loads complete`,
    canaryOk,
    canaryDetail: canaryOk ? 'cold load complete' : 'canary state differs',
    latency: null,
    extra,
    notes,
    errors,
  };
}

async function connect(p: ConnectParams): Promise<LoadResult> {
  const seeder = client();
  await seeder.connect(T);
  seeder.forwardLocalUpdates();
  for (let i = 0; i < p.seedEdits; i++) edit(seeder, i, 'c');
  if (!(await seeder.roundTrip(30_000))) errors.push('connect: seed edits not confirmed');
  const seedKey = seeder.stateKey();
  const cs = Array.from({ length: p.clients }, () => client());
  await mark('start');
  const t0 = now();
  await connectOrRecord(cs, p.concurrency);
  const t1 = now();
  await sleep(p.settleMs);
  await mark('end');
  const handshake = new Samples(p.clients);
  for (const c of cs) if (c.synced) handshake.add(c.syncedAt - c.connectStartedAt);
  extra['connectAllMs'] = t1 - t0;
  const delivered = cs.filter((c) => c.synced && c.stateKey() === seedKey).length;
  await joinCanary();
  const canaryOk = canary !== null && canary.stateKey() === seedKey;
  return {
    delivered,
    expected: p.clients,
    converged: delivered === p.clients,
    convergenceDetail: `${delivered}/${p.clients} clients synced the seeded state`,
    canaryOk,
    canaryDetail: canaryOk ? 'synced, same state' : 'canary state differs',
    latency: handshake.summary(),
    extra,
    notes,
    errors,
  };
}

// ---- main ----------------------------------------------------------------------------------

function emptyResult(err: string): LoadResult {
  return {
    delivered: 0,
    expected: 1,
    converged: false,
    convergenceDetail: err,
    canaryOk: false,
    canaryDetail: err,
    latency: null,
    extra,
    notes,
    errors: [...errors, err],
  };
}

async function finish(result: LoadResult, code: number): Promise<never> {
  loopDelay.disable();
  result.extra['loadLoopDelayP99Ms'] = Math.max(loopDelay.percentile(99) / 1e6, partLoopDelayP99Ms);
  result.extra['loadLoopDelayMaxMs'] = Math.max(loopDelay.max / 1e6, partLoopDelayMaxMs);
  await new Promise<void>((resolve) => process.send!({ type: 'result', result }, () => resolve()));
  canary?.destroy();
  await Promise.race([Promise.all(parts.map((x) => x.close())), sleep(2000)]);
  for (const c of all) c.terminate();
  process.exit(code);
}

const guard = setTimeout(() => {
  void finish(emptyResult(`load generator ran out of its ${cfg.scenario.budgetMs} ms budget`), 3);
}, cfg.scenario.budgetMs);
guard.unref();

async function main(): Promise<LoadResult> {
  const p = cfg!.scenario.params;
  switch (p.kind) {
    case 'fanout':
      return fanout(p);
    case 'storm':
      return storm(p);
    case 'presence':
      return presence(p);
    case 'coldload':
      return coldload(p);
    case 'connect':
      return connect(p);
  }
}

main().then(
  (r) => finish(r, 0),
  (err: unknown) => finish(emptyResult(`load generator failed: ${(err as Error).stack ?? err}`), 1),
);
