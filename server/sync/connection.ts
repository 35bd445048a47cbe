/**
 * One websocket on /sync/:reportId. Listeners are attached synchronously on creation, before
 * anything is awaited, so no early frame is lost; frames that arrive while the report loads are
 * queued and handled in order once it is live. No reply leaves before the load completes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode } from '../../shared/protocol.js';
import { type LiveReport, MalformedError, type Peer, RefusedError } from './live-report.js';
import { ProtocolError, parseClientMessage } from './wire.js';

let nextConnectionId = 1;

export class SyncConnection implements Peer {
  readonly id = nextConnectionId++;
  readonly writtenClients = new Set<number>();
  readonly awarenessIds = new Set<number>();
  private report: LiveReport | null = null;
  private queue: Uint8Array[] | null = [];
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    readonly reportId: string,
    readonly savedClient: number | null,
    private readonly log: FastifyBaseLogger,
  ) {
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClosed());
    socket.on('error', (err) => {
      this.log.debug({ err, conn: this.id }, 'socket error');
      this.onClosed();
    });
  }

  get isClosed(): boolean {
    return this.closed;
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
      } else if (err instanceof RefusedError) {
        this.log.warn(
          { conn: this.id, report: this.reportId, reason: err.message },
          'refused frame; closing socket',
        );
        this.close(CloseCode.PolicyViolation, truncateReason(err.message));
      } else {
        this.log.error(
          { conn: this.id, report: this.reportId, err },
          'error handling a frame; closing socket',
        );
        this.close(CloseCode.PolicyViolation, 'internal error handling this message');
      }
    }
  }

  send(data: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(data, { binary: true }, (err) => {
      if (err) this.onClosed();
    });
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
