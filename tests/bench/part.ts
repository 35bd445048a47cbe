/**
 * A part of the load: some of a scenario's light clients, run either on the load generator's
 * main thread or in a worker thread of it. Fanout and storm spread their clients over parts
 * because one JavaScript thread applying 20,000 updates a second to 1000 Y.Docs is saturated
 * (about 40 µs each): its own queueing, not the server's, would then set the latency tail. All
 * parts use the same clock (`now()`: epoch milliseconds), so a send time written by a writer in
 * one thread is read back by a reader in another.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  isMainThread,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { connectAll, LightClient, now } from './lightClient.js';
import { Samples } from './stats.js';
import type { ConnSpec } from './types.js';

export interface WriterPlan {
  /** Index among this part's clients. */
  local: number;
  /** Edits before the measured window (warm-up), then in it. */
  warmupEdits: number;
  edits: number;
  intervalMs: number;
  /** Delay of this writer's first edit after the common start. */
  offsetMs: number;
  tag: string;
}

export interface PartSpec {
  conn: ConnSpec;
  syncTimeoutMs: number;
  clients: number;
  /** Clients with a local index below this do not count deliveries (fanout's writer). */
  untracked: number;
  writers: WriterPlan[];
  /** Deliveries this part's tracked clients should see of the warm-up, then of the window. */
  warmupExpected: number;
  expected: number;
  connectConcurrency: number;
}

export interface PartResult {
  delivered: number;
  /** Time of the last delivery (`now()`), 0 if none. */
  last: number;
  latencies: Float64Array;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface Convergence {
  synced: number;
  behind: number;
  total: number;
}

/** What the load generator can ask of a part, wherever it runs. */
export interface PartApi {
  connect(): Promise<string[]>;
  bytesRead(): Promise<number>;
  /**
   * Makes this part's writers' edits, paced from `startAt` (`now()` time): the warm-up's, or the
   * measured window's.
   */
  write(startAt: number, warmup: boolean): Promise<void>;
  /** Resolves true once every expected delivery arrived, false after `timeoutMs`. */
  drained(timeoutMs: number, warmup: boolean): Promise<boolean>;
  /** Forgets the warm-up's deliveries, latencies and loop delays. */
  reset(): Promise<void>;
  converge(ref: string, timeoutMs: number): Promise<Convergence>;
  result(): Promise<PartResult>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Polls `cond` every `pollMs` until it holds or `timeoutMs` passed. */
export async function waitUntil(
  cond: () => boolean,
  timeoutMs: number,
  pollMs = 20,
): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() >= end) return false;
    await sleep(pollMs);
  }
  return true;
}

/** Calls fn(i) for i < count at `intervalMs` apart, starting `offsetMs` from now. */
export async function paced(
  count: number,
  intervalMs: number,
  offsetMs: number,
  fn: (i: number) => void,
): Promise<void> {
  const start = performance.now() + offsetMs;
  for (let i = 0; i < count; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    fn(i);
  }
}

/**
 * The edit every writer makes: a short insert at a random place in the shared text, and the send
 * time in a map entry of its own in the same transaction (one update on the wire). Readers read
 * the time back when they apply the update; map events cost O(changed keys), unlike text deltas.
 */
export function edit(c: LightClient, seq: number, tag: string): void {
  const text = c.doc.getText('bench');
  const ts = c.doc.getMap<number>('bench-ts');
  c.doc.transact(() => {
    text.insert(Math.floor(Math.random() * (text.length + 1)), `${tag}${seq} lorem ipsum `);
    ts.set(`${c.doc.clientID}:${seq}`, now());
  });
}

/**
 * Waits up to `timeoutMs` until every synced client holds the state vector `ref` (the server's,
 * as a fresh verifier synced it); says how many did not, and how many never synced.
 */
export async function clientsConverge(
  clients: readonly LightClient[],
  ref: string,
  timeoutMs: number,
): Promise<Convergence> {
  const synced = clients.filter((c) => c.synced);
  const behind = () => synced.filter((c) => c.stateKey() !== ref).length;
  await waitUntil(() => behind() === 0, timeoutMs, 100);
  return { synced: synced.length, behind: behind(), total: clients.length };
}

