/**
 * The "Saved" indicator, driven only by what the server confirms (never by a timer).
 *
 * The server sends `MessageType.Saved` with (client, clock) pairs: everything by Yjs client
 * `client` below `clock` is durable. We keep the highest clock per client and compare our own
 * client's local clock (`Y.getState(doc, doc.clientID)`) with it.
 */
import type { SavedClock } from '../../../shared/protocol.js';

export type SaveState = 'saved' | 'saving' | 'offline';

/** What the indicator shows, exactly (tests and users read these strings). */
export const SAVE_STATE_TEXT: Readonly<Record<SaveState, string>> = {
  saved: 'Saved',
  saving: 'Saving…',
  offline: 'Offline',
};

/** Highest durable clock per Yjs client, as confirmed by the server. */
export class DurableClocks {
  private readonly clocks = new Map<number, number>();

  /** Records a Saved message; returns true when any clock moved forward. */
  apply(entries: readonly SavedClock[]): boolean {
    let changed = false;
    for (const { client, clock } of entries) {
      if (clock > (this.clocks.get(client) ?? 0)) {
        this.clocks.set(client, clock);
        changed = true;
      }
    }
    return changed;
  }

  get(client: number): number {
    return this.clocks.get(client) ?? 0;
  }
}

/**
 * Offline when not connected; Saving… while some of our own changes are not yet durable;
 * Saved otherwise.
 */
export function computeSaveState(
  connected: boolean,
  localClock: number,
  durableClock: number,
): SaveState {
  return saveStateOf(connected, localClock > durableClock);
}

/** The same, from whether any of our changes (of this page or kept from before) is waiting. */
export function saveStateOf(connected: boolean, pending: boolean): SaveState {
  if (!connected) return 'offline';
  return pending ? 'saving' : 'saved';
}
