/**
 * One websocket on /sync/:reportId. Listeners are attached synchronously on creation, before
 * anything is awaited, so no early frame is lost; frames that arrive while the report loads are
 * queued and handled in order once it is live. No reply leaves before the load completes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CloseCode,
  encodeNotice,
  type PresenceUser,
  type ServerNotice,
} from '../../shared/protocol.js';
import { MAX_QUEUED_BYTES } from '../config.js';
import type { DirectoryEntry } from './directory.js';
import { ExpiryClock } from './expiry.js';
import { binaryFrameStart, FrameSink } from './frame.js';
import { type LiveReport, MalformedError, type Peer } from './live-report.js';
import { SyncReplies } from './sync-replies.js';
import { ProtocolError, parseClientMessage } from './wire.js';

let nextConnectionId = 1;

/** Who is on the other end, decided from the session at the upgrade. */
export interface ConnectionIdentity {
  userId: string;
  sessionHash: string;
  /** Epoch ms: the socket closes (4401) when the session reaches its absolute expiry. */
  sessionExpiresAt: number;
  groupId: string;
  /** From the permission matrix: may this connection change the text? */
  canEdit: boolean;
  /**
   * Did the client declare the current schema version (`?schema=`)? A client that does not may
   * read but not write: an old client cannot silently drop what it does not know.
   */
  schemaCurrent: boolean;
  /** Stamped onto this connection's presence; the client cannot choose it. */
  presence: PresenceUser;
  /** Writes an audit event about this connection (refused writes). */
  audit(action: string, detail: Record<string, unknown>): void;
}

/** Presence messages: a token bucket per connection (burst, then a steady rate). */
const PRESENCE_BURST = 20;
const PRESENCE_PER_SECOND = 10;
/** Refused writes audited per connection; later ones are counted in the log only. */
const MAX_AUDITED_REFUSALS = 10;

/**
 * After the close frame of a connection too far behind, how long it has to read up to it before
 * its socket is destroyed (the close frame waits behind the backlog; destroying frees it).
 */
const TOO_FAR_BEHIND_GRACE_MS = 1000;

/** Closes sockets whose session reached its absolute expiry (one timer for all of them). */
const expiries = new ExpiryClock<SyncConnection>((conn) =>
  conn.close(CloseCode.SessionEnded, 'session expired'),
);

export class SyncConnection implements Peer, DirectoryEntry {
  readonly id = nextConnectionId++;
  presenceClient: number | null = null;
  readonly syncReplies = new SyncReplies();
  deferredPresence: { update: Uint8Array; frame: Uint8Array } | null = null;
  private report: LiveReport | null = null;
  private queue: Uint8Array[] | null = [];
  private closed = false;
  private presenceTokens = PRESENCE_BURST;
  private presenceCheckedAt = Date.now();
  // Made when first needed: most sockets never need some of them, and there may be thousands.
  private written: Set<number> | null = null;
  private awareness: Set<number> | null = null;
  private noticesSent: Set<string> | null = null;
  private refusals = 0;
  private readonly sink: FrameSink;

