/**
 * Websocket framing done once per broadcast, and a write path for it that costs one system call
 * per socket and nothing more, or one system call for all of them (Relay, over io_uring).
 *
 * A relayed message goes to every socket of a report as the same bytes: framing it once (header
 * and payload in one buffer) and writing that buffer to each socket saves ws framing it again for
 * every socket (a header allocation and a corked two-buffer writev each time). Server frames are
 * not masked (RFC 6455 §5.1) and compression is off, so the bytes are identical for every
 * recipient.
 *
 * The write itself skips net.Socket's Writable machinery (a WriteWrap, closures, a nextTick and
 * the bookkeeping of a stream per write): the frame goes straight to the TCP handle, the way
 * net.Socket itself ends up writing it. When the kernel takes the whole frame at once (the usual
 * case), nothing is allocated; when it does not, libuv queues the rest in order behind whatever
 * is already queued on the handle, exactly as a net.Socket write would. Every case where that
 * might reorder bytes or is not plainly a TCP socket goes through `socket.write` instead.
 *
 * Where the kernel offers io_uring (uring.ts), a broadcast goes further: every socket with
 * nothing queued joins a Relay, and one submission sends the frame to them all; whatever a
 * socket did not take goes on through its own write path above, still in order.
 */
import type { WebSocket } from 'ws';
import { NOT_SENT, openRing, type Ring } from './uring.js';

/** The header of an unmasked binary websocket frame (FIN, opcode 2) of `length` payload bytes. */
function writeFrameHeader(target: Buffer, length: number): number {
  target[0] = 0x82;
  if (length < 126) {
    target[1] = length;
    return 2;
  }
  if (length < 65536) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
    return 4;
  }
  target[1] = 127;
  target.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  target.writeUInt32BE(length >>> 0, 6);
  return 10;
}

const headerLength = (n: number) => (n < 126 ? 2 : n < 65536 ? 4 : 10);

/** A complete unmasked binary websocket frame (FIN, opcode 2) carrying `payload`. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(headerLength(payload.length) + payload.length);
  frame.set(payload, writeFrameHeader(frame, payload.length));
  return frame;
}

/**
 * The start of a binary frame whose payload is `head` followed by `bodyLength` more bytes: the
 * frame header and `head` in one small buffer. The body is written after it as it is, so a large
 * message (a whole document) is never copied to be framed.
 */
export function binaryFrameStart(head: Uint8Array, bodyLength: number): Buffer {
  const length = head.length + bodyLength;
  const start = Buffer.allocUnsafe(headerLength(length) + head.length);
  start.set(head, writeFrameHeader(start, length));
  return start;
}

/** Node's TCP handle (tcp_wrap), as much of it as the direct path uses. */
interface StreamHandle {
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  readonly writeQueueSize: number;
  readonly fd: number;
}

/** A WriteWrap: native, so that libuv can own it while a write is queued. */
interface WriteReq {
  handle: StreamHandle | null;
  buffer: Uint8Array | null;
  socket: RawSocket | null;
  oncomplete: (this: WriteReq, status: number) => void;
}

interface RawSocket {
  _handle: StreamHandle | null;
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(data: Uint8Array): boolean;
  destroy(): void;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface TcpWrapBinding {
  TCP: abstract new (...args: never[]) => object;
}

/** Node's stream bindings, or null where this Node does not offer them (then ws writes). */
const native = (() => {
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding;
    const streams = binding('stream_wrap') as StreamWrapBinding;
    const tcp = binding('tcp_wrap') as TcpWrapBinding;
    if (
      typeof streams.WriteWrap !== 'function' ||
      !(streams.streamBaseState instanceof Int32Array) ||
      typeof streams.kLastWriteWasAsync !== 'number' ||
      typeof tcp.TCP !== 'function'
    )
      return null;
    return { ...streams, TCP: tcp.TCP };
  } catch {
    return null;
  }
})();

/** Is the direct path available on this Node? (If not, every frame goes through socket.write.) */
export const directWrites = native !== null;

function afterQueuedWrite(this: WriteReq, status: number): void {
  const socket = this.socket;
  this.buffer = null;
  this.socket = null;
  this.handle = null;
  // A queued write that failed: the connection is gone. ws then sees the close and says so.
  if (status < 0 && socket && !socket.destroyed) socket.destroy();
}

function newRequest(): WriteReq {
  const req = new native!.WriteWrap();
  req.handle = null;
  req.buffer = null;
  req.socket = null;
  req.oncomplete = afterQueuedWrite;
  return req;
}

/**
 * One request object for every write the kernel takes whole: native code wraps it only when a
 * write must be queued, and then it belongs to that write and a fresh one takes its place.
 */
let spare: WriteReq | null = null;

/** Where one connection's relayed frames go. */
export class FrameSink {
  private readonly socket: RawSocket | null;
  /** The TCP handle seen at the start; any other handle (TLS, a pipe, none) means socket.write. */
  private readonly handle: StreamHandle | null;
  /** The handle's file descriptor, for a relay (read once: it is fixed for the handle's life). */
  private readonly fd: number;

  constructor(ws: WebSocket) {
    const socket = (ws as unknown as { _socket?: RawSocket })._socket ?? null;
    const handle = socket?._handle ?? null;
    this.socket = socket;
    this.handle = native && handle instanceof native.TCP ? handle : null;
    this.fd = this.handle?.fd ?? -1;
  }

  /** Bytes queued for this connection and not yet taken by the kernel. */
  get queuedBytes(): number {
    const socket = this.socket;
    if (!socket) return 0;
    const handle = socket._handle;
    return socket.writableLength + (handle ? handle.writeQueueSize : 0);
  }

