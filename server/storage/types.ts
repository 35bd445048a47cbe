/**
 * The storage interface. SQLite (embedded default) implements it now; PostgreSQL will for
 * deployments that outgrow one process. Every call is asynchronous even where SQLite answers
 * synchronously, and every write that must be atomic is one call (one transaction), so the
 * networked implementation fits the same shape. One contract suite (tests/contract) runs
 * against every implementation.
 */
import type { TemplateId } from '../../shared/templates.js';

export interface ReportRecord {
  id: string;
  title: string;
  template: TemplateId;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** A whole document as one Yjs update, with its state vector (kept so a cold load needs no parse). */
export interface Snapshot {
  update: Uint8Array;
  stateVector: Uint8Array;
}

/** What is needed to rebuild a report's Y.Doc: the latest snapshot and the updates after it. */
export interface StoredDocument {
  snapshot: Snapshot | null;
  /** Updates appended after the snapshot, in append order. */
  updates: Uint8Array[];
  /** Sequence number of the last update included (snapshot or log); 0 when empty. */
  lastSeq: number;
}

export interface Storage {
  readonly kind: string;
  /** Resolves when the storage answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** Creates the report row and its first update (the template) in one transaction. */
  createReport(record: ReportRecord, initialUpdate: Uint8Array): Promise<void>;
  getReport(id: string): Promise<ReportRecord | null>;
  listReports(): Promise<ReportRecord[]>;
  /** Renames; null when the report does not exist. */
  renameReport(id: string, title: string, at: string): Promise<ReportRecord | null>;
  /** null when the report does not exist. */
  loadDocument(id: string): Promise<StoredDocument | null>;
  /**
   * Appends one Yjs update; resolves with its sequence number once it is durable. Appends
   * arriving together share one commit. Rejects when the commit failed (nothing was written).
   */
  appendUpdate(reportId: string, update: Uint8Array): Promise<number>;
  /**
   * Replaces the snapshot with `snapshot` (which includes every update up to `throughSeq`) and
   * drops those updates, in one transaction.
   */
  compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void>;
  /** Flushes pending appends and releases the storage. */
  close(): Promise<void>;
}

/** Thrown for a storage fault, so callers can tell it from bad input. */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}
