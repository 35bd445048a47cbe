/**
 * Strict parsing and encoding of y-websocket frames on the server side. A frame must hold exactly
 * one well-formed message: unknown types, truncated payloads and trailing bytes are all errors,
 * and the connection that sent them is closed (the document and everyone else are untouched).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MessageType } from '../../shared/protocol.js';

export type ClientMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { kind: 'query-awareness' };

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null: the client left. */
  state: unknown;
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

function finish(dec: decoding.Decoder): void {
  if (decoding.hasContent(dec)) throw new ProtocolError('trailing bytes after the message');
}

/** Parses the body of an awareness update (y-protocols/awareness encoding). */
export function parseAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  if (n > update.length) throw new ProtocolError('awareness entry count exceeds payload');
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(dec);
    const clock = decoding.readVarUint(dec);
    const json = decoding.readVarString(dec);
    let state: unknown;
    try {
      state = JSON.parse(json);
    } catch {
      throw new ProtocolError('awareness state is not JSON');
    }
    entries.push({ clientId, clock, state });
  }
  finish(dec);
  return entries;
}

export function parseClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const dec = decoding.createDecoder(frame);
    const type = decoding.readVarUint(dec);
    switch (type) {
      case MessageType.Sync: {
        const sub = decoding.readVarUint(dec);
        const payload = decoding.readVarUint8Array(dec);
        finish(dec);
        if (sub === SYNC_STEP1) return { kind: 'sync-step1', stateVector: payload };
        if (sub === SYNC_STEP2) return { kind: 'sync-step2', update: payload };
        if (sub === SYNC_UPDATE) return { kind: 'update', update: payload };
        throw new ProtocolError(`unknown sync message type ${sub}`);
      }
      case MessageType.Awareness: {
        const update = decoding.readVarUint8Array(dec);
        finish(dec);
        return { kind: 'awareness', update, entries: parseAwarenessUpdate(update) };
      }
      case MessageType.QueryAwareness:
        finish(dec);
        return { kind: 'query-awareness' };
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed message: ${(err as Error).message}`);
  }
}

/** Validates that a state vector decodes (count, then client/clock pairs) and nothing follows. */
export function checkStateVector(sv: Uint8Array): void {
  try {
    const dec = decoding.createDecoder(sv);
    const n = decoding.readVarUint(dec);
    if (n > sv.length) throw new ProtocolError('state vector count exceeds payload');
    for (let i = 0; i < n; i++) {
      decoding.readVarUint(dec);
      decoding.readVarUint(dec);
    }
    finish(dec);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed state vector: ${(err as Error).message}`);
  }
}

function syncMessage(sub: number, payload: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Sync);
  encoding.writeVarUint(enc, sub);
  encoding.writeVarUint8Array(enc, payload);
  return encoding.toUint8Array(enc);
}

export const encodeSyncStep1 = (stateVector: Uint8Array) => syncMessage(SYNC_STEP1, stateVector);
export const encodeUpdate = (update: Uint8Array) => syncMessage(SYNC_UPDATE, update);

/**
 * The bytes of a sync step 2 message that come before its update of `length` bytes (type, sub
 * type, length). Step 2 often carries a whole document, so it is sent in two parts, these bytes
 * and then the update as it is, and the update is never copied into a message.
 */
export function syncStep2Head(length: number): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Sync);
  encoding.writeVarUint(enc, SYNC_STEP2);
  encoding.writeVarUint(enc, length);
  return encoding.toUint8Array(enc);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Awareness);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

/** The encoding of an update that carries nothing (what a client in sync sends as step 2). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

/** A state vector with no clients. */
export function isEmptyStateVector(sv: Uint8Array): boolean {
  return sv.length === 1 && sv[0] === 0;
}
