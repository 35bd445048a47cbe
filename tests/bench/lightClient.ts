/**
 * A light protocol client: one websocket (`ws`) and one Y.Doc, speaking the y-websocket sync
 * protocol through y-protocols/sync directly, or the Hocuspocus framing of the same messages.
 * No awareness instance, no reconnects, no timers: a thousand of them fit in one lean process.
 *
 * Wire formats (checked against the sources in node_modules):
 * - y-websocket (y-websocket/src/y-websocket.js, @y/websocket-server/src/utils.js):
 *   [varUint type][payload]; type 0 = sync (y-protocols/sync), 1 = awareness
 *   (varUint8Array of an awareness update), 3 = query awareness.
 * - Hocuspocus (@hocuspocus/server/src/{ClientConnection,MessageReceiver,OutgoingMessage}.ts):
 *   [varString documentName][varUint type][payload]; types as above plus 2 = auth,
 *   4 = sync reply (a sync message that must not trigger another SyncStep1), 5 = stateless,
 *   7 = close, 8 = sync status (ack of an update). The server queues everything for a document
 *   until it got [name][2][0 = token][varString token]; it answers [name][2][2 = authenticated]
 *   [varString scope] or [name][2][1 = permission denied][varString reason].
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { ConnSpec } from './types.js';

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_AUTH = 2;
const MSG_QUERY_AWARENESS = 3;
const HP_SYNC_REPLY = 4;
const HP_CLOSE = 7;

const HP_AUTH_TOKEN = 0;
const HP_AUTH_DENIED = 1;

/** Passed as the reply encoder for sync messages that have no reply (SyncStep2, update). */
const NO_REPLY = encoding.createEncoder();

/** Wall clock in ms with sub-ms resolution, comparable across processes on this machine. */
export const now = (): number => performance.timeOrigin + performance.now();

/**
 * A Y.Doc whose `emit` skips events nobody listens to. lib0's `ObservableV2.emit` allocates a Map,
 * an iterator and an array per call even without listeners, and Yjs emits six events per
 * transaction (before/after(All)Transaction, beforeObserverCalls, afterTransactionCleanup): a
 * large share of a light client's per-update garbage. With listeners it behaves the same (a copy
 * of the listener set, each called in order). Everything else is Yjs' own Doc.
 */
export class LeanDoc extends Y.Doc {
  override emit(name: string, args: unknown[]): void {
    const fs = this._observers.get(name);
    if (fs === undefined || fs.size === 0) return;
    for (const f of Array.from(fs)) f(...args);
  }
}

export class LightClient {
  readonly doc: Y.Doc = new LeanDoc();
  ws: WebSocket | null = null;
  synced = false;
  /** Set when connect() was called / when the first SyncStep2 was applied (ms, `now()`). */
  connectStartedAt = 0;
  syncedAt = 0;
  closed = false;
  closeInfo = '';
  error = '';
  /** Called with a decoder positioned at the awareness payload (a varUint8Array). */
  onAwareness: ((decoder: decoding.Decoder) => void) | null = null;

  private readonly prefix: Uint8Array | null;
  private stepWaiters: Array<() => void> = [];
  private forwarding = false;

  constructor(private readonly spec: ConnSpec) {
    if (spec.framing === 'hocuspocus') {
      const e = encoding.createEncoder();
      encoding.writeVarString(e, spec.docName);
      this.prefix = encoding.toUint8Array(e);
    } else {
      this.prefix = null;
    }
  }

