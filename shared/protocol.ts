/**
 * Everything that crosses the sync websocket, in one place.
 *
 * The socket speaks the y-websocket protocol unchanged (message types 0–3), so the stock
 * `y-websocket` WebsocketProvider works against the server. Concord's own messages use types
 * from 100 up and are sent only to clients that asked for them through a URL parameter, so a
 * stock client never receives a message type it does not know.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** y-websocket message types (y-websocket/src/y-websocket.js) plus Concord's own. */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  /** Server → client: these of your changes are durable (see encodeSaved). */
  Saved: 100,
  /** Server → client: a notice for the user, JSON `ServerNotice` (see encodeNotice). */
  Notice: 101,
  /** Server → client: a report event (comment threads), JSON `ReportEvent` (see encodeEvent). */
  Event: 102,
} as const;

/** Something the server tells a Concord client's user (a refused change, a role change…). */
export interface ServerNotice {
  /**
   * `resync`: the server kept the document as it was where this page's change could not be
   * undone locally (a deletion of agreed text); the client rebuilds its copy from the server.
   * `presence-color` is not for the user: it gives the colour this report stamps on our presence.
   */
  code:
    | 'read-only'
    | 'foreign-client-id'
    | 'locked'
    | 'duplicate-id'
    | 'schema'
    | 'resync'
    | 'unapplied'
    | 'schema-version'
    | 'presence-color';
  message: string;
  /** With `presence-color`: six-digit hex. */
  color?: string;
}

/** URL path of the sync socket: `${SYNC_PATH}/${reportId}`. */
export const SYNC_PATH = '/sync';

/** URL parameters a Concord client adds to the sync URL. */
export const SyncParam = {
  /** The client's schema version; an older one is refused with CloseCode.SchemaTooOld. */
  schema: 'schema',
  /** The client's Yjs clientID: asks for Saved messages about it. */
  saved: 'saved',
  /** The last report event seq the client holds: asks for Event messages after it. */
  events: 'events',
} as const;

/**
 * Websocket close codes. 1xxx are the standard ones; 44xx mirror HTTP statuses so an operator
 * reading a log knows them at sight. The client shows `closeReasonText` to the user.
 */
export const CloseCode = {
  GoingAway: 1001,
  /** A frame that is not a well-formed message of the protocol. */
  UnsupportedData: 1003,
  /** A well-formed message the server will not accept (e.g. missing dependencies). */
  PolicyViolation: 1008,
  /** Frame over the configured size: the websocket layer closes with it. */
  MessageTooBig: 1009,
  InvalidReportId: 4400,
  /** Logged out, session expired or revoked: log in again. */
  SessionEnded: 4401,
  /** No longer a member of the report's group. */
  Removed: 4403,
  UnknownReport: 4404,
  /** The client read too slowly: the bytes queued for it passed the limit. Reconnect to resync. */
  TooFarBehind: 4408,
  /** The user's role changed: reconnect to continue with the new permissions. */
  RoleChanged: 4409,
  SchemaTooOld: 4426,
  StorageUnavailable: 4503,
} as const;

export const closeReasonText: Readonly<Record<number, string>> = {
  [CloseCode.GoingAway]: 'The server is restarting. Reconnecting…',
  [CloseCode.UnsupportedData]: 'The server could not read a message from this page.',
  [CloseCode.PolicyViolation]: 'The server refused a change from this page.',
  [CloseCode.MessageTooBig]: 'A change was too large for the server to accept.',
  [CloseCode.InvalidReportId]: 'This is not a valid report address.',
  [CloseCode.UnknownReport]: 'This report does not exist.',
  [CloseCode.SessionEnded]: 'Your session has ended. Log in again to continue.',
  [CloseCode.Removed]: 'You are no longer a member of this group.',
  [CloseCode.TooFarBehind]: 'This page fell too far behind the server. Reconnecting…',
  [CloseCode.RoleChanged]:
    'Your role in this group has changed. Reconnecting with your new permissions…',
  [CloseCode.SchemaTooOld]: 'Concord has been updated. Reload the page to continue editing.',
  [CloseCode.StorageUnavailable]: 'The server cannot reach its storage. Retrying…',
};

/** Close codes after which reconnecting cannot help: the client stops retrying. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.InvalidReportId,
  CloseCode.UnknownReport,
  CloseCode.SchemaTooOld,
  CloseCode.SessionEnded,
  CloseCode.Removed,
]);

/** Report ids are server-made (newReportId on the server); this is what the server accepts. */
export const REPORT_ID_PATTERN = '^[a-z0-9]{16}$';
export const REPORT_ID_RE = new RegExp(REPORT_ID_PATTERN);

/** One (Yjs clientID, clock) pair: everything by that client below `clock` is durable. */
export interface SavedClock {
  client: number;
  clock: number;
}

export function encodeSaved(clocks: readonly SavedClock[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Saved);
  encoding.writeVarUint(enc, clocks.length);
  for (const { client, clock } of clocks) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, clock);
  }
  return encoding.toUint8Array(enc);
}

/** Decodes the body of a Saved message (after its type has been read). */
export function decodeSavedBody(dec: decoding.Decoder): SavedClock[] {
  const n = decoding.readVarUint(dec);
  const out: SavedClock[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ client: decoding.readVarUint(dec), clock: decoding.readVarUint(dec) });
  }
  return out;
}

export function encodeNotice(notice: ServerNotice): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Notice);
  encoding.writeVarString(enc, JSON.stringify(notice));
  return encoding.toUint8Array(enc);
}

/** Decodes the body of a Notice message (after its type has been read). */
export function decodeNoticeBody(dec: decoding.Decoder): ServerNotice {
  return JSON.parse(decoding.readVarString(dec)) as ServerNotice;
}

/** An Event message: `[varUint 102][varString json]` (the JSON of a ReportEvent). */
export function encodeEvent(json: string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Event);
  encoding.writeVarString(enc, json);
  return encoding.toUint8Array(enc);
}

/** What the server stamps onto each connection's presence (awareness field `user`). */
export interface PresenceUser {
  name: string;
  color: string;
  role: string;
  /** The State or organisation represented, or null. */
  represents: string | null;
}
