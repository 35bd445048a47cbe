/**
 * The document registry: at most one LiveReport per report, loaded once however many clients
 * connect at the same moment, unloaded after the last client leaves plus a grace period. A
 * client that arrives while the report is unloading waits for the unload to finish (every
 * pending write flushed) and then gets a fresh load: no write is lost in between.
 */
import type { FastifyBaseLogger } from 'fastify';
import { CloseCode } from '../../shared/protocol.js';
import type { Storage } from '../storage/types.js';
import { LiveReport } from './live-report.js';

export class UnknownReportError extends Error {
  override name = 'UnknownReportError';
}

export interface RegistryOptions {
  storage: Storage;
  log: FastifyBaseLogger;
  unloadGraceMs: number;
  compactEvery: number;
  presenceBatchMs: number;
  /** Shared types besides the report that clients may write unchecked (CONCORD_SCRATCH_ROOTS). */
  scratchRoots?: readonly string[];
  /**
   * Ids of the report's locked paragraphs (agreed, under silence), read each time the report
   * loads, before any client gets a reply. Without it nothing is locked until `setLocks`.
   */
  locks?: (reportId: string) => Promise<ReadonlySet<string>>;
}

export class ReportRegistry {
  private readonly live = new Map<string, Promise<LiveReport>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Reports that finished loading and are still in memory. */
  private readonly ready = new Map<string, LiveReport>();
  /** Locks set while the report was loading: newer than what the load read. */
  private readonly locksDuringLoad = new Map<string, ReadonlySet<string>>();
  /** How many times a report was loaded from storage (observable for tests and metrics). */
  loads = 0;
  private closing = false;

  private readonly scratchRoots: ReadonlySet<string>;

  constructor(private readonly options: RegistryOptions) {
    this.scratchRoots = new Set(options.scratchRoots ?? []);
  }

  /** Reports currently in memory. */
  get openCount(): number {
    return this.live.size;
  }

  /** The live report, loading it if needed. Rejects with UnknownReportError or a StorageError. */
  async acquire(id: string): Promise<LiveReport> {
    for (;;) {
      const unloading = this.unloading.get(id);
      if (!unloading) break;
      await unloading;
    }
    let pending = this.live.get(id);
    if (!pending) {
      pending = this.load(id);
      this.live.set(id, pending);
      const mine = pending;
      pending.catch(() => {
        if (this.live.get(id) === mine) this.live.delete(id);
      });
    }
    const report = await pending;
    this.cancelUnload(id);
    return report;
  }

  /**
   * Runs `fn` on the live report (loading it if needed) and lets the registry unload it again
   * afterwards when no client holds it (headless use: export, validation).
   */
  async withReport<T>(id: string, fn: (report: LiveReport) => T | Promise<T>): Promise<T> {
    const report = await this.acquire(id);
    report.holds++;
    try {
      return await fn(report);
    } finally {
      report.holds--;
      if (report.peers.size === 0 && report.holds === 0) this.scheduleUnload(report);
    }
  }

  /**
   * Replaces the locked paragraph ids of a report in memory (see LiveReport.setLocks); does
   * nothing when the report is not loaded (its next load reads them through `options.locks`).
   */
  setLocks(reportId: string, ids: ReadonlySet<string>): void {
    const report = this.ready.get(reportId);
    if (report) report.setLocks(ids);
    else if (this.live.has(reportId)) this.locksDuringLoad.set(reportId, ids);
  }

  private async load(id: string): Promise<LiveReport> {
    let stored: Awaited<ReturnType<Storage['loadDocument']>>;
    let locks: ReadonlySet<string> | undefined;
    try {
      [stored, locks] = await Promise.all([
        this.options.storage.loadDocument(id),
        this.options.locks?.(id),
      ]);
    } catch (err) {
      this.locksDuringLoad.delete(id);
      throw err;
    }
    const newer = this.locksDuringLoad.get(id);
    this.locksDuringLoad.delete(id);
    if (!stored) throw new UnknownReportError(`no report ${id}`);
    this.loads++;
    const report = new LiveReport(id, stored, {
      storage: this.options.storage,
      log: this.options.log,
      compactEvery: this.options.compactEvery,
      presenceBatchMs: this.options.presenceBatchMs,
      scratchRoots: this.scratchRoots,
      onFault: (report) => this.evict(report),
      onEmpty: (report) => this.scheduleUnload(report),
    });
    const initial = newer ?? locks;
    if (initial) report.setLocks(initial);
    this.ready.set(id, report);
    return report;
  }

  private cancelUnload(id: string): void {
    const timer = this.timers.get(id);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(id);
    }
  }

  private scheduleUnload(report: LiveReport): void {
    if (this.closing || report.hasFailed) return;
    this.cancelUnload(report.id);
    const timer = setTimeout(() => {
      this.timers.delete(report.id);
      if (report.peers.size === 0 && report.holds === 0) void this.unload(report);
    }, this.options.unloadGraceMs);
    timer.unref();
    this.timers.set(report.id, timer);
  }

  private unload(report: LiveReport): Promise<void> {
    this.live.delete(report.id);
    if (this.ready.get(report.id) === report) this.ready.delete(report.id);
    const done = report
      .unload()
      .catch((err: unknown) => this.options.log.error({ report: report.id, err }, 'unload failed'))
      .finally(() => this.unloading.delete(report.id));
    this.unloading.set(report.id, done);
    return done;
  }

  /** Drops a report whose storage failed; its clients reconnect and resend what they hold. */
  private evict(report: LiveReport): void {
    this.cancelUnload(report.id);
    this.live.delete(report.id);
    if (this.ready.get(report.id) === report) this.ready.delete(report.id);
    for (const peer of [...report.peers]) {
      peer.close(CloseCode.StorageUnavailable, 'storage unavailable, retrying');
    }
    report.destroy();
  }

  /** Closes every socket (1001), flushes and unloads every report. */
  async close(): Promise<void> {
    this.closing = true;
    for (const id of [...this.timers.keys()]) this.cancelUnload(id);
    const reports = await Promise.allSettled([...this.live.values()]);
    const unloads: Promise<void>[] = [];
    for (const r of reports) {
      if (r.status !== 'fulfilled') continue;
      for (const peer of [...r.value.peers])
        peer.close(CloseCode.GoingAway, 'server shutting down');
      unloads.push(this.unload(r.value));
    }
    await Promise.all([...unloads, ...this.unloading.values()]);
  }
}
