/**
 * Websocket framing done once per broadcast, and one socket write per recipient.
 *
 * A broadcast message goes to every socket of a report as the same bytes: framing it once (header
 * and payload in one buffer) and writing that buffer to each socket saves ws framing it again for
 * every socket (a header allocation and a corked two-buffer writev each time). Server frames are
 * not masked (RFC 6455 §5.1) and compression is off, so the bytes are identical for every
 * recipient.
 *
 * Each frame is one `net.Socket.write` of the prebuilt buffer, on the same socket ws writes to,
 * so it takes its place in order behind whatever ws or an earlier frame left queued there.
 */
import type { WebSocket } from 'ws';

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

/** The part of net.Socket a sink uses. */
interface RawSocket {
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(data: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
}

/** Where one connection's prebuilt frames go: the net.Socket under its ws. */
export class FrameSink {
  private readonly socket: RawSocket | null;

  constructor(ws: WebSocket) {
    this.socket = (ws as unknown as { _socket?: RawSocket })._socket ?? null;
  }

  /** Bytes written to this connection and not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /**
   * Writes a frame made by binaryFrame. Returns false when the socket cannot take it (closed, or
   * not reachable: then the caller sends through ws).
   */
  write(frame: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed) return false;
    socket.write(frame);
    return true;
  }

  /**
   * Writes one frame in two pieces, `start` (from binaryFrameStart) and then `body`, without
   * joining them: corked, so both leave in one writev. Returns false when the socket cannot
   * take it.
   */
  writeParts(start: Uint8Array, body: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed) return false;
    socket.cork();
    socket.write(start);
    socket.write(body);
    socket.uncork();
    return true;
  }
}
