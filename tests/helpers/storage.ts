/**
 * Storage test doubles: the real SqliteStorage with a few calls made slow or failing on demand.
 * (Subclasses, so every other call is the real thing whatever the Storage interface grows.)
 */
import { SqliteStorage, type SqliteStorageOptions } from '../../server/storage/sqlite.js';
import {
  type ClientBinding,
  type ReportRecord,
  type Snapshot,
  StorageError,
  type StoredDocument,
} from '../../server/storage/types.js';

/** A promise the test opens by hand. */
export class Gate {
  private opener!: () => void;
  readonly opened: Promise<void> = new Promise((resolve) => {
    this.opener = resolve;
  });
  isOpen = false;

  open(): void {
    this.isOpen = true;
    this.opener();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TestStorage extends SqliteStorage {
  /** loadDocument waits this long, then for `loadGate` (when set), then reads. */
  loadDelayMs = 0;
  loadGate: Gate | null = null;
  /** compact waits for this gate (when set) before writing. */
  compactGate: Gate | null = null;
  /** While true, appendUpdate / loadDocument / ping / createReport reject with a StorageError. */
  failAppends = false;
  failLoad = false;
  failPing = false;
  failCreate = false;
  /** appendUpdate resolves only once this gate is open (the write itself happens first). */
  appendGate: Gate | null = null;

  loadCalls = 0;
  loadsCompleted = 0;
  compactCalls = 0;
  compactsCompleted = 0;
  appendCalls = 0;
  failedAppends = 0;
  appendsResolved = 0;

  constructor(options: SqliteStorageOptions) {
    super(options);
  }

  override async loadDocument(id: string): Promise<StoredDocument | null> {
    this.loadCalls++;
    if (this.failLoad) throw new StorageError('loadDocument failed: injected fault');
    if (this.loadDelayMs > 0) await sleep(this.loadDelayMs);
    if (this.loadGate) await this.loadGate.opened;
    const doc = await super.loadDocument(id);
    this.loadsCompleted++;
    return doc;
  }

  override async appendUpdate(
    reportId: string,
    update: Uint8Array,
    binding?: ClientBinding,
  ): Promise<number> {
    this.appendCalls++;
    if (this.failAppends) {
      this.failedAppends++;
      throw new StorageError('appendUpdate failed: injected fault (disk full)');
    }
    const seq = await super.appendUpdate(reportId, update, binding);
    if (this.appendGate) await this.appendGate.opened;
    this.appendsResolved++;
    return seq;
  }

  override async compact(reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    this.compactCalls++;
    if (this.compactGate) await this.compactGate.opened;
    await super.compact(reportId, snapshot, throughSeq);
    this.compactsCompleted++;
  }

  override async ping(): Promise<void> {
    if (this.failPing) throw new StorageError('ping failed: injected fault');
    return super.ping();
  }

  override async createReport(record: ReportRecord, initialUpdate: Uint8Array): Promise<void> {
    if (this.failCreate) throw new StorageError('createReport failed: injected fault');
    return super.createReport(record, initialUpdate);
  }
}
