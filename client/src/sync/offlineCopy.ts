/**
 * The report's copy in this browser (IndexedDB, through y-indexeddb): every change to the Y.Doc
 * is written there as it happens, so text typed offline, or not yet confirmed by the server,
 * survives a closed tab or a reload and is sent when the report is opened again. One database
 * per user, report and schema version (another person on the same browser never loads it; an
 * older schema's copy is not read), all of them deleted at logout.
 *
 * It also remembers which Yjs client ids wrote here with changes the server had not confirmed
 * (`pendingClients`): after a reopen the page has a new client id, and the old ones' changes
 * still count as waiting until the server has them (see ownPending).
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { SCHEMA_VERSION } from '../../../shared/schema.js';

const PREFIX = 'concord-report';
/** A copy that takes longer than this to open is not waited for (the page goes on without it). */
const OPEN_TIMEOUT_MS = 3_000;
const CLIENTS_KEY = 'pendingClients';

/** Databases being deleted, by name: a copy opened meanwhile waits for the deletion. */
const deleting = new Map<string, Promise<void>>();

export function copyName(userId: string, reportId: string): string {
  return `${PREFIX}/${SCHEMA_VERSION}/${userId}/${reportId}`;
}

/**
 * Client ids whose changes in `doc` go beyond what the server is known to hold: `confirmed(c)`
 * is the highest clock of c the server has confirmed (durable, or already held at connection).
 */
export function ownPending(
  clients: Iterable<number>,
  localClock: (client: number) => number,
  confirmed: (client: number) => number,
): number[] {
  return [...clients].filter((c) => localClock(c) > confirmed(c));
}

export class OfflineCopy {
  private persistence: IndexeddbPersistence | null = null;
  private destroyed = false;
  /** The stored list of client ids was read: from now on it may be written. */
  private ready = false;
  /** Client ids that wrote here with changes not yet confirmed (this page's included). */
  readonly clients = new Set<number>();
  /** Resolves once the stored copy is in the doc (or could not be read in time). */
  readonly loaded: Promise<void>;

  constructor(
    readonly name: string,
    private readonly doc: Y.Doc,
  ) {
    this.loaded = this.open();
  }

  private async open(): Promise<void> {
    await deleting.get(this.name);
    if (this.destroyed || typeof indexedDB === 'undefined') return;
    try {
      const persistence = new IndexeddbPersistence(this.name, this.doc);
      this.persistence = persistence;
      const timeout = new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS),
      );
      const raw: unknown = await Promise.race([
        persistence.whenSynced.then(() => persistence.get(CLIENTS_KEY)),
        timeout,
      ]);
      const stored: unknown = typeof raw === 'string' ? JSON.parse(raw) : null;
      if (Array.isArray(stored)) {
        for (const c of stored) if (typeof c === 'number') this.clients.add(c);
      }
    } catch {
      // No IndexedDB (a private window, a full disk): the page works as before, in memory only.
      this.persistence = null;
    }
    this.ready = true;
  }

  /** Writes the list of client ids with unconfirmed changes (when it changed). */
  saveClients(clients: readonly number[]): void {
    if (!this.ready || this.destroyed) return;
    const next = [...clients].sort((a, b) => a - b);
    const same = next.length === this.clients.size && next.every((c) => this.clients.has(c));
    if (same) return;
    this.clients.clear();
    for (const c of next) this.clients.add(c);
    this.persistence?.set(CLIENTS_KEY, JSON.stringify(next)).catch(() => {});
  }

  /** Stops writing; the stored copy stays for the next opening. */
  destroy(): void {
    this.destroyed = true;
    void this.persistence?.destroy();
    this.persistence = null;
  }

  /** Deletes the stored copy (it diverged from the server): the next opening starts afresh. */
  clear(): Promise<void> {
    this.destroyed = true;
    const persistence = this.persistence;
    this.persistence = null;
    return deleteCopy(this.name, persistence);
  }
}

/** Deletes a stored copy (closing it first when open); a copy opened meanwhile waits for it. */
export function deleteCopy(name: string, open: IndexeddbPersistence | null = null): Promise<void> {
  const done = (open ? open.clearData() : deleteDatabase(name))
    .catch(() => {})
    .finally(() => {
      if (deleting.get(name) === done) deleting.delete(name);
    });
  deleting.set(name, done);
  return done;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve();
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** Logging out: every report copy kept in this browser is deleted, whoever wrote it. */
export async function forgetAllCopies(): Promise<void> {
  if (typeof indexedDB === 'undefined' || !indexedDB.databases) return;
  const all = await indexedDB.databases().catch(() => []);
  await Promise.all(
    all
      .map((db) => db.name ?? '')
      .filter((name) => name.startsWith(`${PREFIX}/`))
      .map((name) => deleteDatabase(name)),
  );
}
