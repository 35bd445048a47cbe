/**
 * Websocket framing done once per broadcast. A relayed message goes to every socket of a report
 * as the same bytes: framing it once (header and payload in one buffer) and writing that buffer
 * to each socket costs one write per socket, instead of ws framing it again for every socket
 * (a header allocation and a corked two-buffer writev each time). Server frames are not masked
 * (RFC 6455 §5.1) and compression is off, so the bytes are identical for every recipient.
 */
import type { WebSocket } from 'ws';

/** A complete unmasked binary websocket frame (FIN, opcode 2) carrying `payload`. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x82;
  if (n < 126) {
    frame[1] = n;
  } else if (n < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  frame.set(payload, headerLength);
  return frame;
}

interface WsInternals {
  _socket?: { write(data: Buffer): boolean; destroyed?: boolean };
}

/**
 * Writes a frame made by binaryFrame to an open socket. Returns false when the raw socket is not
 * reachable (then the caller sends through ws). Safe because ws writes every frame whole and
 * synchronously when compression is off, so frames never interleave.
 */
export function writeFrame(ws: WebSocket, frame: Buffer): boolean {
  const socket = (ws as unknown as WsInternals)._socket;
  if (!socket || socket.destroyed) return false;
  socket.write(frame);
  return true;
}
