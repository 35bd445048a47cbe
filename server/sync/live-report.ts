/**
 * One open report: its Y.Doc, its presence (awareness) and the sockets connected to it.
 *
 * Durability before broadcast: every change to the document is appended to storage, and nothing
 * that depends on it (the broadcast to other clients, a sync reply, a Saved acknowledgement) leaves
 * the server until that append has committed. Sends are ordered behind the last pending append
 * (the "barrier"); while nothing is pending they go out at once.
 *
 * Cold loads are cheap: a report loaded from a snapshot keeps the snapshot's bytes and serves
 * sync replies from them; the Y.Doc is built only when someone actually changes the text.
 */
import type { FastifyBaseLogger } from 'fastify';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  DUPLICATE_ID_NOTICE,
  LOCKED_EDIT_NOTICE,
  RESYNC_NOTICE,
  SCHEMA_NOTICE,
  UNAPPLIED_NOTICE,
} from '../../shared/consensus.js';
import { distinctPresenceColor } from '../../shared/presence.js';
import {
  encodeSaved,
  MessageType,
  type PresenceUser,
  type SavedClock,
  type ServerNotice,
} from '../../shared/protocol.js';
import { REPORT_FRAGMENT, SCHEMA_VERSION } from '../../shared/schema.js';
import { DOCUMENT_META, upgradeDocument } from '../../shared/upgrade.js';
import {
  type ClientBinding,
  type Storage,
  StorageError,
  type StoredDocument,
} from '../storage/types.js';
import { binaryFrame } from './frame.js';
import { type GuardDecision, UpdateGuard } from './guard.js';
import { repairDropped } from './repair.js';
import type { SyncReplies } from './sync-replies.js';
import { checkUpdate, deletesSomethingNew } from './validate.js';
import {
  type ClientMessage,
  checkStateVector,
  encodeAwareness,
  encodeSyncStep1,
  encodeUpdate,
  isEmptyStateVector,
  isEmptyUpdate,
  syncStep2Head,
} from './wire.js';

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/** A connection as a report sees it. */
export interface Peer {
  /** Yjs clientID the peer asked Saved messages about, or null (stock clients). */
  readonly savedClient: number | null;
  /** What this connection was already sent in answer to SyncStep1 (sync-replies.ts). */
  readonly syncReplies: SyncReplies;
  /** Client ids whose content this peer has sent in this session. */
  readonly writtenClients: Set<number>;
  /** Awareness client ids this peer has published. */
  readonly awarenessIds: Set<number>;
  readonly userId: string;
  /** May this peer change the text (permission matrix)? */
  readonly canEdit: boolean;
  /** Did the client declare the current schema version? If not, it may only read. */
  readonly schemaCurrent: boolean;
  /** What the server stamps onto this peer's presence. */
  readonly identity: { presence: PresenceUser };
  /** The one awareness client id this peer may publish (bound on first use). */
  presenceClient: number | null;
  /** False when the peer is over its presence rate. */
  allowPresence(): boolean;
  /** The latest presence that arrived over the rate, applied when the rate allows. */
  deferredPresence: { update: Uint8Array; frame: Uint8Array } | null;
  /** Tells the user why something was refused (Concord clients only, once per kind). */
  notify(notice: ServerNotice): void;
  /** Records a refused write (audit + log). */
  refused(action: string, detail: Record<string, unknown>): void;
  send(data: Uint8Array): void;
  /** Sends `head` and `body` as one message without joining them (for large messages). */
  sendInParts(head: Uint8Array, body: Uint8Array): void;
  /** Sends a frame built once for many recipients (see frame.ts); `payload` is its content. */
  sendFrame(frame: Buffer, payload: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** A message that is not a well-formed part of the protocol (close code 1003). */
export class MalformedError extends Error {
  override name = 'MalformedError';
}

export interface LiveReportDeps {
  storage: Storage;
  log: FastifyBaseLogger;
  compactEvery: number;
  /** Presence changes are gathered for this long and sent as one message (0: send each at once). */
  presenceBatchMs: number;
  /** Shared types besides the report that clients may write unchecked (tests, benchmarks). */
  scratchRoots?: ReadonlySet<string>;
  /** The storage failed: the registry must drop this report now. */
  onFault(report: LiveReport, err: Error): void;
  /** The last peer left. */
  onEmpty(report: LiveReport): void;
}

/**
 * Who made a change: the origin the report gives its Yjs and awareness transactions. A client's
 * update carries what the author must be sent back (the retraction of what the guard refused);
 * a presence change names its peer. Any other origin (a server route, the load's upgrade) is the
 * server's own change, broadcast to everyone.
 */
export type ChangeOrigin =
  | {
      readonly kind: 'client';
      readonly peer: Peer;
      /** For the author only: deletes what the guard refused (guard.ts), or null. */
      readonly retract: Uint8Array | null;
    }
  | { readonly kind: 'presence'; readonly peer: Peer };

/** Origins this report made (anything else is not a ChangeOrigin). */
const origins = new WeakSet<object>();

function changeOrigin(origin: ChangeOrigin): ChangeOrigin {
  origins.add(origin);
  return origin;
}

function originOf(origin: unknown): ChangeOrigin | null {
  return typeof origin === 'object' && origin !== null && origins.has(origin)
    ? (origin as ChangeOrigin)
    : null;
}

function clientOrigin(origin: unknown) {
  const o = originOf(origin);
  return o?.kind === 'client' ? o : null;
}

/** How soon a presence that arrived over the rate is tried again. */
const PRESENCE_RETRY_MS = 150;

/** Largest presence message accepted; larger ones are dropped. */
export const MAX_PRESENCE_BYTES = 8 * 1024;

type RefusalCode = Exclude<ServerNotice['code'], 'presence-color'>;

/** What the user is told when a change from their page is refused, by kind. */
const REFUSAL_TEXT: Readonly<Record<RefusalCode, string>> = {
  'read-only': 'Your role in this group is read-only: your changes were not saved.',
  'foreign-client-id':
    'Some of the changes from this page were made under another user’s identity and were not saved.',
  locked: LOCKED_EDIT_NOTICE,
  'duplicate-id': DUPLICATE_ID_NOTICE,
  schema: SCHEMA_NOTICE,
  resync: RESYNC_NOTICE,
  unapplied: UNAPPLIED_NOTICE,
  'schema-version':
    'This page does not say which version of the document it knows: reload Concord to edit (your changes were not saved).',
};

/** y-websocket's permission-denied message: [messageAuth, 0, reason]. */
function permissionDenied(reason: string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Auth);
  encoding.writeVarUint(enc, 0);
  encoding.writeVarString(enc, reason);
  return encoding.toUint8Array(enc);
}

function encodeOneAwareness(clientId: number, clock: number, state: unknown): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 1);
  encoding.writeVarUint(enc, clientId);
  encoding.writeVarUint(enc, clock);
  encoding.writeVarString(enc, JSON.stringify(state));
  return encoding.toUint8Array(enc);
}