/** A part running on the calling thread. */
export class LocalPart implements PartApi {
  readonly clients: LightClient[];
  private delivered = 0;
  private last = 0;
  private readonly lat: Samples;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly spec: PartSpec) {
    this.loopDelay.enable();
    this.lat = new Samples(spec.expected + 16);
    this.clients = Array.from({ length: spec.clients }, () => new LightClient(spec.conn));
    this.clients.forEach((c, i) => {
      if (i >= spec.untracked) this.track(c);
    });
    for (const w of spec.writers) this.clients[w.local]!.forwardLocalUpdates();
  }

  private track(c: LightClient): void {
    const ts = c.doc.getMap<number>('bench-ts');
    ts.observe((ev) => {
      if (ev.transaction.local) return;
      const t = now();
      for (const k of ev.keysChanged) {
        const sent = ts.get(k);
        if (typeof sent === 'number') {
          this.lat.add(t - sent);
          this.delivered++;
          this.last = t;
        }
      }
    });
  }

  async connect(): Promise<string[]> {
    return connectAll(this.clients, this.spec.connectConcurrency, this.spec.syncTimeoutMs);
  }

  async bytesRead(): Promise<number> {
    return this.clients.reduce((s, c) => s + c.bytesRead(), 0);
  }

  async write(startAt: number, warmup: boolean): Promise<void> {
    const from = startAt - now();
    await Promise.all(
      this.spec.writers.map((w) => {
        // Warm-up edits are numbered before the window's, so every edit has a key of its own.
        const count = warmup ? w.warmupEdits : w.edits;
        const first = warmup ? 0 : w.warmupEdits;
        return paced(count, w.intervalMs, from + w.offsetMs, (j) =>
          edit(this.clients[w.local]!, first + j, w.tag),
        );
      }),
    );
  }

  drained(timeoutMs: number, warmup: boolean): Promise<boolean> {
    const expected = warmup ? this.spec.warmupExpected : this.spec.expected;
    return waitUntil(() => this.delivered >= expected, timeoutMs);
  }

  async reset(): Promise<void> {
    this.delivered = 0;
    this.last = 0;
    this.lat.clear();
    this.loopDelay.reset();
  }

  converge(ref: string, timeoutMs: number): Promise<Convergence> {
    return clientsConverge(this.clients, ref, timeoutMs);
  }

  async result(): Promise<PartResult> {
    return {
      delivered: this.delivered,
      last: this.last,
      latencies: this.lat.values(),
      loopDelayP99Ms: this.loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: this.loopDelay.max / 1e6,
    };
  }

  async close(): Promise<void> {
    this.loopDelay.disable();
    for (const c of this.clients) c.terminate();
  }
}

// ---- a part in a worker thread -------------------------------------------------------------

type Op = 'connect' | 'bytesRead' | 'write' | 'drained' | 'reset' | 'converge' | 'result' | 'close';
interface Call {
  id: number;
  op: Op;
  args: unknown[];
}
type Reply = { id: number; value: unknown } | { id: number; error: string };

/** A part in its own worker thread; every call is a message, answered in order of completion. */
export class ThreadPart implements PartApi {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<
    number,
    { ok: (v: unknown) => void; fail: (e: Error) => void }
  >();
  private dead: Error | null = null;

  constructor(spec: PartSpec) {
    // The load generator runs under tsx; a worker registers it before loading this file.
    const url = new URL(import.meta.url);
    this.worker = new Worker(
      `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`,
      { eval: true, workerData: { benchPart: spec } },
    );
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if ('error' in r) p.fail(new Error(r.error));
      else p.ok(r.value);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.fail(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`load thread exited (${code})`)));
  }

  private call<T>(op: Op, ...args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<T>((ok, fail) => {
      this.pending.set(id, { ok: ok as (v: unknown) => void, fail });
      this.worker.postMessage({ id, op, args } satisfies Call);
    });
  }

  connect = () => this.call<string[]>('connect');
  bytesRead = () => this.call<number>('bytesRead');
  write = (startAt: number, warmup: boolean) => this.call<void>('write', startAt, warmup);
  drained = (timeoutMs: number, warmup: boolean) =>
    this.call<boolean>('drained', timeoutMs, warmup);
  reset = () => this.call<void>('reset');
  converge = (ref: string, timeoutMs: number) => this.call<Convergence>('converge', ref, timeoutMs);
  result = () => this.call<PartResult>('result');
  async close(): Promise<void> {
    if (!this.dead) await this.call<void>('close').catch(() => undefined);
    await this.worker.terminate();
  }
}

/** Spreads `count` global indices over `parts` parts round-robin: global i → part i % parts. */
export function roundRobin(count: number, parts: number): number[][] {
  const out: number[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < count; i++) out[i % parts]!.push(i);
  return out;
}

/** Starts part 0 on this thread and the others in worker threads. */
export function startParts(specs: PartSpec[]): PartApi[] {
  return specs.map((s, i) => (i === 0 ? new LocalPart(s) : new ThreadPart(s)));
}

function serve(port: MessagePort, part: LocalPart): void {
  const ops: Record<Op, (...a: never[]) => Promise<unknown>> = {
    connect: () => part.connect(),
    bytesRead: () => part.bytesRead(),
    write: (startAt: number, warmup: boolean) => part.write(startAt, warmup),
    drained: (t: number, warmup: boolean) => part.drained(t, warmup),
    reset: () => part.reset(),
    converge: (ref: string, t: number) => part.converge(ref, t),
    result: () => part.result(),
    close: () => part.close(),
  };
  port.on('message', (c: Call) => {
    (ops[c.op] as (...a: unknown[]) => Promise<unknown>)(...c.args).then(
      (value) => {
        const transfer = value && typeof value === 'object' && 'latencies' in value;
        port.postMessage(
          { id: c.id, value } satisfies Reply,
          transfer ? [(value as PartResult).latencies.buffer as ArrayBuffer] : [],
        );
      },
      (err: unknown) =>
        port.postMessage({ id: c.id, error: String((err as Error).stack ?? err) } satisfies Reply),
    );
  });
}

if (!isMainThread && parentPort && workerData?.benchPart) {
  serve(parentPort, new LocalPart(workerData.benchPart as PartSpec));
}
