/**
 * Storage test doubles: the real storage of the engine under test (TEST_ENGINE) with a few calls
 * made slow or failing on demand. Only those calls are replaced, on the instance, so every other
 * call is the real thing whatever the Storage interface grows.
 */
import {
  type Appended,
  type ClientBinding,
  type ReportRecord,
  type Snapshot,
  type Storage,
  StorageError,
  type StoredDocument,
} from '../../server/storage/types.js';
import { openEngine, TEST_ENGINE, type TestEngine } from './engines.js';

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

export interface FaultControls {
  /** loadDocument waits this long, then for `loadGate` (when set), then reads. */
  loadDelayMs: number;
  loadGate: Gate | null;
  /** compact waits for this gate (when set) before writing. */
  compactGate: Gate | null;
  /** While true, appendUpdate / loadDocument / ping / createReport reject with a StorageError. */
  failAppends: boolean;
  failLoad: boolean;
  failPing: boolean;
  failCreate: boolean;
  /** appendUpdate resolves only once this gate is open (the write itself happens first). */
  appendGate: Gate | null;
  loadCalls: number;
  loadsCompleted: number;
  compactCalls: number;
  compactsCompleted: number;
  appendCalls: number;
  failedAppends: number;
  appendsResolved: number;
}

export type TestStorage = Storage & FaultControls;

/** `storage`, with its fault controls installed. */
export function withFaults(storage: Storage): TestStorage {
  const real = {
    loadDocument: storage.loadDocument.bind(storage),
    appendUpdate: storage.appendUpdate.bind(storage),
    compact: storage.compact.bind(storage),
    ping: storage.ping.bind(storage),
    createReport: storage.createReport.bind(storage),
  };
  const s = Object.assign(storage, {
    loadDelayMs: 0,
    loadGate: null,
    compactGate: null,
    failAppends: false,
    failLoad: false,
    failPing: false,
    failCreate: false,
    appendGate: null,
    loadCalls: 0,
    loadsCompleted: 0,
    compactCalls: 0,
    compactsCompleted: 0,
    appendCalls: 0,
    failedAppends: 0,
    appendsResolved: 0,
  } satisfies FaultControls) as TestStorage;
  s.loadDocument = async (id: string): Promise<StoredDocument | null> => {
    s.loadCalls++;
    if (s.failLoad) throw new StorageError('loadDocument failed: injected fault');
    if (s.loadDelayMs > 0) await sleep(s.loadDelayMs);
    if (s.loadGate) await s.loadGate.opened;
    const doc = await real.loadDocument(id);
    s.loadsCompleted++;
    return doc;
  };
  s.appendUpdate = async (
    reportId: string,
    seq: number,
    update: Uint8Array,
    binding?: ClientBinding,
  ): Promise<Appended> => {
    s.appendCalls++;
    if (s.failAppends) {
      s.failedAppends++;
      throw new StorageError('appendUpdate failed: injected fault (disk full)');
    }
    const appended = await real.appendUpdate(reportId, seq, update, binding);
    if (s.appendGate) await s.appendGate.opened;
    s.appendsResolved++;
    return appended;
  };
  s.compact = async (reportId: string, snapshot: Snapshot, throughSeq: number): Promise<void> => {
    s.compactCalls++;
    if (s.compactGate) await s.compactGate.opened;
    await real.compact(reportId, snapshot, throughSeq);
    s.compactsCompleted++;
  };
  s.ping = async (): Promise<void> => {
    if (s.failPing) throw new StorageError('ping failed: injected fault');
    return real.ping();
  };
  s.createReport = async (record: ReportRecord, initialUpdate: Uint8Array): Promise<void> => {
    if (s.failCreate) throw new StorageError('createReport failed: injected fault');
    return real.createReport(record, initialUpdate);
  };
  return s;
}

/** The engine under test on `dataDir` (a PostgreSQL database standing for it), with fault controls. */
export async function openTestStorage(
  dataDir: string,
  engine: TestEngine = TEST_ENGINE,
): Promise<TestStorage> {
  return withFaults((await openEngine(engine, dataDir)).storage);
}