function samePresence(a: unknown, b: PresenceUser): boolean {
  if (typeof a !== 'object' || a === null) return false;
  const u = a as Record<string, unknown>;
  return (
    Object.keys(u).length === 4 &&
    u['name'] === b.name &&
    u['color'] === b.color &&
    u['role'] === b.role &&
    u['represents'] === b.represents
  );
}

/** A durable update on its way out: to everyone but `except`, and `toExcept` to `except`. */
interface DurableUpdate {
  update: Uint8Array;
  except: Peer | null;
  toExcept: Uint8Array | null;
}

/** Most bytes of quarantined content written to the log (an operator can recover them). */
const QUARANTINE_LOG_BYTES = 64 * 1024;

/**
 * Takes out of `doc` what a stored log held with missing dependencies (Yjs parks it, to integrate
 * it later inside whichever transaction brings the dependency, under that client's origin and
 * past the guard). It is never applied; its bytes go to the log.
 */
function quarantine(doc: Y.Doc, reportId: string, log: FastifyBaseLogger): void {
  const parts = [doc.store.pendingStructs?.update, doc.store.pendingDs].filter(
    (u): u is Uint8Array => u instanceof Uint8Array,
  );
  doc.store.pendingStructs = null;
  doc.store.pendingDs = null;
  const bytes = parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
  log.error(
    {
      report: reportId,
      bytes: bytes.length,
      quarantined:
        bytes.length <= QUARANTINE_LOG_BYTES ? Buffer.from(bytes).toString('base64') : undefined,
    },
    'stored log has updates with missing dependencies: quarantined, never applied',
  );
}