  /**
   * Writes a frame made by binaryFrame. Returns false when the socket cannot take it (closed, or
   * not reachable: then the caller sends through ws). With a `relay` under way for this frame,
   * a socket with nothing queued joins it instead, and is written when the relay ends.
   */
  write(frame: Uint8Array, relay: Relay | null = null): boolean {
    const socket = this.socket;
    if (!socket) return false;
    const handle = this.handle;
    // The checks touch as little as they can (this runs once per recipient): a destroyed socket
    // has no handle any more, so it fails the first test and is caught in the slow path.
    // Bytes still buffered in the net.Socket (a large send in progress) must leave first.
    if (handle === null || socket._handle !== handle || socket.writableLength !== 0) {
      if (socket.destroyed) return false;
      socket.write(frame);
      return true;
    }
    // Joining a relay overtakes libuv's queue, so only a socket with nothing queued may join.
    if (relay !== null && this.fd >= 0 && handle.writeQueueSize === 0) relay.add(this.fd, this);
    else writeDirect(socket, handle, frame);
    return true;
  }

  /**
   * The relay's answer for this socket: `sent` bytes of `frame` taken by the kernel, or a
   * negative errno. What was not taken goes to libuv, which writes it when the socket has room,
   * ahead of anything later (nothing else was written to the socket in between).
   */
  relayed(frame: Uint8Array, sent: number): void {
    if (sent === frame.length) return;
    const socket = this.socket!;
    const handle = this.handle!;
    if (sent >= 0) writeDirect(socket, handle, sent === 0 ? frame : frame.subarray(sent));
    else if (sent === NOT_SENT) writeDirect(socket, handle, frame);
    // The connection is gone (EPIPE, ECONNRESET) or the relay cannot vouch for the bytes: ws
    // sees the close, and the client resyncs when it reconnects.
    else socket.destroy();
  }

  /**
   * Writes one frame in two pieces, `start` (from binaryFrameStart) and then `body`, without
   * joining them. Returns false when the socket cannot take it.
   */
  writeParts(start: Uint8Array, body: Uint8Array): boolean {
    if (!this.write(start)) return false;
    // Whatever path the start took, the body follows it on the same one: a queued start makes
    // the body queue behind it in libuv; a start buffered in the net.Socket makes writableLength
    // non-zero, so the body is buffered behind it too.
    return this.write(body);
  }
}

function writeDirect(socket: RawSocket, handle: StreamHandle, data: Uint8Array): void {
  const req = spare ?? newRequest();
  req.handle = handle;
  req.buffer = data;
  req.socket = socket;
  const err = handle.writeBuffer(req, data);
  if (native!.streamBaseState[native!.kLastWriteWasAsync] !== 0) {
    // Queued by libuv: the request now belongs to that write until afterQueuedWrite.
    spare = null;
  } else {
    req.buffer = null;
    req.socket = null;
    req.handle = null;
    spare = req;
  }
  if (err !== 0) socket.destroy();
}

/**
 * One frame on its way to many sockets in a single system call (uring.ts). A broadcast opens it
 * with `begin`, each recipient's FrameSink.write joins it, and `end` sends the frame to them all
 * and hands whatever a socket did not take back to that socket's own write path.
 */
export class Relay {
  private ring: Ring | null;
  private frame: Uint8Array | null = null;
  private count = 0;
  private fds = new Int32Array(64);
  private results = new Int32Array(64);
  private sinks: (FrameSink | null)[] = [];
  /** Frames sent through the ring so far (each to two sockets or more). */
  batches = 0;

  constructor(
    ring: Ring,
    private readonly onFailure: (reason: string) => void,
  ) {
    this.ring = ring;
  }

  /** Is the ring still in use (else every frame is written socket by socket)? */
  get active(): boolean {
    return this.ring !== null;
  }

  /** Starts a relay of `frame`; false when the frame must be written socket by socket. */
  begin(frame: Uint8Array): boolean {
    if (this.ring === null || this.frame !== null || frame.length > this.ring.maxFrame)
      return false;
    this.frame = frame;
    this.count = 0;
    return true;
  }

  add(fd: number, sink: FrameSink): void {
    if (this.count === this.fds.length) {
      const fds = new Int32Array(this.count * 2);
      fds.set(this.fds);
      this.fds = fds;
      this.results = new Int32Array(this.count * 2);
    }
    this.fds[this.count] = fd;
    this.sinks[this.count++] = sink;
  }

  /** Sends the frame to every socket that joined. */
  end(): void {
    const frame = this.frame;
    const count = this.count;
    this.frame = null;
    this.count = 0;
    if (frame === null || count === 0) return;
    const results = this.results;
    // One socket: a plain write costs the same.
    if (count === 1) results[0] = NOT_SENT;
    else if (this.ring!.send(this.fds, count, frame, results)) this.batches++;
    else {
      this.onFailure(this.ring!.failure ?? 'failed');
      this.ring = null;
    }
    for (let i = 0; i < count; i++) {
      const sink = this.sinks[i]!;
      this.sinks[i] = null;
      sink.relayed(frame, results[i]!);
    }
  }

  close(): void {
    this.ring?.close();
    this.ring = null;
  }
}

/** A relay over io_uring where the kernel allows one, else null and why not. */
export function openRelay(
  onFailure: (reason: string) => void,
): { relay: Relay; reason: null } | { relay: null; reason: string } {
  if (!native) return { relay: null, reason: 'no direct socket writes on this Node' };
  const opened = openRing();
  if (opened.ring === null) return { relay: null, reason: opened.reason };
  return { relay: new Relay(opened.ring, onFailure), reason: null };
}