  constructor(
    private readonly socket: WebSocket,
    readonly reportId: string,
    readonly savedClient: number | null,
    readonly identity: ConnectionIdentity,
    private readonly log: FastifyBaseLogger,
    private readonly maxQueuedBytes = MAX_QUEUED_BYTES,
  ) {
    expiries.add(identity.sessionExpiresAt, this);
    this.sink = new FrameSink(socket);
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClosed());
    socket.on('error', (err) => {
      this.log.debug({ err, conn: this.id }, 'socket error');
      this.onClosed();
    });
  }

  /** The Yjs client ids this connection has written with. */
  get writtenClients(): Set<number> {
    this.written ??= new Set();
    return this.written;
  }

  /** The presence entries this connection owns. */
  get awarenessIds(): Set<number> {
    this.awareness ??= new Set();
    return this.awareness;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes written to this connection that the kernel has not taken yet. */
  get queuedBytes(): number {
    return this.sink.queuedBytes;
  }

  get userId(): string {
    return this.identity.userId;
  }

  get sessionHash(): string {
    return this.identity.sessionHash;
  }

  get groupId(): string {
    return this.identity.groupId;
  }

  get canEdit(): boolean {
    return this.identity.canEdit;
  }

  get schemaCurrent(): boolean {
    return this.identity.schemaCurrent;
  }

  /** Takes one presence token; false when the connection is over its presence rate. */
  allowPresence(now = Date.now()): boolean {
    this.presenceTokens = Math.min(
      PRESENCE_BURST,
      this.presenceTokens + ((now - this.presenceCheckedAt) / 1000) * PRESENCE_PER_SECOND,
    );
    this.presenceCheckedAt = now;
    if (this.presenceTokens < 1) return false;
    this.presenceTokens -= 1;
    return true;
  }

  /** Tells a Concord client's user why something was refused: once per kind per connection. */
  notify(notice: ServerNotice): void {
    if (this.savedClient === null || this.noticesSent?.has(notice.code)) return;
    this.noticesSent ??= new Set();
    this.noticesSent.add(notice.code);
    this.send(encodeNotice(notice));
  }

  /** Audits a refused write (the first few per connection) and logs every one. */
  refused(action: string, detail: Record<string, unknown>): void {
    this.refusals++;
    this.log.warn(
      { conn: this.id, report: this.reportId, user: this.userId, action, ...detail },
      'write refused',
    );
    if (this.refusals <= MAX_AUDITED_REFUSALS)
      this.identity.audit(action, { ...detail, connection: this.id });
  }

  /** The report is live: greet the client and handle what it already sent. */
  attach(report: LiveReport): void {
    if (this.closed) {
      // The client left while the report loaded; let the registry unload it in due course.
      report.peers.add(this);
      report.detach(this);
      return;
    }
    this.report = report;
    report.attach(this);
    const queued = this.queue ?? [];
    this.queue = null;
    for (const frame of queued) {
      if (this.closed) break;
      this.handle(frame);
    }
  }

  private onFrame(data: unknown, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary || !(data instanceof Buffer)) {
      this.close(CloseCode.UnsupportedData, 'expected a binary y-websocket message');
      return;
    }
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.queue) this.queue.push(frame);
    else this.handle(frame);
  }

  private handle(frame: Uint8Array): void {
    const report = this.report!;
    try {
      report.handle(this, parseClientMessage(frame), frame);
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof MalformedError) {
        this.log.warn(
          { conn: this.id, report: this.reportId, reason: err.message },
          'malformed frame; closing socket',
        );
        this.close(CloseCode.UnsupportedData, truncateReason(err.message));
      } else {
        this.log.error(
          { conn: this.id, report: this.reportId, err },
          'error handling a frame; closing socket',
        );
        this.close(CloseCode.PolicyViolation, 'internal error handling this message');
      }
    }
  }

  /** Sends a frame made once for many recipients (binaryFrame). */
  sendFrame(frame: Buffer, payload: Uint8Array): void {
    // Not after a close frame (CLOSING): the protocol allows nothing more.
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (!this.sink.write(frame)) this.send(payload);
    else this.checkBacklog();
  }

  sendInParts(head: Uint8Array, body: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.sink.writeParts(binaryFrameStart(head, body.length), body)) {
      this.checkBacklog();
      return;
    }
    const whole = new Uint8Array(head.length + body.length);
    whole.set(head);
    whole.set(body, head.length);
    this.send(whole);
  }

  send(data: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(data, { binary: true }, (err) => {
      if (err) this.onClosed();
    });
    this.checkBacklog();
  }

  /** Closes the connection when its outgoing queue has passed the limit (see MAX_QUEUED_BYTES). */
  private checkBacklog(): void {
    const queued = this.sink.queuedBytes;
    if (queued <= this.maxQueuedBytes || this.closed) return;
    this.log.warn(
      { conn: this.id, report: this.reportId, user: this.userId, queued },
      'reader too far behind; closing socket',
    );
    this.close(CloseCode.TooFarBehind, 'too far behind: reconnect to resync');
    setTimeout(() => this.socket.terminate(), TOO_FAR_BEHIND_GRACE_MS).unref();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
    this.onClosed();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = null;
    expiries.delete(this.identity.sessionExpiresAt, this);
    this.report?.detach(this);
  }
}

/** Close reasons are limited to 123 bytes by the websocket protocol. */
function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  return bytes.length <= 123
    ? reason
    : `${bytes
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD$/, '')}…`;
}