/**
 * Deletes, as the server's own change, whatever a stored document holds under a root key the
 * sync channel refuses (stored before it did): no reader knows it, and it went to every client.
 * Returns the keys it emptied.
 */
function clearForeignRoots(doc: Y.Doc, scratch: ReadonlySet<string>): string[] {
  const foreign: Y.Item[] = [];
  const keys: string[] = [];
  for (const [key, type] of doc.share) {
    if (key === REPORT_FRAGMENT || key === DOCUMENT_META || scratch.has(key)) continue;
    const live: Y.Item[] = [];
    for (let item = type._start; item !== null; item = item.right)
      if (!item.deleted) live.push(item);
    for (const item of type._map.values()) if (!item.deleted) live.push(item);
    if (live.length > 0) keys.push(key);
    foreign.push(...live);
  }
  if (foreign.length > 0)
    doc.transact((tr) => {
      for (const item of foreign) item.delete(tr);
    });
  return keys;
}

export class LiveReport {
  readonly peers = new Set<Peer>();
  /** Server-side work in progress on this report without a socket (exports); it stays loaded. */
  holds = 0;
  readonly awareness: awarenessProtocol.Awareness;
  private doc: Y.Doc | null = null;
  /** The whole document as one update, while no edit has made it stale. */
  private encodedState: Uint8Array | null = null;
  private encodedStateVector: Uint8Array | null = null;
  private inflight = 0;
  private barrier: Promise<unknown> = Promise.resolve();
  /** The last update seq known durable. */
  private lastSeq: number;
  /** The last update seq handed out: this report owns its log and numbers its appends. */
  private assignedSeq: number;
  private sinceCompaction = 0;
  private version = 0;
  private compacting: Promise<void> | null = null;
  /** Updates that are durable but not yet broadcast: those of one storage batch go out as one. */
  private durableUnsent: DurableUpdate[] = [];
  private failed = false;
  private destroyed = false;
  /** Yjs client id → the user who first wrote with it. */
  private readonly bindings: Map<number, string>;
  /** Bindings introduced by the update being applied, written with its append. */
  private pendingBinding: ClientBinding | undefined;
  /** Awareness client id → the user who first published with it in this report. */
  private readonly presenceOwners = new Map<number, string>();
  /** User id → their presence colour in this report (distinct among those present). */
  private readonly colors = new Map<string, string>();
  /** Presence entries changed since the last presence batch went out. */
  private readonly presenceDirty = new Set<number>();
  private presenceTimer: NodeJS.Timeout | null = null;
  /** Ids of the locked nodes, or null when none is locked (then no lock is checked). */
  private locks: ReadonlySet<string> | null = null;
  /** The locked ids storage holds (setLocks). */
  private storedLocks: ReadonlySet<string> = new Set();
  /** Locks taken by commands in progress (holdLock), with how many hold each. */
  private readonly heldLocks = new Map<string, number>();

