/**
 * Repeated sync requests on one connection are answered with what changed, not the whole document.
 *
 * A SyncStep1 names the client's state vector and the reply is everything the server has beyond
 * it: for a new client, the whole report (a megabyte or more). A client that sends SyncStep1 again
 * and again (200 in 5 s were seen, 197 MiB sent to one socket) would get the whole report every
 * time. On one connection, though, the server knows what it already sent: the socket is ordered
 * and reliable, so a client that got a reply holds everything the server held when it made it.
 * A repeat within REPEAT_WINDOW_MS of the last full reply is therefore answered against the
 * client's state vector merged with the server's state vector at that reply: only what changed
 * since. After the window, a request is answered in full again, so a connection costs at most one
 * full reply per window. A client that throws its document away reconnects (y-websocket makes a
 * new connection for a new document), and a new connection starts with no history.
 */
import * as Y from 'yjs';

/** How long after a full reply a repeat on the same connection gets only what changed. */
export const REPEAT_WINDOW_MS = 10_000;

export class SyncReplies {
  /** The server's state vector when the last full reply was made, and when that was. */
  private last: { serverVector: Uint8Array; at: number } | null = null;

  /**
   * The state vector to answer `clientVector` against, given the server's current state vector;
   * records the reply about to be made.
   */
  baseFor(clientVector: Uint8Array, serverVector: Uint8Array, now = Date.now()): Uint8Array {
    const last = this.last;
    if (last === null || now - last.at >= REPEAT_WINDOW_MS) {
      this.last = { serverVector, at: now };
      return clientVector;
    }
    const merged = Y.decodeStateVector(clientVector);
    for (const [client, clock] of Y.decodeStateVector(last.serverVector)) {
      if (clock > (merged.get(client) ?? 0)) merged.set(client, clock);
    }
    // This reply brings the client up to `serverVector` too; the window still runs from the last
    // full reply (repeats never extend it).
    last.serverVector = serverVector;
    return Y.encodeStateVector(merged);
  }
}
