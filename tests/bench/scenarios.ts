import type { Scenario } from './types.js';

/** Unload grace Concord gets in the coldload scenario, and the wait after the last client left. */
export function unloadTiming(smoke: boolean): { concordGraceMs: number; waitMs: number } {
  return smoke ? { concordGraceMs: 100, waitMs: 600 } : { concordGraceMs: 250, waitMs: 1500 };
}

/**
 * Threads the load generator spreads fanout's readers and storm's clients over. One thread
 * applying 20,000 updates a second is saturated (about 40 µs each on this 2-core machine), and
 * its queueing would then set every target's latency tail; two threads run at about half a core
 * each, leaving the server the rest.
 */
export const LOAD_THREADS = 2;

/**
 * Fanout and storm first edit for this long at their own pace, outside the measured window (the
 * load generator's `runParts`). The first edits to reach hundreds of fresh documents were the
 * slowest of a run for every target, and a p99 over 200 edits is set by its 2 slowest.
 */
export const WARMUP_MS = 1000;

/** The scenarios of a full run (issue: fanout, storm, presence, coldload, connect). */
export function fullScenarios(): Scenario[] {
  const fanout = (readers: number): Scenario => ({
    id: `fanout:${readers}`,
    params: {
      kind: 'fanout',
      readers,
      editsPerSec: 20,
      durationMs: 10_000,
      drainMs: 15_000,
      connectConcurrency: 50,
      loadThreads: LOAD_THREADS,
      warmupMs: WARMUP_MS,
    },
    budgetMs: 120_000,
  });
  const presence = (clients: number): Scenario => ({
    id: `presence:${clients}`,
    params: {
      kind: 'presence',
      clients,
      observers: 10,
      intervalMs: 1000,
      durationMs: 10_000,
      drainMs: 15_000,
      connectConcurrency: 50,
    },
    budgetMs: 120_000,
  });
  return [
    fanout(10),
    fanout(100),
    fanout(500),
    fanout(1000),
    {
      id: 'storm',
      params: {
        kind: 'storm',
        clients: 100,
        writers: 20,
        editsPerSecPerWriter: 10,
        durationMs: 10_000,
        drainMs: 15_000,
        connectConcurrency: 50,
        loadThreads: LOAD_THREADS,
        warmupMs: WARMUP_MS,
      },
      budgetMs: 120_000,
    },
    // 500 is the size: every server saturates (250,000 awareness messages/s to deliver);
    // 100 shows the same work at a rate all of them sustain.
    presence(100),
    presence(500),
    {
      id: 'coldload',
      params: {
        kind: 'coldload',
        edits: 50_000,
        editChars: 20,
        batch: 250,
        loads: 5,
        unloadWaitMs: unloadTiming(false).waitMs,
        syncTimeoutMs: 60_000,
      },
      budgetMs: 240_000,
    },
    {
      id: 'connect',
      params: { kind: 'connect', clients: 1000, concurrency: 50, seedEdits: 100, settleMs: 1000 },
      budgetMs: 120_000,
    },
  ];
}

/** Tiny versions of the same, for `--smoke`: correctness only, never a timing. */
export function smokeScenarios(): Scenario[] {
  return [
    {
      id: 'fanout:5',
      params: {
        kind: 'fanout',
        readers: 5,
        editsPerSec: 20,
        durationMs: 500,
        drainMs: 8000,
        connectConcurrency: 5,
        loadThreads: LOAD_THREADS,
        warmupMs: 200,
      },
      budgetMs: 30_000,
    },
    {
      id: 'storm',
      params: {
        kind: 'storm',
        clients: 6,
        writers: 3,
        editsPerSecPerWriter: 10,
        durationMs: 500,
        drainMs: 8000,
        connectConcurrency: 6,
        loadThreads: LOAD_THREADS,
        warmupMs: 200,
      },
      budgetMs: 30_000,
    },
    {
      id: 'presence:10',
      params: {
        kind: 'presence',
        clients: 10,
        observers: 3,
        intervalMs: 300,
        durationMs: 600,
        drainMs: 8000,
        connectConcurrency: 10,
      },
      budgetMs: 30_000,
    },
    {
      id: 'coldload',
      params: {
        kind: 'coldload',
        edits: 500,
        editChars: 20,
        batch: 100,
        loads: 1,
        unloadWaitMs: unloadTiming(true).waitMs,
        syncTimeoutMs: 10_000,
      },
      budgetMs: 30_000,
    },
    {
      id: 'connect',
      params: { kind: 'connect', clients: 20, concurrency: 10, seedEdits: 10, settleMs: 50 },
      budgetMs: 30_000,
    },
  ];
}