  constructor(
    readonly id: string,
    stored: StoredDocument,
    private readonly deps: LiveReportDeps,
  ) {
    this.lastSeq = stored.lastSeq;
    this.assignedSeq = stored.lastSeq;
    this.bindings = stored.clientBindings;
    if (stored.snapshot && stored.updates.length === 0) {
      this.encodedState = stored.snapshot.update;
      this.encodedStateVector = stored.snapshot.stateVector;
    } else {
      const parts = stored.snapshot ? [stored.snapshot.update, ...stored.updates] : stored.updates;
      const doc = new Y.Doc();
      if (parts.length > 0)
        Y.applyUpdate(doc, parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts));
      if (doc.store.pendingStructs || doc.store.pendingDs) quarantine(doc, id, deps.log);
      this.adopt(doc);
      this.sinceCompaction = stored.updates.length;
    }
    const presenceDoc = new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(presenceDoc);
    this.awareness.setLocalState(null);
    // Track which presence entries each peer owns, from what the awareness actually applied.
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const o = originOf(origin);
      const peer = o?.kind === 'presence' ? o.peer : null;
      if (!peer || !this.peers.has(peer)) return;
      for (const id of added) peer.awarenessIds.add(id);
      for (const id of updated) peer.awarenessIds.add(id);
      for (const id of removed) peer.awarenessIds.delete(id);
    });
  }

  get loadedDocument(): boolean {
    return this.doc !== null;
  }

  /** The live Y.Doc, built from the snapshot on first need. */
  ydoc(): Y.Doc {
    if (!this.doc) {
      const doc = new Y.Doc();
      if (this.encodedState) Y.applyUpdate(doc, this.encodedState);
      if (doc.store.pendingStructs || doc.store.pendingDs) {
        quarantine(doc, this.id, this.deps.log);
        // The cached bytes still carry it: serve from the document from now on.
        this.encodedState = null;
        this.encodedStateVector = null;
      }
      this.adopt(doc);
    }
    return this.doc!;
  }

  /**
   * Makes `doc` the live document. A document stored by an older schema is upgraded here, as the
   * server's own change (stored and relayed like any other): see shared/upgrade.ts.
   */
  private adopt(doc: Y.Doc): void {
    doc.on('update', this.onDocUpdate);
    this.doc = doc;
    const foreign = clearForeignRoots(doc, this.deps.scratchRoots ?? new Set());
    if (foreign.length > 0)
      this.deps.log.warn(
        { report: this.id, keys: foreign.map((k) => k.slice(0, 64)) },
        'content outside the report (root keys the sync channel refuses) deleted at load',
      );
    const from = upgradeDocument(doc);
    if (from < SCHEMA_VERSION) {
      this.deps.log.info({ report: this.id, from, to: SCHEMA_VERSION }, 'document upgraded');
    }
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.encodedState = null;
    this.encodedStateVector = null;
    this.version++;
    const client = clientOrigin(origin);
    this.appendAndBroadcast(update, client?.peer ?? null, client?.retract ?? null);
  };

  /**
   * Appends `update` and, once it is durable, broadcasts it to every peer but `except`, and sends
   * `toExcept` (what the server added to it) to `except`.
   */
  private appendAndBroadcast(
    update: Uint8Array,
    except: Peer | null,
    toExcept: Uint8Array | null,
  ): void {
    this.inflight++;
    const binding = this.pendingBinding;
    this.pendingBinding = undefined;
    const appended = this.deps.storage.appendUpdate(this.id, ++this.assignedSeq, update, binding);
    this.barrier = appended;
    appended.then(
      ({ seq, lastOfCommit }) => {
        this.inflight--;
        if (this.failed) return;
        if (seq > this.lastSeq) this.lastSeq = seq;
        this.sinceCompaction++;
        // The updates that became durable in one commit are broadcast together, once storage says
        // this was the report's last of that commit.
        this.durableUnsent.push({ update, except, toExcept });
        if (lastOfCommit) this.broadcastDurable();
        this.maybeCompact();
      },
      (err: Error) => {
        this.inflight--;
        this.fail(err);
      },
    );
  }

  /**
   * Broadcasts the updates that became durable together. Usually that is one update. When updates
   * pile up (a busy room, a slow disk, a server that was not scheduled for a while) a batch holds
   * many, and they go out merged: one message per peer instead of one per update, so the server
   * sends, and every client applies, one update where it would have had a backlog to work through.
   * A peer whose update is in the batch gets the others' updates (and what the server added to
   * its own), never its own back.
   */
  private readonly broadcastDurable = (): void => {
    const batch = this.durableUnsent;
    this.durableUnsent = [];
    if (this.failed || this.destroyed) return;
    if (batch.length === 1) {
      const { update, except, toExcept } = batch[0]!;
      this.broadcast(encodeUpdate(update), except);
      if (toExcept && except && this.peers.has(except)) except.send(encodeUpdate(toExcept));
      return;
    }
    const authors = new Set<Peer>();
    for (const r of batch) if (r.except && this.peers.has(r.except)) authors.add(r.except);
    this.broadcast(encodeUpdate(Y.mergeUpdates(batch.map((r) => r.update))), authors);
    for (const author of authors) {
      const parts: Uint8Array[] = [];
      for (const r of batch) {
        if (r.except !== author) parts.push(r.update);
        else if (r.toExcept) parts.push(r.toExcept);
      }
      if (parts.length > 0)
        author.send(encodeUpdate(parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts)));
    }
  };

  /**
   * Replaces the set of locked node ids. What a peer's update would change inside a locked node
   * is refused before the update is applied (guard.ts). With an empty set no lock is checked.
   */
  setLocks(ids: ReadonlySet<string>): void {
    this.storedLocks = new Set(ids);
    this.updateLocks();
  }

  /**
   * Locks `id` now, before storage has it: a command that agrees a paragraph checks its text and
   * locks it in one synchronous step, so no edit can come between. Returns the release (call it
   * once the command is stored and setLocks has the outcome, or failed).
   */
  holdLock(id: string): () => void {
    this.heldLocks.set(id, (this.heldLocks.get(id) ?? 0) + 1);
    this.updateLocks();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.heldLocks.get(id) ?? 1) - 1;
      if (n > 0) this.heldLocks.set(id, n);
      else this.heldLocks.delete(id);
      this.updateLocks();
    };
  }

  private updateLocks(): void {
    const all = new Set(this.storedLocks);
    for (const id of this.heldLocks.keys()) all.add(id);
    this.locks = all.size > 0 ? all : null;
  }

  /** The locked ids (empty when none). */
  get lockedIds(): ReadonlySet<string> {
    return this.locks ?? new Set();
  }

  /**
   * Runs `read` on the document once every change applied to it is durable, in the same tick as
   * the check: what it reads is exactly what storage holds (revisions freeze this). Rejects when
   * the report failed (its storage refused an append).
   */
  async readDurable<T>(read: (doc: Y.Doc) => T): Promise<T> {
    for (;;) {
      if (this.failed || this.destroyed)
        throw new StorageError(`report ${this.id} is not available (storage failed)`);
      if (this.inflight === 0) return read(this.ydoc());
      await this.barrier.catch(() => {});
    }
  }

  /** Runs `send` once every change made so far is durable (at once when none is pending). */
  private afterDurable(send: () => void): void {
    if (this.inflight === 0) send();
    else
      this.barrier.then(
        () => {
          if (!this.failed) send();
        },
        () => {},
      );
  }

  /**
   * Applies a peer's presence within its rate. Over the rate, the latest state is kept and
   * applied as soon as the peer's budget allows, so a burst never loses the final cursor.
   */
  private applyPresence(peer: Peer, update: Uint8Array, frame: Uint8Array): void {
    if (!peer.allowPresence()) {
      const retry = !peer.deferredPresence;
      peer.deferredPresence = { update, frame };
      if (retry) {
        setTimeout(() => {
          const deferred = peer.deferredPresence;
          peer.deferredPresence = null;
          if (deferred && this.peers.has(peer) && !this.destroyed)
            this.applyPresence(peer, deferred.update, deferred.frame);
        }, PRESENCE_RETRY_MS).unref();
      }
      return;
    }
    awarenessProtocol.applyAwarenessUpdate(
      this.awareness,
      update,
      changeOrigin({ kind: 'presence', peer }),
    );
    if (this.deps.presenceBatchMs === 0) this.broadcast(frame, peer);
    else this.queuePresence([peer.presenceClient!]);
  }

  /**
   * Presence is batched: with N people each moving their cursor, sending every change at once
   * costs N² sends a second; gathering the changes of a short window into one message per
   * recipient costs N per window.
   */
  private queuePresence(ids: Iterable<number>): void {
    for (const id of ids) this.presenceDirty.add(id);
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => this.flushPresence(), this.deps.presenceBatchMs);
  }

  private flushPresence(): void {
    this.presenceTimer = null;
    const ids = [...this.presenceDirty].filter((id) => this.awareness.meta.has(id));
    this.presenceDirty.clear();
    if (ids.length === 0 || this.destroyed) return;
    const message = encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
    // A batch with one entry need not go back to its author.
    let author: Peer | null = null;
    if (ids.length === 1) for (const p of this.peers) if (p.presenceClient === ids[0]) author = p;
    this.broadcast(message, author);
  }

  /** Sends the same bytes to every peer but `except` (one peer, or a set of them). */
  private broadcast(message: Uint8Array, except: Peer | ReadonlySet<Peer> | null): void {
    const skip = except instanceof Set ? (except as ReadonlySet<Peer>) : null;
    const one = skip ? null : (except as Peer | null);
    let recipients = this.peers.size;
    if (skip) {
      for (const p of skip) if (this.peers.has(p)) recipients--;
    } else if (one && this.peers.has(one)) {
      recipients--;
    }
    if (recipients === 0) return;
    // Framed once per broadcast, not once per socket.
    const frame = binaryFrame(message);
    for (const peer of this.peers) {
      if (peer !== one && !skip?.has(peer)) peer.sendFrame(frame, message);
    }
  }

  stateVector(): Uint8Array {
    if (this.encodedStateVector) return this.encodedStateVector;
    const sv = Y.encodeStateVector(this.ydoc());
    if (!this.encodedState) return sv;
    this.encodedStateVector = sv;
    return sv;
  }

  /** What a client with state vector `sv` lacks. */
  private diffFor(sv: Uint8Array): Uint8Array {
    if (isEmptyStateVector(sv)) {
      if (!this.encodedState) this.encodedState = Y.encodeStateAsUpdate(this.ydoc());
      return this.encodedState;
    }
    if (this.doc) return Y.encodeStateAsUpdate(this.doc, sv);
    return Y.diffUpdate(this.encodedState!, sv);
  }

  private clockOf(client: number): number {
    if (this.doc) return Y.getState(this.doc.store, client);
    return Y.decodeStateVector(this.stateVector()).get(client) ?? 0;
  }

  /**
   * A new peer: give it a presence colour nobody else present has, greet it with our state
   * vector and everyone's presence.
   */
  attach(peer: Peer): void {
    this.assignColor(peer);
    this.peers.add(peer);
    peer.send(encodeSyncStep1(this.stateVector()));
    const states = this.awareness.getStates();
    if (states.size > 0) {
      peer.send(
        encodeAwareness(
          awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()]),
        ),
      );
    }
  }

  /**
   * A person keeps their colour while the report is open here, unless someone else present has
   * it (it was free when they left); the peer is told, so its own chip shows what others see.
   */
  private assignColor(peer: Peer): void {
    const taken = new Set<string>();
    for (const other of this.peers) {
      const color = other.userId !== peer.userId ? this.colors.get(other.userId) : undefined;
      if (color) taken.add(color);
    }
    let color = this.colors.get(peer.userId);
    if (!color || taken.has(color)) {
      color = distinctPresenceColor(peer.userId, taken);
      this.colors.set(peer.userId, color);
    }
    peer.identity.presence = { ...peer.identity.presence, color };
    peer.notify({ code: 'presence-color', message: 'Your colour in this report', color });
  }

  /** The presence colour `userId` has in this report (none before they connected). */
  colorOf(userId: string): string | undefined {
    return this.colors.get(userId);
  }

  detach(peer: Peer): void {
    if (!this.peers.delete(peer)) return;
    if (peer.awarenessIds.size > 0) {
      const ids = [...peer.awarenessIds];
      awarenessProtocol.removeAwarenessStates(
        this.awareness,
        ids,
        changeOrigin({ kind: 'presence', peer }),
      );
      if (this.deps.presenceBatchMs === 0) {
        this.broadcast(
          encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)),
          null,
        );
      } else {
        this.queuePresence(ids);
      }
    }
    if (this.peers.size === 0) this.deps.onEmpty(this);
  }

  /** Applies one parsed message from `peer`. Throws MalformedError (content is refused in words, never by a close). */
  handle(peer: Peer, message: ClientMessage, frame: Uint8Array): void {
    switch (message.kind) {
      case 'sync-step1': {
        try {
          checkStateVector(message.stateVector);
        } catch (err) {
          throw new MalformedError((err as Error).message);
        }
        // Often the whole document (megabytes): sent as it is cached, never copied into a message.
        const update = this.diffFor(
          peer.syncReplies.baseFor(message.stateVector, this.stateVector()),
        );
        this.afterDurable(() => peer.sendInParts(syncStep2Head(update.length), update));
        return;
      }
      case 'sync-step2':
      case 'update':
        this.applyClientUpdate(peer, message.update);
        this.acknowledge(peer);
        return;
      case 'awareness': {
        // Presence is ephemeral: what breaks the rules is dropped, never broadcast.
        if (frame.length > MAX_PRESENCE_BYTES || message.entries.length !== 1) return;
        const entry = message.entries[0]!;
        if (peer.presenceClient === null) {
          // A presence id belongs to the user who first used it here (or who writes with it as
          // a Yjs client id): nobody else may take it, not even while its owner reconnects.
          const owner =
            this.presenceOwners.get(entry.clientId) ?? this.bindings.get(entry.clientId);
          if (owner !== undefined && owner !== peer.userId) return;
          for (const other of this.peers) {
            if (
              other !== peer &&
              other.presenceClient === entry.clientId &&
              other.userId !== peer.userId
            )
              return;
          }
          peer.presenceClient = entry.clientId;
          this.presenceOwners.set(entry.clientId, peer.userId);
        } else if (entry.clientId !== peer.presenceClient) {
          return;
        }
        let update = message.update;
        let out = frame;
        const state = entry.state as Record<string, unknown> | null;
        if (state !== null && !samePresence(state['user'], peer.identity.presence)) {
          const base = typeof state === 'object' && !Array.isArray(state) ? state : {};
          update = encodeOneAwareness(entry.clientId, entry.clock, {
            ...base,
            user: peer.identity.presence,
          });
          out = encodeAwareness(update);
        }
        this.applyPresence(peer, update, out);
        return;
      }
      case 'query-awareness': {
        const ids = [...this.awareness.getStates().keys()];
        peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)));
        return;
      }
    }
  }

  private refuseWrite(peer: Peer, reason: RefusalCode, detail: Record<string, unknown>): void {
    const message = REFUSAL_TEXT[reason];
    peer.send(permissionDenied(reason));
    peer.notify({ code: reason, message });
    peer.refused(`sync.write-refused.${reason}`, detail);
  }

  private applyClientUpdate(peer: Peer, incoming: Uint8Array): void {
    if (isEmptyUpdate(incoming)) return;
    let update = incoming;
    const doc = this.ydoc();
    let check = checkUpdate(doc, update);
    if (!check.ok && check.reason === 'malformed')
      throw new MalformedError(`update does not decode: ${check.detail}`);
    if (!peer.canEdit || !peer.schemaCurrent) {
      // Nothing new is accepted from a read-only peer, and it is refused without closing the
      // socket: also an update that builds on the peer's own earlier, refused edit (missing
      // dependencies), or a stock client would reconnect and resend it in a loop. What the server
      // already holds is harmless, including the deletions a reconnecting client's sync reply
      // always carries.
      if (
        !check.ok ||
        [...check.clients].some(([client, end]) => end > Y.getState(doc.store, client)) ||
        (check.hasDeletes && deletesSomethingNew(doc, update))
      ) {
        this.refuseWrite(peer, peer.canEdit ? 'schema-version' : 'read-only', {
          bytes: incoming.length,
        });
      }
      return;
    }
    // Content made under another user's client id is taken out before dependencies are checked:
    // a client that keeps typing under that id sends updates that build on its refused content.
    const ends = check.ok ? check.clients : Y.parseUpdateMeta(update).to;
    const foreign = new Map<number, number>();
    for (const [client, end] of ends) {
      if (end <= Y.getState(doc.store, client)) continue;
      const owner = this.bindings.get(client);
      if (owner !== undefined && owner !== peer.userId) foreign.set(client, end);
    }
    if (foreign.size > 0) {
      // Keep what is the peer's own; refuse what was made under another user's client id.
      this.refuseWrite(peer, 'foreign-client-id', { clientIds: [...foreign.keys()] });
      update = Y.diffUpdate(update, Y.encodeStateVector(foreign));
      check = checkUpdate(doc, update);
      // What remains may build on the refused content: dropped too (the peer has been told).
      if (!check.ok || check.empty) return;
    } else if (!check.ok) {
      // Refused in words, never by closing: a stock client would reconnect and resend the same
      // bytes (a loop when it holds them parked itself). A Concord client rebuilds from the server.
      this.refuseWrite(peer, 'resync', { missingDependencies: check.detail });
      return;
    }
    if (check.empty) return;
    // Client ids that bring content the server does not hold yet and that nobody owns yet.
    const fresh: number[] = [];
    for (const [client, end] of check.clients) {
      if (end > Y.getState(doc.store, client) && !this.bindings.has(client)) fresh.push(client);
    }
    if (fresh.length > 0) {
      for (const client of fresh) this.bindings.set(client, peer.userId);
      this.pendingBinding = { userId: peer.userId, clientIds: fresh };
    }
    // Decided before applying: what may not stay is rewritten as GC (guard.ts).
    const decision = new UpdateGuard(doc, check.decoded, {
      locked: this.locks,
      scratchRoots: this.deps.scratchRoots,
    }).decide(update);
    this.reportRefusals(peer, decision);
    const hadPending = doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
    try {
      const origin = changeOrigin({ kind: 'client', peer, retract: decision.retract });
      Y.applyUpdate(doc, decision.update, origin);
      // A client that cannot rebuild its copy (stock y-websocket: it asked for no Saved
      // messages) is brought back by the server's own change, which everyone gets (repair.ts).
      if (decision.resync && peer.savedClient === null)
        doc.transact(() => repairDropped(doc, decision.dropped));
    } catch (err) {
      // Never by closing the socket: a stock client would reconnect and resend the same bytes.
      // What Yjs integrated before it threw is stored and relayed like any change; the author
      // rebuilds from the server.
      this.refuseWrite(peer, 'unapplied', { error: (err as Error).message });
    } finally {
      if (this.pendingBinding) {
        // The update changed nothing: forget the bindings it would have introduced.
        for (const client of this.pendingBinding.clientIds) this.bindings.delete(client);
        this.pendingBinding = undefined;
      }
      if (!hadPending && (doc.store.pendingStructs || doc.store.pendingDs)) {
        // Never park: what cannot be integrated now is dropped, and the author rebuilds.
        doc.store.pendingStructs = null;
        doc.store.pendingDs = null;
        this.refuseWrite(peer, 'resync', { missingDependencies: 'parked while applying' });
      }
    }
    for (const client of check.clients.keys()) peer.writtenClients.add(client);
  }

  /** Tells the author what the guard refused, and to rebuild when it dropped deletions. */
  private reportRefusals(peer: Peer, decision: GuardDecision): void {
    for (const [kind, what] of decision.refused) {
      const detail =
        kind === 'locked'
          ? { paragraphs: [...what] }
          : kind === 'duplicate-id'
            ? { ids: [...what] }
            : { content: [...what].slice(0, 10) };
      this.refuseWrite(peer, kind, detail);
    }
    if (decision.resync) this.refuseWrite(peer, 'resync', {});
  }

  /** Tells a peer that asked for it which of its changes are durable, once they are. */
  private acknowledge(peer: Peer): void {
    if (peer.savedClient === null) return;
    const clients = new Set(peer.writtenClients);
    clients.add(peer.savedClient);
    const clocks: SavedClock[] = [...clients].map((client) => ({
      client,
      clock: this.clockOf(client),
    }));
    const message = encodeSaved(clocks);
    this.afterDurable(() => peer.send(message));
  }

  private maybeCompact(): void {
    if (this.sinceCompaction < this.deps.compactEvery || this.compacting) return;
    if (this.failed || this.destroyed) return;
    this.compacting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.compact())
      .then((done) => {
        this.compacting = null;
        // Updates that became durable while it ran may call for the next one already.
        if (done) this.maybeCompact();
      });
  }

  /**
   * Writes the whole document as a snapshot and drops the log it covers (one transaction).
   * Resolves false when it did not (nothing to do, or storage failed: the log stays intact).
   */
  async compact(): Promise<boolean> {
    if (!this.doc || this.failed || this.destroyed || this.sinceCompaction === 0) return false;
    const through = this.lastSeq;
    const covered = this.sinceCompaction;
    const version = this.version;
    const snapshot = {
      update: Y.encodeStateAsUpdate(this.doc),
      stateVector: Y.encodeStateVector(this.doc),
    };
    try {
      await this.deps.storage.compact(this.id, snapshot, through);
    } catch (err) {
      this.deps.log.error({ report: this.id, err }, 'compaction failed; the update log is intact');
      return false;
    }
    this.sinceCompaction -= covered;
    if (this.version === version && !this.encodedState) {
      this.encodedState = snapshot.update;
      this.encodedStateVector = snapshot.stateVector;
    }
    return true;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.deps.log.error(
      { report: this.id, err },
      'storage fault: closing the report; clients keep their changes and resend them',
    );
    this.deps.onFault(this, err);
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  /** Waits for pending appends, compacts, and releases memory. */
  async unload(): Promise<void> {
    while (this.inflight > 0) await this.barrier.catch(() => {});
    if (this.compacting) await this.compacting;
    await this.compact();
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.awareness.destroy();
    this.doc?.destroy();
  }
}
