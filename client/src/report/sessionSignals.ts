/**
 * The sync session (client/src/sync/session.ts) as signals, for the views. The session notifies
 * on every change (each keystroke moves its clock); each signal here changes only when its own
 * value does, so the header's save state re-renders for "Saving…" and "Saved", not per key.
 */
import { batch, type ReadonlySignal, signal } from '@preact/signals';
import type { ServerNotice } from '../../../shared/protocol.js';
import type { ReportAccess } from '../api.js';
import type { SaveState } from '../sync/saveState.js';
import type { ConnectionNotice, ReportSession } from '../sync/session.js';

export interface SessionSignals {
  /** True once the first sync with the server completed. */
  readonly hasSynced: ReadonlySignal<boolean>;
  readonly saveState: ReadonlySignal<SaveState>;
  /** Changes kept in this browser from an earlier visit are not yet confirmed by the server. */
  readonly restoring: ReadonlySignal<boolean>;
  /** The connection banner's message. */
  readonly notice: ReadonlySignal<ConnectionNotice | null>;
  /** The server's last notice for the user, until dismissed. */
  readonly serverNotice: ReadonlySignal<ServerNotice | null>;
  /** The report and the user's role in its group (null until known). */
  readonly access: ReadonlySignal<ReportAccess | null>;
  /** The role is known and cannot edit the text. */
  readonly readOnly: ReadonlySignal<boolean>;
  /** The role may edit and the connection has not stopped for good. */
  readonly editable: ReadonlySignal<boolean>;
  dispose(): void;
}

export function sessionSignals(session: ReportSession): SessionSignals {
  const read = () => ({
    hasSynced: session.hasSynced,
    saveState: session.saveState,
    restoring: session.restoring,
    notice: session.notice,
    serverNotice: session.serverNotice,
    access: session.access,
    readOnly: session.readOnly,
    editable: session.canEdit && !session.notice?.fatal,
  });
  const first = read();
  const out = {
    hasSynced: signal(first.hasSynced),
    saveState: signal(first.saveState),
    restoring: signal(first.restoring),
    notice: signal(first.notice),
    serverNotice: signal(first.serverNotice),
    access: signal(first.access),
    readOnly: signal(first.readOnly),
    editable: signal(first.editable),
  };
  const stop = session.subscribe(() => {
    const now = read();
    // Each signal skips an equal value by itself.
    batch(() => {
      out.hasSynced.value = now.hasSynced;
      out.saveState.value = now.saveState;
      out.restoring.value = now.restoring;
      out.notice.value = now.notice;
      out.serverNotice.value = now.serverNotice;
      out.access.value = now.access;
      out.readOnly.value = now.readOnly;
      out.editable.value = now.editable;
    });
  });
  return { ...out, dispose: stop };
}