  /** Opens the socket and resolves once the server's SyncStep2 has been applied. */
  connect(timeoutMs: number): Promise<void> {
    this.connectStartedAt = now();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        finish(new Error(`no sync within ${timeoutMs} ms`));
        this.ws?.terminate();
      }, timeoutMs);
      const ws = new WebSocket(this.spec.wsUrl, {
        headers: this.spec.headers,
        perMessageDeflate: false,
      });
      this.ws = ws;
      ws.on('open', () => {
        if (this.prefix) {
          const e = this.encoder(MSG_AUTH);
          encoding.writeVarUint(e, HP_AUTH_TOKEN);
          encoding.writeVarString(e, this.spec.token);
          this.send(encoding.toUint8Array(e));
        }
        this.sendStep1();
      });
      ws.on('message', (data: WebSocket.RawData) => {
        try {
          this.handle(data as Buffer);
        } catch (err) {
          this.error ||= `message handling: ${(err as Error).message}`;
        }
        if (this.synced) finish();
      });
      ws.on('error', (err) => {
        this.error ||= err.message;
      });
      ws.on('close', (code, reason) => {
        this.closed = true;
        this.closeInfo = `${code} ${reason.toString()}`.trim();
        finish(new Error(`closed before sync: ${this.closeInfo} ${this.error}`.trim()));
        for (const w of this.stepWaiters.splice(0)) w();
      });
    });
  }

  /** Sends local document changes to the server (writers only: an update listener costs). */
  forwardLocalUpdates(): void {
    if (this.forwarding) return;
    this.forwarding = true;
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      const e = this.encoder(MSG_SYNC);
      syncProtocol.writeUpdate(e, update);
      this.send(encoding.toUint8Array(e));
    });
  }

  /** Sends an already encoded update (e.g. several merged edits) as one message. */
  sendUpdate(update: Uint8Array): void {
    const e = this.encoder(MSG_SYNC);
    syncProtocol.writeUpdate(e, update);
    this.send(encoding.toUint8Array(e));
  }

  /**
   * Round trip: sends SyncStep1 and resolves at the next SyncStep2 from the server. Servers
   * handle a socket's messages in order, so everything sent before has been applied by then.
   */
  roundTrip(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (this.closed) {
        resolve(false);
        return;
      }
      const timer = setTimeout(() => {
        this.stepWaiters = this.stepWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(!this.closed);
      };
      this.stepWaiters.push(done);
      this.sendStep1();
    });
  }

  /** Sends this client's awareness state (a JSON string, or 'null' to remove it). */
  sendAwareness(clock: number, stateJson: string): void {
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, this.doc.clientID);
    encoding.writeVarUint(inner, clock);
    encoding.writeVarString(inner, stateJson);
    const e = this.encoder(MSG_AWARENESS);
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
    this.send(encoding.toUint8Array(e));
  }

  bytesRead(): number {
    // biome-ignore lint/suspicious/noExplicitAny: ws keeps its net.Socket in a private field
    const sock = (this.ws as any)?._socket as { bytesRead?: number } | undefined;
    return sock?.bytesRead ?? 0;
  }

  bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  close(): void {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close();
  }

  terminate(): void {
    this.ws?.terminate();
  }

  /** State vector as a comparable string (client ids sorted). */
  stateKey(): string {
    return stateKey(this.doc);
  }

  private encoder(type: number): encoding.Encoder {
    const e = encoding.createEncoder();
    if (this.prefix) encoding.writeUint8Array(e, this.prefix);
    encoding.writeVarUint(e, type);
    return e;
  }

  private send(msg: Uint8Array): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(msg);
  }

  private sendStep1(): void {
    const e = this.encoder(MSG_SYNC);
    syncProtocol.writeSyncStep1(e, this.doc);
    this.send(encoding.toUint8Array(e));
  }

  private handle(data: Buffer): void {
    // A plain Uint8Array view of the same bytes: every subarray lib0 and Yjs take of a Buffer
    // would construct a Buffer (species lookup + FastBuffer), of a Uint8Array it does not.
    const decoder = decoding.createDecoder(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    if (this.prefix) decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MSG_SYNC:
      case HP_SYNC_REPLY: {
        // Only a SyncStep1 has a reply: no reply encoder for the many updates.
        const reply =
          decoding.peekVarUint(decoder) === syncProtocol.messageYjsSyncStep1
            ? this.encoder(MSG_SYNC)
            : NO_REPLY;
        const before = encoding.length(reply);
        const syncType = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
        if (encoding.length(reply) > before) {
          if (reply === NO_REPLY) throw new Error(`unexpected reply to sync message ${syncType}`);
          this.send(encoding.toUint8Array(reply));
        }
        if (syncType === syncProtocol.messageYjsSyncStep2) {
          if (!this.synced) {
            this.synced = true;
            this.syncedAt = now();
          }
          if (this.stepWaiters.length > 0) {
            for (const w of this.stepWaiters.splice(0)) w();
          }
        }
        break;
      }
      case MSG_AWARENESS:
        if (this.onAwareness) this.onAwareness(decoder);
        break;
      case MSG_AUTH: {
        if (this.prefix && decoding.readVarUint(decoder) === HP_AUTH_DENIED) {
          this.error ||= `permission denied: ${decoding.readVarString(decoder)}`;
        }
        break;
      }
      case HP_CLOSE:
        if (this.prefix) this.error ||= `server closed: ${decoding.readVarString(decoder)}`;
        break;
      case MSG_QUERY_AWARENESS:
        // Light clients have no awareness state unless a scenario sends one; nothing to answer.
        break;
      default:
        // Concord's own types (≥ 100) are only sent to clients that ask; Hocuspocus' sync
        // status (8) and stateless (5) need no answer.
        break;
    }
  }
}

export function stateKey(doc: Y.Doc): string {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  return [...sv.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([c, k]) => `${c}:${k}`)
    .join(',');
}

/** Connects all clients, at most `concurrency` handshakes in flight. Returns the failures. */
export async function connectAll(
  clients: readonly LightClient[],
  concurrency: number,
  timeoutMs: number,
): Promise<string[]> {
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const c = clients[next++]!;
      try {
        await c.connect(timeoutMs);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return errors;
}
